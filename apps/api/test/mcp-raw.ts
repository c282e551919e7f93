// Raw HTTP against the MCP endpoint, for tests that assert exact status codes, headers and bodies:
// fetch for JSON-RPC POSTs, a bounded Server-Sent Events reader, and node:http for headers fetch cannot set (Host).
import http from 'node:http';

export const BOTH = 'application/json, text/event-stream';
export const MODERN = '2026-07-28';

export const META_KEYS = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: any;
}

export interface PostOptions {
  key?: string | null;
  /** Send the key as X-API-Key instead of Authorization: Bearer. */
  keyHeader?: 'bearer' | 'x-api-key';
  headers?: Record<string, string>;
  contentType?: string | null;
  accept?: string | null;
  method?: string;
  timeoutMs?: number;
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function keyHeaders(key: string | null | undefined, kind: PostOptions['keyHeader'] = 'bearer'): Record<string, string> {
  if (!key) return {};
  return kind === 'x-api-key' ? { 'X-API-Key': key } : { Authorization: `Bearer ${key}` };
}

/** One HTTP request to the MCP endpoint; `body` is sent as is when it is a string, else as JSON. */
export async function post(url: string, body: unknown, opts: PostOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...keyHeaders(opts.key, opts.keyHeader) };
  if (opts.contentType !== null) headers['Content-Type'] = opts.contentType ?? 'application/json';
  if (opts.accept !== null) headers.Accept = opts.accept ?? BOTH;
  Object.assign(headers, opts.headers);
  const method = opts.method ?? 'POST';
  const res = await fetch(url, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parse(text) };
}

/** The 2026-07-28 `_meta` envelope. */
export function envelope(version = MODERN, extra: Record<string, unknown> = {}) {
  return {
    [META_KEYS.protocolVersion]: version,
    [META_KEYS.clientCapabilities]: {},
    [META_KEYS.clientInfo]: { name: 'protocol-edges', version: '1.0.0' },
    ...extra,
  };
}

/** A 2026-07-28 request body: params carry the envelope. */
export function modernRequest(id: string | number | undefined, method: string, params: Record<string, unknown> = {}, version = MODERN) {
  return { jsonrpc: '2.0', ...(id !== undefined ? { id } : {}), method, params: { ...params, _meta: envelope(version) } };
}

/** The headers a 2026-07-28 client sends along with that body. */
export function modernHeaders(method: string, name?: string, version = MODERN): Record<string, string> {
  return { 'MCP-Protocol-Version': version, 'Mcp-Method': method, ...(name !== undefined ? { 'Mcp-Name': name } : {}) };
}

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads a text/event-stream response as it comes. Every wait has a deadline; close() cancels the reader
 * (and aborts the request), so no test leaves a stream or a pending read behind.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  /** Every raw line received, comments included. */
  readonly lines: string[] = [];
  private buffer = '';
  private ended = false;
  private readonly listeners = new Set<() => void>();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly pumping: Promise<void>;

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    if (!response.body) throw new Error(`SSE response ${response.status} has no body`);
    this.reader = response.body.getReader();
    this.pumping = this.pump();
  }

  get status(): number {
    return this.response.status;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        this.drain();
        this.notify();
      }
    } catch {
      // Cancelled or the connection dropped: either way the stream is over.
    } finally {
      this.ended = true;
      this.notify();
    }
  }

  private drain(): void {
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buffer);
      if (!m) return;
      const block = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev: SseEvent = { event: 'message', data: '' };
      const data: string[] = [];
      let fields = 0;
      for (const line of block.split(/\r?\n/)) {
        this.lines.push(line);
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        fields++;
        if (field === 'event') ev.event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') ev.id = value;
      }
      if (fields === 0) continue;
      ev.data = data.join('\n');
      this.events.push(ev);
    }
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** The first event (from index `from` on) that matches, waiting at most `timeoutMs`. */
  async waitFor(pred: (e: SseEvent) => boolean, timeoutMs = 2_000, from = 0): Promise<SseEvent> {
    const find = () => this.events.slice(from).find(pred);
    const found = find();
    if (found) return found;
    return new Promise<SseEvent>((resolve, reject) => {
      const check = () => {
        const e = find();
        if (e) return finish(() => resolve(e));
        if (this.ended) return finish(() => reject(new Error(`SSE stream ended without the expected event; got ${JSON.stringify(this.events)}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`No matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`))),
        timeoutMs,
      );
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        fn();
      };
      this.listeners.add(check);
    });
  }

  /** The JSON of the first `message` event whose data matches, waiting at most `timeoutMs`. */
  async waitForMessage(pred: (m: any) => boolean, timeoutMs = 2_000, from = 0): Promise<any> {
    const e = await this.waitFor((ev) => ev.event === 'message' && matches(ev.data, pred), timeoutMs, from);
    return JSON.parse(e.data);
  }

  /** Waits until the server ends the stream, at most `timeoutMs`; true when it did. */
  async waitForEnd(timeoutMs = 2_000): Promise<boolean> {
    if (this.ended) return true;
    return new Promise<boolean>((resolve) => {
      const check = () => {
        if (this.ended) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (v: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(v);
      };
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
    this.abort.abort();
    await this.pumping;
  }
}

function matches(data: string, pred: (m: unknown) => boolean): boolean {
  try {
    return pred(JSON.parse(data));
  } catch {
    return false;
  }
}

/**
 * Opens a request whose answer is an event stream (GET …/sse, a session GET, or a subscriptions/listen POST).
 * Resolves once the response headers arrive; `json` is set instead of `sse` when the server answered otherwise.
 */
export async function openStream(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number },
): Promise<{ status: number; headers: Headers; sse: SseReader | null; text?: string; json?: any }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), init.timeoutMs ?? 5_000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      signal: abort.signal,
    });
  } finally {
    clearTimeout(timer);
  }
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { status: res.status, headers: res.headers, sse: new SseReader(res, abort) };
  }
  const text = await res.text();
  return { status: res.status, headers: res.headers, sse: null, text, json: parse(text) };
}

/** A request through node:http, which (unlike fetch) sends the Host header it is given. */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; json: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? 'POST',
        headers: { ...(opts.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers },
        agent: false,
        timeout: opts.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('rawRequest timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Runs `jobs` with at most `limit` at a time; resolves with every result in order. */
export async function withConcurrency<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/**
 * A tools/call answer in a quota test: 'ok' (a result that is not an error), or the name of the limit that refused
 * it, after checking the refusal's shape (-32029, retryAfterSeconds, "Retry in N s." at the end of the message).
 */
export function quotaOutcome(res: RawResponse): string {
  const json = res.json as { result?: { isError?: boolean }; error?: { code: number; message: string; data: any } } | undefined;
  const error = json?.error;
  if (!error) {
    expect(json?.result?.isError).toBeFalsy();
    return 'ok';
  }
  expect(error.code).toBe(-32029);
  expect(error.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(error.message).toMatch(/Retry in \d+ s\.$/);
  return error.data.limit;
}
