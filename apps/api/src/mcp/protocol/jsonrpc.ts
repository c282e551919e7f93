// JSON-RPC 2.0 as MCP uses it: message shapes, error codes, and classification of what a client sent.

export const RpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Toolgate: no valid API key for this endpoint. */
  UNAUTHORIZED: -32001,
  /** Toolgate: over a rate limit; data.retryAfterSeconds says when to try again. */
  RATE_LIMITED: -32029,
  /** 2026-07-28: an Mcp-* header disagrees with the body or is missing. */
  HEADER_MISMATCH: -32020,
  /** 2026-07-28: the protocol version is not supported; data lists the supported ones. */
  UNSUPPORTED_VERSION: -32022,
} as const;

export type RpcId = string | number;

export interface RpcRequest {
  jsonrpc: '2.0';
  id: RpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcResponse = { jsonrpc: '2.0'; id: RpcId | null; result: unknown } | { jsonrpc: '2.0'; id: RpcId | null; error: RpcError };

export type Incoming =
  | { kind: 'request'; message: RpcRequest }
  | { kind: 'notification'; message: RpcNotification }
  | { kind: 'response'; id: RpcId | null }
  | { kind: 'invalid'; id: RpcId | null; reason: string };

const isId = (v: unknown): v is RpcId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Classifies one parsed JSON value as a JSON-RPC request, notification, response, or something invalid. */
export function classify(value: unknown): Incoming {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid', id: null, reason: 'a JSON-RPC message must be an object' };
  const m = value as Record<string, unknown>;
  const id = isId(m.id) ? m.id : null;
  if (m.jsonrpc !== '2.0') return { kind: 'invalid', id, reason: '"jsonrpc" must be "2.0"' };
  if (typeof m.method !== 'string') {
    if ('result' in m || 'error' in m) return { kind: 'response', id };
    return { kind: 'invalid', id, reason: '"method" must be a string' };
  }
  if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params))) {
    return { kind: 'invalid', id, reason: '"params" must be an object' };
  }
  if ('id' in m) {
    if (!isId(m.id)) return { kind: 'invalid', id: null, reason: '"id" must be a string or a number' };
    return { kind: 'request', message: m as unknown as RpcRequest };
  }
  return { kind: 'notification', message: m as unknown as RpcNotification };
}

export const ok = (id: RpcId | null, result: unknown): RpcResponse => ({ jsonrpc: '2.0', id, result });

export const fail = (id: RpcId | null, code: number, message: string, data?: unknown): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

/** Thrown by method handlers for protocol-level refusals; becomes a JSON-RPC error response. */
export class RpcException extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    /** HTTP status when the error answers a whole HTTP request (2026-07-28 header checks use 400/404). */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}
