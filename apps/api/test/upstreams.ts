// Real MCP upstreams for tests, on 127.0.0.1: an SDK McpServer over Streamable HTTP (/mcp) and legacy SSE
// (/sse + /messages) with tools that echo, hang, fail, drift and report progress; a tiny dependency-free stdio
// server; and @modelcontextprotocol/server-everything (a dev dependency, never fetched at test time).
import { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { z } from 'zod';

export const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

/**
 * A minimal MCP stdio server without dependencies (starts in ~50 ms), for the many-process tests. It lists `echo`
 * and `hang` (neither read-only); `hang` never answers, any other name echoes.
 */
export const TINY_SERVER = `
const tools = [
  { name: 'echo', description: 'Echoes', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  { name: 'hang', description: 'Never answers', inputSchema: { type: 'object', properties: {} } },
];
const rl = require('node:readline').createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  if (msg.id === undefined) return;
  if (msg.method === 'initialize') send({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'tiny', version: '1.0.0' } } });
  else if (msg.method === 'tools/list') send({ jsonrpc: '2.0', id: msg.id, result: { tools } });
  else if (msg.method === 'tools/call' && msg.params.name === 'hang') return;
  else if (msg.method === 'tools/call') send({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'tiny ' + msg.params.arguments.text }] } });
  else send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } });
});
`;

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Live child processes of this (Jest worker) process, read from /proc. */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface TestUpstream {
  url: string;
  sseUrl: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; rpc?: string }>;
  calls: Map<string, number>;
  cancelled: string[];
  /** Destroy the socket of every tools/call (a failure that may have reached the upstream). */
  failCalls: boolean;
  /** Destroy the socket of the next N tools/call of a tool. */
  dropNext: Map<string, number>;
  paginate: boolean;
  /** When set, every request is answered `307 Location: <redirectTo>` (an upstream pointing the gateway elsewhere). */
  redirectTo: string | null;
  servers: McpServer[];
  /**
   * Changes `echo` on every open session (which sends notifications/tools/list_changed) and for sessions to come:
   * a new description and an optional `lang` argument. A schema drift, as an upstream deploy makes one.
   */
  driftEcho(): void;
  /** Removes `write-flaky` everywhere (list_changed is sent), as an upstream that drops a tool. */
  removeWriteTool(): void;
  close(): Promise<void>;
}

export interface TestUpstreamOptions {
  /**
   * Also lists `malformed`, whose tools/call is answered with a result that breaks the MCP schema (content is not an
   * array), and `typed-liar`, which declares an output schema ({ count: number }) but answers
   * structuredContent { count: "many" } (an SDK server would refuse to send that, so the HTTP layer does). Off by
   * default, so the tool list other specs see stays as it was.
   */
  faultTools?: boolean;
}

interface DriftState {
  faultTools: boolean;
  echoDrifted: boolean;
  writeRemoved: boolean;
  echoHandles: RegisteredTool[];
  writeHandles: RegisteredTool[];
}
const drift = new WeakMap<TestUpstream, DriftState>();

const ECHO_V1 = { description: 'Echoes', inputSchema: { text: z.string() } };
const ECHO_V2 = { description: 'Echoes the text, optionally in a language', inputSchema: { text: z.string(), lang: z.string().optional() } };

function buildMcpServer(state: TestUpstream): McpServer {
  const server = new McpServer({ name: 'test-upstream', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  const d = drift.get(state)!;
  const echoDef = d.echoDrifted ? ECHO_V2 : ECHO_V1;
  d.echoHandles.push(
    server.registerTool('echo', { ...echoDef, annotations: { readOnlyHint: true } }, async (args: { text: string; lang?: string }) => ({
      content: [{ type: 'text', text: `echo: ${args.text}${args.lang ? ` (${args.lang})` : ''}` }],
    })),
  );
  server.registerTool('slow-echo', { description: 'Echoes after 150 ms', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } }, async ({ text }) => {
    await new Promise((r) => setTimeout(r, 150));
    return { content: [{ type: 'text', text: `echo: ${text}` }] };
  });
  server.registerTool('read-flaky', { description: 'Read-only', inputSchema: {}, annotations: { readOnlyHint: true } }, async () => ({ content: [{ type: 'text', text: 'read ok' }] }));
  if (!d.writeRemoved) {
    d.writeHandles.push(
      server.registerTool('write-flaky', { description: 'Creates a thing', inputSchema: {}, annotations: { destructiveHint: false } }, async () => ({
        content: [{ type: 'text', text: 'written' }],
      })),
    );
  }
  server.registerTool('hang', { description: 'Never answers', inputSchema: {} }, async (_args, extra) => {
    await new Promise<void>((resolve) => {
      const fallback = setTimeout(resolve, 10_000);
      extra.signal.addEventListener('abort', () => {
        state.cancelled.push(String(extra.requestId));
        clearTimeout(fallback);
        resolve();
      });
    });
    return { content: [{ type: 'text', text: 'late' }] };
  });
  server.registerTool('progress', { description: 'Reports progress', inputSchema: {} }, async (_args, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= 3; i++) {
      if (token !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: 3, message: `step ${i}` } });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.registerTool('big', { description: 'A large result', inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
    content: [{ type: 'text', text: 'x'.repeat(bytes) }],
  }));
  if (d.faultTools) {
    // Never reached: the HTTP layer answers its calls with a malformed result.
    server.registerTool('malformed', { description: 'Answers a malformed result', inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'well-formed' }] }));
    server.registerTool('typed-liar', { description: 'Counts things', inputSchema: {}, outputSchema: { count: z.number() } }, async () => ({
      content: [{ type: 'text', text: '{"count":1}' }],
      structuredContent: { count: 1 },
    }));
  }
  state.servers.push(server);
  return server;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

const PAGES: Record<string, { tools: Array<{ name: string; inputSchema: object }>; nextCursor?: string }> = {
  '': { tools: [{ name: 'p1-a', inputSchema: { type: 'object' } }, { name: 'p1-b', inputSchema: { type: 'object' } }], nextCursor: 'page-2' },
  'page-2': { tools: [{ name: 'p2-a', inputSchema: { type: 'object' } }], nextCursor: 'page-3' },
  'page-3': { tools: [{ name: 'p3-a', inputSchema: { type: 'object' } }] },
};

export async function startTestUpstream(options: TestUpstreamOptions = {}): Promise<TestUpstream> {
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  const state: TestUpstream = {
    url: '',
    sseUrl: '',
    requests: [],
    calls: new Map(),
    cancelled: [],
    failCalls: false,
    dropNext: new Map(),
    paginate: false,
    redirectTo: null,
    servers: [],
    driftEcho: () => {
      const d = drift.get(state)!;
      d.echoDrifted = true;
      d.echoHandles.forEach((h) => h.update({ description: ECHO_V2.description, paramsSchema: ECHO_V2.inputSchema }));
    },
    removeWriteTool: () => {
      const d = drift.get(state)!;
      d.writeRemoved = true;
      d.writeHandles.forEach((h) => h.remove());
    },
    close: async () => undefined,
  };
  drift.set(state, { faultTools: options.faultTools ?? false, echoDrifted: false, writeRemoved: false, echoHandles: [], writeHandles: [] });

  const http: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = req.method === 'POST' ? ((await readJson(req)) as { id?: number; method?: string; params?: { name?: string; cursor?: string } } | undefined) : undefined;
      state.requests.push({ method: req.method ?? '', url: url.pathname, headers: req.headers, rpc: body?.method });
      if (state.redirectTo) {
        res.writeHead(307, { location: state.redirectTo }).end();
        return;
      }
      if (body?.method === 'tools/call') {
        const name = body.params?.name ?? '';
        state.calls.set(name, (state.calls.get(name) ?? 0) + 1);
        const drops = state.dropNext.get(name) ?? 0;
        if (state.failCalls || drops > 0) {
          state.dropNext.set(name, drops - 1);
          req.socket.destroy();
          return;
        }
        if (name === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: { content: 'not an array' } }));
          return;
        }
        if (name === 'typed-liar') {
          const result = { content: [{ type: 'text', text: '{"count":"many"}' }], structuredContent: { count: 'many' } };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
          return;
        }
      }
      if (state.paginate && body?.method === 'tools/list') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: PAGES[body.params?.cursor ?? ''] }));
        return;
      }
      if (url.pathname === '/mcp') {
        const sid = req.headers['mcp-session-id'];
        let transport = typeof sid === 'string' ? streamable.get(sid) : undefined;
        if (!transport) {
          if (req.method !== 'POST' || !isInitializeRequest(body)) {
            res.writeHead(typeof sid === 'string' ? 404 : 400).end();
            return;
          }
          const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void streamable.set(id, created) });
          created.onclose = () => created.sessionId && streamable.delete(created.sessionId);
          await buildMcpServer(state).connect(created);
          transport = created;
        }
        await transport.handleRequest(req, res, body);
      } else if (url.pathname === '/sse' && req.method === 'GET') {
        const transport = new SSEServerTransport('/messages', res);
        sse.set(transport.sessionId, transport);
        res.on('close', () => sse.delete(transport.sessionId));
        await buildMcpServer(state).connect(transport);
      } else if (url.pathname === '/messages' && req.method === 'POST') {
        const transport = sse.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) res.writeHead(404).end();
        else await transport.handlePostMessage(req, res, body);
      } else {
        res.writeHead(404).end();
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/mcp`;
  state.sseUrl = `http://127.0.0.1:${port}/sse`;
  state.close = async () => {
    await Promise.all(state.servers.map((s) => s.close().catch(() => undefined)));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return state;
}

/** A URL on 127.0.0.1 where nothing listens. */
export async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/mcp`;
}


export interface PlainHttpServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A bare HTTP server on 127.0.0.1 answering with `handler` (an API behind an HTTP source, a redirector…). */
export async function startHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<PlainHttpServer> {
  const requests: PlainHttpServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Records the destination of every TCP connection this process opens (net.Socket#connect, which node:http,
 * undici and the SDK transports all go through), to prove that a refused address was never dialled.
 */
export function watchConnections(): { hosts: string[]; restore(): void } {
  const hosts: string[] = [];
  const original = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    // Internally called with [normalizedOptions, callback]; publicly with (options[, cb]) or (port[, host][, cb]).
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const options = typeof first === 'object' && first !== null ? (first as { host?: string; path?: string }) : null;
    hosts.push(String(options ? (options.host ?? options.path ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost'));
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
  return { hosts, restore: () => void (Socket.prototype.connect = original) };
}
