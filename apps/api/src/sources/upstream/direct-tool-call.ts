// tools/call to a Streamable HTTP upstream without the SDK's request machinery: one POST on the session the SDK
// client negotiated (its id and protocol version), the answer read straight off the socket. The SDK path costs
// the gateway about twice the CPU of the request itself (fetch's Request/Response and web streams, a zod parse of
// every message, bench/README.md "S2"); this one does what a proxied call needs and hands everything else back to
// the SDK client: notifications (progress, list_changed, logging) and requests the upstream sends on the call's
// stream go to the client's transport as if it had read them, so its handlers answer them as before.
//
// Failures look as the SDK's would to the pool (StreamableHTTPError for an HTTP status, McpError for a JSON-RPC
// error), except where the SDK would leave a call hanging: an answer past the size cap and a stream that ends
// before the answer fail at once.
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { JSONRPCMessage, JSONRPCMessageSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { abortReason, decode } from '../network/guarded-fetch';
import { UpstreamError } from './upstream.types';

/** The guarded POST (GuardedFetch.post). */
export type GuardedPost = (url: URL, headers: http.OutgoingHttpHeaders, body: Buffer, signal: AbortSignal) => Promise<http.IncomingMessage>;

export interface DirectCallTarget {
  url: URL;
  /** The source's own headers (its secret headers included), names in lower case, as the SDK transport sends them. */
  headers: Record<string, string>;
  post: GuardedPost;
  /** Largest response body read (the source's result limit with room for framing). */
  maxBodyBytes: number;
  /** How long an SSE stream may stay open after the answer (default AFTER_ANSWER_MS). */
  afterAnswerMs?: number;
}

/** What a connected client lends a direct call. */
export interface DirectCallSession {
  target: DirectCallTarget;
  client: Client;
  transport: StreamableHTTPClientTransport;
}

/** Error bodies are read only this far, for the message. */
const ERROR_TEXT_BYTES = 4096;
/** How long an SSE stream may stay open after it carried the call's answer (the upstream should end it at once). */
const AFTER_ANSWER_MS = 5_000;
/** Redirects followed within the origin, as the SDK's fetchWithinOrigin does. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

let lastId = 0;

/**
 * Sends tools/call with `params` and resolves with its raw result (an object). Aborting `signal` destroys the
 * request and sends notifications/cancelled upstream, as the SDK does. Redirects are followed as the SDK follows
 * them: 307 and 308 within the origin (each hop checked again by the guarded POST); any other is an error.
 */
export async function directToolCall(session: DirectCallSession, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
  const { target, transport } = session;
  // A string id of our own: it never collides with the SDK client's numeric ids on the same session.
  const id = `tg-call-${++lastId}`;
  const headers: http.OutgoingHttpHeaders = {
    ...target.headers,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (transport.sessionId) headers['mcp-session-id'] = transport.sessionId;
  if (transport.protocolVersion) headers['mcp-protocol-version'] = transport.protocolVersion;
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }), 'utf8');
  try {
    let url = target.url;
    for (let redirects = 0; ; redirects++) {
      const res = await target.post(url, headers, body, signal);
      const next = redirects < MAX_REDIRECTS ? redirectWithinOrigin(res, url) : null;
      if (!next) return await readAnswer(session, res, url, id, signal);
      res.resume();
      url = next;
    }
  } catch (err) {
    if (signal.aborted) {
      const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'cancelled');
      session.client.notification({ method: 'notifications/cancelled', params: { requestId: id, reason } }).catch(() => undefined);
      throw abortReason(signal);
    }
    throw err;
  }
}

/** Where a 307/308 within the origin points (the SDK's rule: the same origin, or http upgraded to https on the default ports). */
function redirectWithinOrigin(res: http.IncomingMessage, from: URL): URL | null {
  if (res.statusCode !== 307 && res.statusCode !== 308) return null;
  const to = redirectTarget(res, from);
  if (!to) return null;
  if ((to.username || to.password) && (to.username !== from.username || to.password !== from.password)) return null;
  const sameOrigin = from.protocol === to.protocol && from.hostname === to.hostname && from.port === to.port;
  const upgraded = from.hostname === to.hostname && from.protocol === 'http:' && from.port === '' && to.protocol === 'https:' && to.port === '';
  return sameOrigin || upgraded ? to : null;
}

function redirectTarget(res: http.IncomingMessage, from: URL): URL | null {
  const location = REDIRECT_STATUSES.has(res.statusCode ?? 0) ? res.headers.location : undefined;
  if (!location) return null;
  try {
    return new URL(location, from);
  } catch {
    return null;
  }
}

async function readAnswer(session: DirectCallSession, res: http.IncomingMessage, url: URL, id: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const status = res.statusCode ?? 0;
  const to = redirectTarget(res, url);
  if (to) {
    // Not followed (another origin, or a status that would turn the POST into a GET): an error, as in the SDK.
    res.resume();
    to.username = to.password = to.search = to.hash = '';
    throw new StreamableHTTPError(status, `Error POSTing to endpoint: Redirect to ${to.href} not followed`);
  }
  if (status < 200 || status >= 300) {
    const text = await readText(res, ERROR_TEXT_BYTES, session.target, signal, true);
    throw new StreamableHTTPError(status, `Error POSTing to endpoint: ${text}`);
  }
  const contentType = String(res.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (contentType === 'application/json') {
    const text = await readText(res, session.target.maxBodyBytes, session.target, signal, false);
    const answer = takeAnswer(session, parseJson(text), id);
    if (answer === undefined) throw new UpstreamError('MALFORMED_RESPONSE', 'the answer to tools/call did not hold its JSON-RPC response');
    return answer;
  }
  if (contentType === 'text/event-stream') return readEventStream(session, res, id, signal);
  res.resume();
  if (status === 202) throw new UpstreamError('MALFORMED_RESPONSE', 'tools/call was answered 202 Accepted, without a response');
  throw new StreamableHTTPError(-1, `Unexpected content type: ${res.headers['content-type'] ?? '(none)'}`);
}

/** Handles every message of a JSON answer; returns our call's result, or undefined if it was not among them. */
function takeAnswer(session: DirectCallSession, value: unknown, id: string): Record<string, unknown> | undefined {
  let answer: Record<string, unknown> | undefined;
  for (const message of Array.isArray(value) ? value : [value]) {
    const mine = ownResponse(message, id);
    if (mine) answer = mine;
    else forward(session, message);
  }
  return answer;
}

/** Our call's result if `message` is its response; throws for its JSON-RPC error; undefined for any other message. */
function ownResponse(message: unknown, id: string): Record<string, unknown> | undefined {
  if (!message || typeof message !== 'object' || (message as { id?: unknown }).id !== id) return undefined;
  const m = message as { jsonrpc?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
  if (m.jsonrpc !== '2.0') throw new UpstreamError('MALFORMED_RESPONSE', 'the response to tools/call is not JSON-RPC 2.0');
  if (m.error && typeof m.error === 'object') {
    if (typeof m.error.code !== 'number' || typeof m.error.message !== 'string') throw new UpstreamError('MALFORMED_RESPONSE', 'sent a malformed JSON-RPC error');
    throw new McpError(m.error.code, m.error.message, m.error.data);
  }
  if (!m.result || typeof m.result !== 'object' || Array.isArray(m.result)) throw new UpstreamError('MALFORMED_RESPONSE', 'sent a malformed message');
  return m.result as Record<string, unknown>;
}

/** Any other message goes to the SDK client, checked as its transport checks what it reads. */
function forward(session: DirectCallSession, message: unknown): void {
  const parsed = JSONRPCMessageSchema.safeParse(message);
  if (!parsed.success) throw new UpstreamError('MALFORMED_RESPONSE', 'sent a malformed message');
  session.transport.onmessage?.(parsed.data as JSONRPCMessage);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError('MALFORMED_RESPONSE', 'answered tools/call with a body that is not JSON');
  }
}

/** Where a URL points, for messages: no userinfo, query or fragment. */
function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Reads the (decoded) body as text, up to `max` bytes: past it, RESPONSE_TOO_LARGE (or, with `truncate`, the start). */
function readText(res: http.IncomingMessage, max: number, target: DirectCallTarget, signal: AbortSignal, truncate: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const source = decode(res);
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      if (error !== undefined) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        if (truncate) {
          chunks.push(chunk.subarray(0, chunk.length - (size - max)));
          source.destroy();
          return finish();
        }
        source.destroy();
        return finish(new UpstreamError('RESPONSE_TOO_LARGE', `The response from ${describe(target.url)} exceeded ${max} bytes`));
      }
      chunks.push(chunk);
    });
    source.once('end', () => finish());
    // `done` first: a body that ended normally also closes, and an Error's stack trace is not free.
    source.once('error', (error: NodeJS.ErrnoException) => done || finish(cutOff(target, signal, error)));
    source.once('close', () => done || finish(cutOff(target, signal)));
  });
}

function cutOff(target: DirectCallTarget, signal: AbortSignal, error?: NodeJS.ErrnoException): unknown {
  if (signal.aborted) return abortReason(signal);
  const why = error ? `: ${error.code ?? error.message}` : '';
  return Object.assign(new UpstreamError('UNAVAILABLE', `The response from ${describe(target.url)} was cut off${why}`), error ? { cause: error } : {});
}

/**
 * Reads an SSE answer event by event until our call's response: notifications and requests before it are handed to
 * the SDK client as they come (progress reaches the agent while the call runs). After the answer the stream is read
 * on, forwarding what still comes, until the upstream ends it (as it should at once); one that lingers past
 * AFTER_ANSWER_MS is closed, so a stream left open cannot hold a connection forever.
 */
function readEventStream(session: DirectCallSession, res: http.IncomingMessage, id: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const { target } = session;
  return new Promise((resolve, reject) => {
    const source: Readable = decode(res);
    source.setEncoding('utf8');
    let received = 0;
    let settled = false;
    let pending = '';
    let data: string[] = [];
    let event = '';
    let linger: NodeJS.Timeout | undefined;
    const settle = (error: unknown, value?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      if (error !== undefined) {
        source.destroy();
        reject(error);
      } else {
        linger = setTimeout(() => source.destroy(), target.afterAnswerMs ?? AFTER_ANSWER_MS);
        linger.unref();
        resolve(value!);
      }
    };
    /** Before the answer a failure fails the call; after it, it only ends the stream. */
    const fail = (error: unknown) => (settled ? source.destroy() : settle(error));
    const dispatch = () => {
      const text = data.join('\n');
      const type = event;
      data = [];
      event = '';
      if (text === '' || (type !== '' && type !== 'message')) return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return fail(new UpstreamError('MALFORMED_RESPONSE', 'sent an event that is not JSON'));
      }
      try {
        const answer = takeAnswer(session, message, id);
        if (answer !== undefined) settle(undefined, answer);
      } catch (err) {
        fail(err);
      }
    };
    source.on('data', (chunk: string) => {
      if (source.destroyed) return;
      received += Buffer.byteLength(chunk);
      if (received > target.maxBodyBytes) {
        return fail(new UpstreamError('RESPONSE_TOO_LARGE', `The response from ${describe(target.url)} exceeded ${target.maxBodyBytes} bytes`));
      }
      pending += chunk;
      // Lines end in \n, \r\n or \r; the last piece may be incomplete (a lone \r may still become \r\n).
      const lines = pending.split(/\r\n|\n|\r(?!$)/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (source.destroyed) return;
        if (line === '') dispatch();
        else if (line.startsWith(':')) continue;
        else {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          let value = colon === -1 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') data.push(value);
          else if (field === 'event') event = value;
        }
      }
    });
    source.once('end', () => {
      if (data.length > 0) dispatch();
      if (!settled) {
        settle(signal.aborted ? abortReason(signal) : new UpstreamError('UNAVAILABLE', `The response stream from ${describe(target.url)} ended before the answer to tools/call`));
      }
    });
    source.once('error', (error: NodeJS.ErrnoException) => settled || settle(cutOff(target, signal, error)));
    source.once('close', () => {
      clearTimeout(linger);
      if (!settled) settle(cutOff(target, signal));
    });
  });
}
