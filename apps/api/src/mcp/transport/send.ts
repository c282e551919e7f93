// Writing MCP answers on node:http: the head and the body in one write, without a framework in between.
import type { ServerResponse } from 'node:http';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON body with its exact length. Headers set before (X-Request-Id, Mcp-Session-Id, …) go along. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A status with no body, or a short plain one (the legacy transport's "Accepted"). */
export function sendEmpty(res: ServerResponse, status: number, text?: string): void {
  res.statusCode = status;
  res.end(text);
}
