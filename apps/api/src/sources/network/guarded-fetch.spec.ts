// The guarded fetch against real HTTP servers on 127.0.0.1. No test may send traffic anywhere
// else: other addresses only ever come from fake lookups, and a spy on every socket connect
// destroys (and reports) any attempt to reach anything but 127.0.0.1 on a port a test server had.
import * as dns from 'node:dns';
import { getEventListeners } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { UpstreamError } from '../upstream/upstream.types';
import { createGuardedFetch, type GuardedFetch, type GuardedFetchOptions } from './guarded-fetch';

interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: SeenRequest[];
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
/** Ports our servers listen (or listened) on: the only destinations the safety net lets through. */
const knownPorts = new Set<number>();
const fetches: GuardedFetch[] = [];

async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest) => void): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(seen);
      handler(req, res, seen);
    });
  });
  const result: TestServer = {
    port: 0,
    origin: '',
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => result.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  result.port = (server.address() as net.AddressInfo).port;
  knownPorts.add(result.port);
  result.origin = `http://127.0.0.1:${result.port}`;
  servers.push(result);
  return result;
}

function guarded(allowlist: string[], options?: GuardedFetchOptions): GuardedFetch {
  const f = createGuardedFetch(allowlist, options);
  fetches.push(f);
  return f;
}

/** A fake resolver: never the network. */
function fakeLookup(table: Record<string, string[] | string[][]>) {
  const calls: Record<string, number> = {};
  const fn = jest.fn(async (host: string) => {
    const n = (calls[host] = (calls[host] ?? 0) + 1);
    const answer = table[host];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    // A list of lists answers differently on each call (DNS rebinding); the last answer repeats.
    return Array.isArray(answer[0]) ? (answer as string[][])[Math.min(n, answer.length) - 1] : (answer as string[]);
  });
  return fn;
}

async function refusal(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

// ---- the safety net: every TCP connect in this process is recorded, and only 127.0.0.1 is let through
interface ConnectRecord {
  host: string;
  port: number;
  /** What the socket's own lookup answered (for hostnames). */
  resolved: string[];
}
const connects: ConnectRecord[] = [];
const violations: string[] = [];
const originalConnect = net.Socket.prototype.connect;

beforeAll(() => {
  jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const options = (Array.isArray(args[0]) ? args[0][0] : args[0]) as net.TcpNetConnectOpts;
    if (options && typeof options === 'object' && 'port' in options) {
      const record: ConnectRecord = { host: String(options.host), port: Number(options.port), resolved: [] };
      connects.push(record);
      if (!knownPorts.has(record.port)) {
        violations.push(`connect to port ${record.port}`);
        process.nextTick(() => this.destroy(new Error(`test safety: refused a connection to port ${record.port}`)));
        return this;
      }
      if (net.isIP(record.host)) {
        if (record.host !== '127.0.0.1') {
          violations.push(`connect to ${record.host}`);
          process.nextTick(() => this.destroy(new Error(`test safety: refused a connection to ${record.host}`)));
          return this;
        }
      } else {
        const inner = (options.lookup ?? dns.lookup) as net.LookupFunction;
        options.lookup = (hostname, lookupOptions, callback) =>
          inner(hostname, lookupOptions, (err, address, family) => {
            const list = err ? [] : Array.isArray(address) ? address.map((a) => a.address) : [address];
            record.resolved.push(...list);
            const outside = list.filter((a) => a !== '127.0.0.1');
            if (outside.length) {
              violations.push(`connect to ${hostname} at ${outside.join(', ')}`);
              return callback(new Error(`test safety: refused a connection to ${outside.join(', ')}`), '', 0);
            }
            callback(err, address as string, family);
          });
      }
    }
    return originalConnect.apply(this, args as Parameters<typeof originalConnect>);
  });
});

afterAll(() => {
  jest.restoreAllMocks();
});

afterEach(async () => {
  for (const f of fetches.splice(0)) f.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  connects.splice(0);
  expect(violations.splice(0)).toEqual([]);
});

describe('the test safety net', () => {
  it('stops a connection to a port no test server has, by IP and by name', async () => {
    const lookup = fakeLookup({ 'x.test': ['127.0.0.1'] });
    const f = guarded(['127.0.0.1', 'x.test'], { lookup });
    expect((await refusal(f('http://127.0.0.1:9/'))).message).toContain('test safety');
    expect((await refusal(f('http://x.test:9/'))).message).toContain('test safety');
    expect(violations.splice(0)).toEqual(['connect to port 9', 'connect to port 9']);
  });
});

const hello = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello');
};

describe('createGuardedFetch: the address check', () => {
  it('refuses 127.0.0.1 without an allowlist, before connecting', async () => {
    const server = await startServer(hello);
    const error = await refusal(guarded([])(`${server.origin}/`));
    expect(error.code).toBe('REFUSED_ADDRESS');
    expect(error.notSent).toBe(true);
    expect(error.message).toBe("127.0.0.1 is a loopback address; add it to the tenant's network allowlist to allow it");
    expect(server.connections).toBe(0);
    expect(connects).toEqual([]);
  });

  it.each([['127.0.0.1'], ['127.0.0.0/8'], ['::ffff:127.0.0.1']])('allows 127.0.0.1 when the allowlist has %s', async (entry) => {
    const server = await startServer(hello);
    const response = await guarded([entry])(`${server.origin}/hi`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello');
    expect(response.url).toBe(`${server.origin}/hi`);
    expect(response.redirected).toBe(false);
  });

  it.each(['http://0x7f.1:PORT/', 'http://2130706433:PORT/', 'http://017700000001:PORT/', 'http://[::ffff:127.0.0.1]:PORT/'])(
    'refuses the loopback spelling %s',
    async (spelling) => {
      const server = await startServer(hello);
      const error = await refusal(guarded([])(spelling.replace('PORT', String(server.port))));
      expect(error.code).toBe('REFUSED_ADDRESS');
      expect(error.message).toContain('loopback');
      expect(server.connections).toBe(0);
    },
  );

  it('refuses [::1] without an allowlist', async () => {
    const error = await refusal(guarded([])('http://[::1]:9/'));
    expect(error.message).toBe("::1 is a loopback address; add it to the tenant's network allowlist to allow it");
    expect(connects).toEqual([]);
  });

  it('allows localhost by name when the allowlist names it (the demo setting)', async () => {
    const server = await startServer(hello);
    const lookup = fakeLookup({ localhost: ['127.0.0.1'] });
    const url = `http://localhost:${server.port}/`;

    const refused = await refusal(guarded([], { lookup })(url));
    expect(refused.message).toBe("localhost resolves to 127.0.0.1, a loopback address; add localhost or 127.0.0.1 to the tenant's network allowlist to allow it");

    const response = await guarded(['localhost'], { lookup })(url);
    expect(await response.text()).toBe('hello');
    expect(server.requests[0].headers.host).toBe(`localhost:${server.port}`);
  });

  it('refuses a hostname that resolves to a private address without connecting anywhere', async () => {
    const server = await startServer(hello);
    const lookup = fakeLookup({ 'internal.test': ['10.0.0.5'] });
    const error = await refusal(guarded(['127.0.0.1'], { lookup })(`http://internal.test:${server.port}/`));
    expect(error.code).toBe('REFUSED_ADDRESS');
    expect(error.notSent).toBe(true);
    expect(error.message).toContain('internal.test resolves to 10.0.0.5, a private address');
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('internal.test');
    expect(connects).toEqual([]);
    expect(server.connections).toBe(0);
  });

  it('refuses metadata.google.internal (resolved by a fake lookup)', async () => {
    const lookup = fakeLookup({ 'metadata.google.internal': ['169.254.169.254'] });
    const error = await refusal(guarded([], { lookup })('http://metadata.google.internal/computeMetadata/v1/'));
    expect(error.message).toContain('169.254.169.254, a cloud metadata address');
    expect(connects).toEqual([]);
  });

  it('refuses a name that resolves to a public and a private address', async () => {
    const lookup = fakeLookup({ 'mixed.test': ['93.184.216.34', '10.0.0.5'] });
    const error = await refusal(guarded([], { lookup })('http://mixed.test/'));
    expect(error.message).toContain('10.0.0.5, a private address');
    expect(connects).toEqual([]);
  });

  it('answers UNAVAILABLE (never sent) when the name does not resolve', async () => {
    const error = await refusal(guarded([], { lookup: fakeLookup({}) })('http://nowhere.test/'));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.notSent).toBe(true);
    expect(error.message).toBe('Could not resolve nowhere.test: ENOTFOUND');
  });

  it.each(['ftp://127.0.0.1/', 'file:///etc/passwd', 'http://user:hunter2@127.0.0.1/'])('refuses %s', async (url) => {
    const error = await refusal(guarded(['127.0.0.1'])(url));
    expect(error.code).toBe('REFUSED_ADDRESS');
    expect(error.message).not.toContain('hunter2');
    expect(connects).toEqual([]);
  });

  it('answers UNAVAILABLE (never sent) when nothing listens', async () => {
    const server = await startServer(hello);
    const { origin } = server;
    await server.close();
    const error = await refusal(guarded(['127.0.0.1'])(`${origin}/`));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.notSent).toBe(true);
  });
});

describe('createGuardedFetch: DNS pinning', () => {
  it('resolves once and connects to the checked address, with the hostname as Host', async () => {
    const server = await startServer(hello);
    // Rebinding: the second answer is a private address. `.test` never resolves in real DNS, so a
    // connection that asked DNS itself would fail; one that asked the fake again would get 10.0.0.5.
    const lookup = fakeLookup({ 'pinned.test': [['127.0.0.1'], ['10.0.0.5']] });
    const f = guarded(['pinned.test'], { lookup });

    const response = await f(`http://pinned.test:${server.port}/x`);
    expect(await response.text()).toBe('hello');
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(server.requests[0].headers.host).toBe(`pinned.test:${server.port}`);
    expect(connects).toEqual([{ host: 'pinned.test', port: server.port, resolved: ['127.0.0.1'] }]);

    // The next request resolves again (once) and sees the rebinding; allowlisting by name trusts
    // that name's DNS, so use an IP allowlist to show the refusal.
    const strict = guarded(['127.0.0.1'], { lookup });
    const error = await refusal(strict(`http://pinned.test:${server.port}/x`));
    expect(error.message).toContain('pinned.test resolves to 10.0.0.5');
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(connects).toHaveLength(1);
  });

  it('reuses a pooled connection for the same host', async () => {
    const server = await startServer(hello);
    const f = guarded(['127.0.0.1']);
    for (let i = 0; i < 3; i++) expect(await (await f(`${server.origin}/`)).text()).toBe('hello');
    expect(server.connections).toBe(1);
  });
});

describe('createGuardedFetch: redirects', () => {
  it('re-checks each hop: a redirect to the metadata address is refused', async () => {
    const a = await startServer((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
      res.end();
    });
    const lookup = fakeLookup({ 'a.test': ['127.0.0.1'] });
    const error = await refusal(guarded(['a.test'], { lookup })(`http://a.test:${a.port}/start?token=s3cret`));
    expect(error.code).toBe('REFUSED_ADDRESS');
    expect(error.notSent).toBe(false); // a.test did see the request
    expect(error.message).toBe(
      `Redirect from http://a.test:${a.port}/start to http://169.254.169.254/latest/meta-data refused: ` +
        "169.254.169.254 is a cloud metadata address; add it to the tenant's network allowlist to allow it",
    );
    expect(connects.map((c) => c.host)).toEqual(['a.test']);
  });

  it('re-checks the scheme of each hop', async () => {
    const a = await startServer((_req, res) => {
      res.writeHead(301, { location: 'file:///etc/passwd' });
      res.end();
    });
    const error = await refusal(guarded(['127.0.0.1'])(`${a.origin}/`));
    expect(error.code).toBe('REFUSED_ADDRESS');
    expect(error.message).toContain('file: URLs are not allowed');
  });

  it('follows a redirect to another allowlisted server, resolving and pinning each hop once', async () => {
    const b = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('from b');
    });
    const a = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://b.test:${b.port}/final` });
      res.end();
    });
    const lookup = fakeLookup({ 'a.test': ['127.0.0.1'], 'b.test': ['127.0.0.1'] });
    const response = await guarded(['a.test', 'b.test'], { lookup })(`http://a.test:${a.port}/start`, {
      headers: { authorization: 'Bearer upstream-secret', 'x-trace': '1' },
    });
    expect(await response.text()).toBe('from b');
    expect(response.url).toBe(`http://b.test:${b.port}/final`);
    expect(response.redirected).toBe(true);
    expect(lookup.mock.calls).toEqual([['a.test'], ['b.test']]);
    expect(connects.map((c) => [c.host, c.resolved])).toEqual([
      ['a.test', ['127.0.0.1']],
      ['b.test', ['127.0.0.1']],
    ]);
    expect(b.requests[0].headers.host).toBe(`b.test:${b.port}`);
    // Credentials stay with the origin they were meant for.
    expect(a.requests[0].headers.authorization).toBe('Bearer upstream-secret');
    expect(b.requests[0].headers.authorization).toBeUndefined();
    expect(b.requests[0].headers['x-trace']).toBe('1');
  });

  it('stops a redirect loop at maxRedirects with a clear error', async () => {
    const loop = await startServer((_req, res) => {
      res.writeHead(302, { location: '/again' });
      res.end();
    });
    const error = await refusal(guarded(['127.0.0.1'], { maxRedirects: 3 })(`${loop.origin}/start`));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toBe(`Too many redirects: more than 3, starting at ${loop.origin}/start`);
    expect(loop.requests).toHaveLength(4);
  });

  it('follows five redirects by default', async () => {
    const loop = await startServer((_req, res) => {
      res.writeHead(307, { location: '/again' });
      res.end();
    });
    await refusal(guarded(['127.0.0.1'])(`${loop.origin}/`));
    expect(loop.requests).toHaveLength(6);
  });

  it('turns a POST into a GET on 303, and sends the body again on 307', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/see-other') res.writeHead(303, { location: '/landing' }).end();
      else if (req.url === '/temporary') res.writeHead(307, { location: '/landing' }).end();
      else res.writeHead(200).end(`${req.method} ${req.headers['content-type'] ?? '-'}`);
    });
    const f = guarded(['127.0.0.1']);
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };

    expect(await (await f(`${server.origin}/see-other`, post)).text()).toBe('GET -');
    expect(await (await f(`${server.origin}/temporary`, post)).text()).toBe('POST application/json');
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/see-other', '{"a":1}'],
      ['GET', '/landing', ''],
      ['POST', '/temporary', '{"a":1}'],
      ['POST', '/landing', '{"a":1}'],
    ]);
  });

  it("returns the redirect itself with redirect: 'manual' (how the MCP SDK asks)", async () => {
    const server = await startServer((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end());
    const response = await guarded(['127.0.0.1'])(`${server.origin}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://169.254.169.254/');
    expect(response.url).toBe(`${server.origin}/`);
  });

  it("fails on a redirect with redirect: 'error'", async () => {
    const server = await startServer((_req, res) => res.writeHead(302, { location: '/x' }).end());
    const error = await refusal(guarded(['127.0.0.1'])(`${server.origin}/`, { redirect: 'error' }));
    expect(error.code).toBe('UPSTREAM_ERROR');
  });
});

describe('createGuardedFetch: bodies', () => {
  it('passes a streaming SSE response through incrementally', async () => {
    let sendSecond!: () => void;
    const secondAllowed = new Promise<void>((resolve) => (sendSecond = resolve));
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: message\ndata: {"n":1}\n\n');
      // The second event waits for the client to have read the first: a buffering fetch would hang here.
      void secondAllowed.then(() => res.end('event: message\ndata: {"n":2}\n\n'));
    });
    const response = await guarded(['127.0.0.1'])(`${server.origin}/sse`, { headers: { accept: 'text/event-stream' } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toBe('event: message\ndata: {"n":1}\n\n');
    sendSecond();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += chunk.value;
    expect(rest).toBe('event: message\ndata: {"n":2}\n\n');
  });

  it('errors the body with RESPONSE_TOO_LARGE past maxResponseBytes', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024, 'x');
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(chunk)), 1);
      res.on('close', () => clearInterval(timer));
    });
    const response = await guarded(['127.0.0.1'], { maxResponseBytes: 4096 })(`${server.origin}/big`);
    const error = await refusal(response.arrayBuffer());
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
    expect(error.message).toBe(`The response from ${server.origin}/big exceeded 4096 bytes`);
  });

  it('lets a body up to maxResponseBytes through', async () => {
    const server = await startServer((_req, res) => res.writeHead(200).end(Buffer.alloc(4096, 'y')));
    const response = await guarded(['127.0.0.1'], { maxResponseBytes: 4096 })(`${server.origin}/`);
    expect((await response.arrayBuffer()).byteLength).toBe(4096);
  });

  it('decodes a gzip body the caller asked for, counting decoded bytes', async () => {
    const server = await startServer((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('z'.repeat(10000))));
    const f = guarded(['127.0.0.1'], { maxResponseBytes: 20000 });
    expect(await (await f(`${server.origin}/`, { headers: { 'accept-encoding': 'gzip' } })).text()).toBe('z'.repeat(10000));
    const small = guarded(['127.0.0.1'], { maxResponseBytes: 5000 });
    expect((await refusal((await small(`${server.origin}/`)).text())).code).toBe('RESPONSE_TOO_LARGE');
  });

  it('has no body for 204 and HEAD', async () => {
    const server = await startServer((req, res) => res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'content-length': '0' }).end());
    const f = guarded(['127.0.0.1']);
    expect((await f(`${server.origin}/`)).body).toBeNull();
    expect((await f(`${server.origin}/`, { method: 'HEAD' })).body).toBeNull();
  });

  it('accepts a Request as input', async () => {
    const server = await startServer((req, res) => res.writeHead(200).end(`${req.method} ${req.headers['x-a']}`));
    const request = new Request(`${server.origin}/r`, { method: 'PUT', headers: { 'x-a': 'b' }, body: 'data' });
    expect(await (await guarded(['127.0.0.1'])(request)).text()).toBe('PUT b');
    expect(server.requests[0].body).toBe('data');
  });

  it('rejects with the abort reason when the signal aborts mid-stream', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    const controller = new AbortController();
    const response = await guarded(['127.0.0.1'])(`${server.origin}/`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("leaves no listener on the caller's signal once the answer is read (the SDK passes one signal per transport)", async () => {
    const server = await startServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"m":"${req.method}"}`));
    const f = guarded(['127.0.0.1']);
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const response = await f(`${server.origin}/`, { method: 'post', body: '{}', headers: { 'content-type': 'application/json' }, signal: controller.signal });
      expect(await response.json()).toEqual({ m: 'POST' });
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    expect(server.requests[0].headers['content-type']).toBe('application/json');
    expect(server.requests[0].body).toBe('{}');
  });

  it('sends a string body as text/plain and bytes as they are, as fetch does; refuses a body on GET', async () => {
    const server = await startServer((req, res) => res.writeHead(200).end(String(req.headers['content-type'])));
    const f = guarded(['127.0.0.1']);
    expect(await (await f(`${server.origin}/`, { method: 'POST', body: 'x' })).text()).toBe('text/plain;charset=UTF-8');
    expect(await (await f(`${server.origin}/`, { method: 'PUT', body: new TextEncoder().encode('yz') })).text()).toBe('undefined');
    expect(server.requests[1].body).toBe('yz');
    await expect(f(`${server.origin}/`, { method: 'GET', body: 'x' })).rejects.toThrow(TypeError);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const server = await startServer(hello);
    await expect(guarded(['127.0.0.1'])(`${server.origin}/`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.connections).toBe(0);
  });
});

describe('createGuardedFetch with the MCP SDK client', () => {
  function pingServer(): McpServer {
    const server = new McpServer({ name: 'upstream', version: '1.0.0' });
    server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
    return server;
  }

  async function startMcpServer(): Promise<TestServer> {
    return startServer((req, res, seen) => {
      const server = pingServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: false });
      res.on('close', () => void transport.close().then(() => server.close()));
      void server.connect(transport).then(() => transport.handleRequest(req, res, seen.body ? JSON.parse(seen.body) : undefined));
    });
  }

  it('StreamableHTTPClientTransport works through it against an allowlisted upstream', async () => {
    const upstream = await startMcpServer();
    const lookup = fakeLookup({ 'upstream.test': ['127.0.0.1'] });
    const transport = new StreamableHTTPClientTransport(new URL(`http://upstream.test:${upstream.port}/mcp`), {
      fetch: guarded(['upstream.test'], { lookup, maxResponseBytes: 1 << 20 }),
    });
    const client = new Client({ name: 'toolgate', version: '1.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['ping']);
    expect(await client.callTool({ name: 'ping', arguments: {} })).toMatchObject({ content: [{ type: 'text', text: 'pong' }] });
    await client.close();
    expect(upstream.requests.every((r) => r.headers.host === `upstream.test:${upstream.port}`)).toBe(true);
  });

  it('SSEClientTransport (legacy HTTP+SSE) works through it, stream and posts', async () => {
    const sessions = new Map<string, SSEServerTransport>();
    const upstream = await startServer((req, res, seen) => {
      if (req.method === 'GET') {
        const transport = new SSEServerTransport('/messages', res);
        sessions.set(transport.sessionId, transport);
        void pingServer().connect(transport);
        return;
      }
      const id = new URL(req.url!, 'http://x').searchParams.get('sessionId')!;
      void sessions.get(id)!.handlePostMessage(req, res, JSON.parse(seen.body));
    });
    const lookup = fakeLookup({ 'legacy.test': ['127.0.0.1'] });
    const f = guarded(['legacy.test'], { lookup });
    const transport = new SSEClientTransport(new URL(`http://legacy.test:${upstream.port}/sse`), { fetch: f, eventSourceInit: { fetch: f } });
    const client = new Client({ name: 'toolgate', version: '1.0.0' });
    await client.connect(transport);
    expect(await client.callTool({ name: 'ping', arguments: {} })).toMatchObject({ content: [{ type: 'text', text: 'pong' }] });
    await client.close();
    expect(upstream.requests.map((r) => r.method)).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(connects.every((c) => c.host === 'legacy.test' && c.resolved.every((a) => a === '127.0.0.1'))).toBe(true);
  });

  it('the SDK client surfaces the refusal for an upstream that is not allowlisted', async () => {
    const upstream = await startMcpServer();
    const transport = new StreamableHTTPClientTransport(new URL(`${upstream.origin}/mcp`), { fetch: guarded([]) });
    const client = new Client({ name: 'toolgate', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toMatchObject({ code: 'REFUSED_ADDRESS' });
    expect(upstream.connections).toBe(0);
  });
});
