#!/usr/bin/env node
// The benchmark's baseline: a bare Streamable HTTP MCP server written with @modelcontextprotocol/sdk 1.x
// (McpServer + StreamableHTTPServerTransport, stateful sessions, node:http), exposing the same `echo`
// tool as Toolgate's builtin one: input { text: string }, structuredContent { text }.
//
// No auth, no validation beyond the SDK's own, no logging: what an MCP server costs before a gateway
// adds anything. JSON responses (enableJsonResponse), like the gateway's answers to tools/call, so both
// sides put the same bytes on the wire.
//
//   node bench/baseline-sdk-server.mjs [--port=0] [--host=127.0.0.1] [--sse]
//
// Prints one line `{"listening":"http://127.0.0.1:<port>/mcp"}` on stdout once it accepts connections.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return fallback;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : true;
};
const port = Number(arg('port', 0));
const host = String(arg('host', '127.0.0.1'));
const jsonResponses = !arg('sse', false);

function newServer() {
  const server = new McpServer({ name: 'baseline-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the text it is given, unchanged.',
      inputSchema: { text: z.string().max(10_000) },
      outputSchema: { text: z.string() },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  return server;
}

/** Open sessions: Mcp-Session-Id → transport (each with its own McpServer, as the SDK examples do). */
const transports = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function jsonRpcError(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

const httpServer = http.createServer(async (req, res) => {
  try {
    if (!req.url?.startsWith('/mcp')) return jsonRpcError(res, 404, 'Not found');
    const sessionId = req.headers['mcp-session-id'];
    let body;
    if (req.method === 'POST') {
      const text = await readBody(req);
      try {
        body = JSON.parse(text);
      } catch {
        return jsonRpcError(res, 400, 'Parse error');
      }
    }
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId) return jsonRpcError(res, 404, 'Session not found');
      if (req.method !== 'POST' || !isInitializeRequest(body)) return jsonRpcError(res, 400, 'Bad Request: No valid session ID provided');
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: jsonResponses,
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) transports.delete(transport.sessionId);
      };
      await newServer().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  } catch (error) {
    process.stderr.write(`[baseline] ${error?.stack ?? error}\n`);
    if (!res.headersSent) jsonRpcError(res, 500, 'Internal error');
    else res.end();
  }
});
httpServer.keepAliveTimeout = 60_000;

httpServer.listen(port, host, () => {
  const { port: bound } = httpServer.address();
  process.stdout.write(`${JSON.stringify({ listening: `http://${host}:${bound}/mcp`, pid: process.pid, jsonResponses })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const t of transports.values()) void t.close().catch(() => {});
    httpServer.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
    httpServer.closeAllConnections?.();
  });
}
