// The direct tools/call against a real HTTP server on loopback that answers exactly what each case needs (framing
// edge cases a conforming SDK server never produces). The whole path with real MCP upstreams is in
// upstream-gateway.int-spec.ts and the fault suite.
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { JSONRPCMessage, McpError } from '@modelcontextprotocol/sdk/types.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuardedFetch } from '../network/guarded-fetch';
import { DirectCallSession, directToolCall } from './direct-tool-call';
import { UpstreamError } from './upstream.types';

type Answer = (req: http.IncomingMessage, res: http.ServerResponse, body: { id: string; method: string; params: unknown }) => void;

let server: http.Server;
let base: string;
let answer: Answer;
const requests: { path: string; headers: http.IncomingHttpHeaders; body: { id: string; method: string; params: unknown } }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
});

const fetches: ReturnType<typeof createGuardedFetch>[] = [];
afterEach(() => fetches.splice(0).forEach((f) => f.close()));

function session(path = '/mcp', maxBodyBytes = 64 * 1024) {
  const fetch = createGuardedFetch(['127.0.0.1']);
  fetches.push(fetch);
  const url = new URL(`${base}${path}`);
  const transport = new StreamableHTTPClientTransport(url);
  transport.setProtocolVersion('2025-11-25');
  const forwarded: JSONRPCMessage[] = [];
  transport.onmessage = (m) => forwarded.push(m);
  const notification = jest.fn(async () => undefined);
  const s: DirectCallSession = {
    target: { url, headers: { 'x-source-token': 'sekret' }, post: fetch.post, maxBodyBytes },
    client: { notification } as unknown as Client,
    transport,
  };
  return { s, forwarded, notification };
}

async function until(done: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('not within the time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const call = (s: DirectCallSession, signal = new AbortController().signal) => directToolCall(s, { name: 'echo', arguments: { text: 'hi' } }, signal);
const result = (text: string) => ({ content: [{ type: 'text', text }] });
const json = (res: http.ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

describe('directToolCall', () => {
  it('posts tools/call with the source headers and session protocol, and returns the JSON answer', async () => {
    answer = (_req, res, body) => json(res, 200, { jsonrpc: '2.0', id: body.id, result: result('hi') });
    const { s } = session();
    await expect(call(s)).resolves.toEqual(result('hi'));
    const [sent] = requests;
    expect(sent.body).toMatchObject({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
    expect(typeof sent.body.id).toBe('string');
    expect(sent.headers).toMatchObject({ 'x-source-token': 'sekret', 'mcp-protocol-version': '2025-11-25', accept: 'application/json, text/event-stream', 'content-type': 'application/json' });
  });

  it('hands the other messages of a JSON batch to the SDK client', async () => {
    answer = (_req, res, body) =>
      json(res, 200, [
        { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } },
        { jsonrpc: '2.0', id: body.id, result: result('done') },
      ]);
    const { s, forwarded } = session();
    await expect(call(s)).resolves.toEqual(result('done'));
    expect(forwarded).toEqual([{ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } }]);
  });

  it('reads an SSE answer event by event, whatever the line endings and chunking, forwarding what comes before and after it', async () => {
    answer = (_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const progress = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tg-1', progress: 1, total: 2 } });
      const done = JSON.stringify({ jsonrpc: '2.0', id: body.id, result: result('streamed') });
      // A comment, CRLF endings, an event split mid-line across writes, and a response split over two data lines.
      res.write(': keep-alive\r\n\r\n');
      res.write(`event: message\r\ndata: ${progress.slice(0, 20)}`);
      setTimeout(() => {
        res.write(`${progress.slice(20)}\r\n\r\n`);
        const cut = done.indexOf(',') + 1; // data lines join with a newline: split where JSON allows whitespace
        res.write(`id: 7\ndata: ${done.slice(0, cut)}\ndata: ${done.slice(cut)}\n\n`);
        // What comes after the answer, until the upstream ends the stream, still reaches the client.
        setTimeout(() => res.end('data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"after"}}\n\n'), 20);
      }, 20);
    };
    const { s, forwarded } = session();
    await expect(call(s)).resolves.toEqual(result('streamed'));
    expect(forwarded).toEqual([{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tg-1', progress: 1, total: 2 } }]);
    await until(() => forwarded.length === 2);
    expect(forwarded[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'after' } });
  });

  it('closes a stream the upstream leaves open after the answer', async () => {
    let closed = false;
    answer = (_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: body.id, result: result('done') })}\n\n`);
      res.on('close', () => (closed = true));
    };
    const { s } = session();
    s.target.afterAnswerMs = 50;
    await expect(call(s)).resolves.toEqual(result('done'));
    expect(closed).toBe(false);
    await until(() => closed);
  });

  it('turns a JSON-RPC error into McpError, an HTTP error into StreamableHTTPError with the body', async () => {
    answer = (_req, res, body) => json(res, 200, { jsonrpc: '2.0', id: body.id, error: { code: -32602, message: 'Unknown tool: echo' } });
    const { s } = session();
    const rpc = await call(s).catch((e: unknown) => e);
    expect(rpc).toBeInstanceOf(McpError);
    expect(rpc).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown tool: echo') });

    answer = (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Session not found');
    };
    const http404 = await call(s).catch((e: unknown) => e);
    expect(http404).toBeInstanceOf(StreamableHTTPError);
    expect(http404).toMatchObject({ code: 404, message: expect.stringContaining('Session not found') });
  });

  it('refuses what is not an answer: bad JSON, no response, 202, another content type', async () => {
    const { s } = session();
    const cases: [Answer, RegExp | number][] = [
      [(_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":'), /not JSON/],
      [(_q, res) => json(res, 200, { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } }), /did not hold its JSON-RPC response/],
      [(_q, res, b) => json(res, 200, { jsonrpc: '2.0', id: b.id, result: 'text' }), /malformed message/],
      [(_q, res) => res.writeHead(202).end(), /202 Accepted/],
      [(_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'), -1],
    ];
    for (const [a, expected] of cases) {
      answer = a;
      const err = await call(s).catch((e: unknown) => e);
      if (typeof expected === 'number') expect(err).toMatchObject({ code: expected });
      else {
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({ code: 'MALFORMED_RESPONSE', message: expect.stringMatching(expected) });
      }
    }
  });

  it('stops reading past the size cap, JSON or SSE, at once', async () => {
    const { s } = session('/mcp', 10_000);
    answer = (_req, res, body) => json(res, 200, { jsonrpc: '2.0', id: body.id, result: result('x'.repeat(50_000)) });
    await expect(call(s)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE', message: expect.stringContaining('exceeded 10000 bytes') });
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Never ends on its own: only the cap stops it.
      const timer = setInterval(() => res.write(`data: ${'y'.repeat(2000)}\n`), 1);
      res.on('close', () => clearInterval(timer));
    };
    await expect(call(s)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('fails at once when the stream ends before the answer', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(': nothing to say\n\n');
    };
    const { s } = session();
    await expect(call(s)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('ended before the answer') });
  });

  it('follows a 307 within the origin, and refuses a redirect elsewhere or one that would drop the body', async () => {
    answer = (req, res, body) => {
      if (req.url === '/mcp') {
        res.writeHead(307, { location: '/v2/mcp' });
        return res.end();
      }
      json(res, 200, { jsonrpc: '2.0', id: body.id, result: result(`at ${req.url}`) });
    };
    const { s } = session();
    await expect(call(s)).resolves.toEqual(result('at /v2/mcp'));
    expect(requests.map((r) => r.path)).toEqual(['/mcp', '/v2/mcp']);

    for (const [status, location] of [
      [307, 'http://169.254.169.254/latest?token=1'],
      [302, '/v2/mcp'],
    ] as const) {
      requests.length = 0;
      answer = (_req, res) => {
        res.writeHead(status, { location });
        res.end();
      };
      const err = await call(s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect(err).toMatchObject({ code: status, message: expect.stringMatching(/Redirect to \S+ not followed/) });
      expect((err as Error).message).not.toContain('token=1');
      expect(requests).toHaveLength(1);
    }
  });

  it('on abort: the request is torn down, the promise rejects with the reason, and notifications/cancelled goes upstream', async () => {
    let closed = false;
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': working\n\n');
      res.on('close', () => (closed = true));
    };
    const { s, notification } = session();
    const controller = new AbortController();
    const pending = call(s, controller.signal);
    await new Promise((r) => setTimeout(r, 30));
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    expect(notification).toHaveBeenCalledWith({ method: 'notifications/cancelled', params: { requestId: requests[0].body.id, reason: 'client went away' } });
    await new Promise((r) => setTimeout(r, 30));
    expect(closed).toBe(true);
  });
});
