// A fetch for upstream MCP servers and HTTP tools that enforces the SSRF policy (SECURITY 26):
// each hop's host is resolved once, every address is checked, and the connection is pinned to the
// checked addresses (Host and SNI stay the hostname); redirects are followed here, hop by hop.
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import { UpstreamError } from '../upstream/upstream.types';
import { checkDestination, checkUrl } from './address-policy';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Fetch-compatible; `close()` drops its pooled connections (when the source stops). */
export interface GuardedFetch extends FetchLike {
  /**
   * One POST under the same checks and on the same connection pool, without fetch's Request and Response: resolves
   * with the response head (a redirect is not followed; the caller decides). For the hot path of proxied calls
   * (sources/upstream/direct-tool-call.ts).
   */
  post(url: URL, headers: http.OutgoingHttpHeaders, body: Buffer, signal: AbortSignal): Promise<http.IncomingMessage>;
  close(): void;
}

export interface GuardedFetchOptions {
  /** Redirects followed before giving up (5). */
  maxRedirects?: number;
  /** Resolves a hostname to all its addresses; tests pass a fake. Default: the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
  /** Largest (decoded) response body; a longer body errors its stream with RESPONSE_TOO_LARGE. */
  maxResponseBytes?: number;
}

/** Verdicts one guarded fetch remembers (host + addresses); past this the memory starts afresh. */
const MAX_CACHED_VERDICTS = 256;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
/** Request headers a redirect to another origin must not carry (as fetch does). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

async function systemLookup(host: string): Promise<string[]> {
  const results = await dnsLookup(host, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

/** Where a URL points, for messages: no userinfo, query or fragment (they may hold secrets). */
function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** A `lookup` for net/tls that answers only the addresses already checked, so DNS is asked once. */
function pinnedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : undefined;
    const candidates = family ? entries.filter((e) => e.family === family) : entries;
    process.nextTick(() => {
      if (candidates.length === 0) {
        callback(Object.assign(new Error(`${hostname} has no checked IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
      } else if (options.all) {
        callback(null, candidates);
      } else {
        callback(null, candidates[0].address, candidates[0].family);
      }
    });
  };
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

interface Hop {
  url: URL;
  host: string;
  addresses: string[];
}

export function createGuardedFetch(allowlist: readonly string[], options: GuardedFetchOptions = {}): GuardedFetch {
  const maxRedirects = options.maxRedirects ?? 5;
  const lookup = options.lookup ?? systemLookup;
  const { maxResponseBytes } = options;
  // One pool per guarded fetch: a socket checked under one tenant's allowlist is never reused by another.
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

  // The verdict for a host and the exact addresses it resolved to (the allowlist is fixed for this fetch): a
  // keep-alive upstream is checked once, not on every request. Every hop is still resolved and pinned to the
  // addresses it was checked with; new addresses are new keys.
  const verdicts = new Map<string, ReturnType<typeof checkDestination>>();
  function checkCached(host: string, addresses: string[]): ReturnType<typeof checkDestination> {
    const key = `${host}\n${addresses.join('\n')}`;
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = checkDestination(host, addresses, allowlist);
      if (verdicts.size >= MAX_CACHED_VERDICTS) verdicts.clear();
      verdicts.set(key, verdict);
    }
    return verdict;
  }

  /** Checks and resolves one hop; throws REFUSED_ADDRESS before any connection is made. */
  async function resolveHop(url: URL, host: string, notSent: boolean, via?: URL): Promise<Hop> {
    const refuse = (reason: string) =>
      new UpstreamError('REFUSED_ADDRESS', via ? `Redirect from ${describe(via)} to ${describe(url)} refused: ${reason}` : reason, notSent);
    let addresses: string[];
    if (isIP(host)) {
      addresses = [host];
    } else {
      try {
        addresses = await lookup(host);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw Object.assign(new UpstreamError('UNAVAILABLE', `Could not resolve ${host}: ${code}`, notSent), { cause: error });
      }
    }
    const verdict = checkCached(host, addresses);
    if (!verdict.ok) throw refuse(verdict.reason);
    return { url, host, addresses };
  }

  /** Sends one request to the hop's pinned addresses and resolves with the response head. */
  function send(hop: Hop, method: string, outgoing: http.OutgoingHttpHeaders, body: Buffer | null, signal: AbortSignal, notSentBefore: boolean): Promise<http.IncomingMessage> {
    const { url } = hop;
    const isHttps = url.protocol === 'https:';
    delete outgoing.host;
    outgoing.accept ??= '*/*';
    if (body) outgoing['content-length'] = String(body.length);
    else if (method === 'POST' || method === 'PUT') outgoing['content-length'] = '0';

    return new Promise((resolve, reject) => {
      let established = false;
      let settled = false;
      const req = (isHttps ? https : http).request({
        protocol: url.protocol,
        hostname: hop.host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: outgoing,
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: pinnedLookup(hop.addresses),
        signal: signal === NEVER_ABORTED ? undefined : signal,
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) established = true;
        else socket.once(isHttps ? 'secureConnect' : 'connect', () => (established = true));
      });
      req.on('response', (res) => {
        settled = true;
        resolve(res);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return; // after the head, failures surface on the body stream
        settled = true;
        if (signal.aborted) return reject(abortReason(signal));
        const notSent = notSentBefore && !established;
        reject(Object.assign(new UpstreamError('UNAVAILABLE', `Could not reach ${url.origin}: ${error.code ?? error.message}`, notSent), { cause: error }));
      });
      req.end(body ?? undefined);
    });
  }

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // Checked before `new Request`, which would reject credentials with a less useful TypeError.
    const first = checkUrl(input instanceof Request ? input.url : input);
    if (!first.ok) throw new UpstreamError('REFUSED_ADDRESS', first.reason, true);
    const request = await normalizeRequest(input, first.url, init);
    const { signal } = request;
    if (signal.aborted) throw abortReason(signal);
    let method = request.method;
    const { headers } = request;
    let body = request.body;

    let url = first.url;
    let host = first.host;
    let previous: URL | undefined;
    for (let redirects = 0; ; redirects++) {
      const notSent = redirects === 0; // after the first hop, an upstream has seen the request
      const hop = await resolveHop(url, host, notSent, previous);
      if (signal.aborted) throw abortReason(signal);
      const outgoing: http.OutgoingHttpHeaders = {};
      headers.forEach((value, name) => (outgoing[name] = value));
      const res = await send(hop, method, outgoing, body, signal, notSent);
      const status = res.statusCode ?? 0;
      const location = REDIRECT_STATUSES.has(status) ? res.headers.location : undefined;
      if (!location || request.redirect === 'manual') {
        return toResponse(res, url, redirects > 0, method, signal, maxResponseBytes);
      }
      res.destroy();
      if (request.redirect === 'error') {
        throw new UpstreamError('UPSTREAM_ERROR', `${describe(url)} answered a redirect and redirects were not allowed for this request`);
      }
      if (redirects >= maxRedirects) {
        throw new UpstreamError('UPSTREAM_ERROR', `Too many redirects: more than ${maxRedirects}, starting at ${describe(first.url)}`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new UpstreamError('MALFORMED_RESPONSE', `${describe(url)} redirected to an invalid URL`);
      }
      const nextCheck = checkUrl(next);
      if (!nextCheck.ok) {
        throw new UpstreamError('REFUSED_ADDRESS', `Redirect from ${describe(url)} refused: ${nextCheck.reason}`);
      }
      // Fetch's redirect rules: 303 (and 301/302 after POST) become a GET without a body.
      if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      previous = url;
      url = next;
      host = nextCheck.host;
    }
  };

  async function post(url: URL, headers: http.OutgoingHttpHeaders, body: Buffer, signal: AbortSignal): Promise<http.IncomingMessage> {
    const first = checkUrl(url);
    if (!first.ok) throw new UpstreamError('REFUSED_ADDRESS', first.reason, true);
    if (signal.aborted) throw abortReason(signal);
    const hop = await resolveHop(first.url, first.host, true);
    if (signal.aborted) throw abortReason(signal);
    return send(hop, 'POST', { ...headers }, body, signal, true);
  }

  return Object.assign(guardedFetch, {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}

interface NormalizedRequest {
  method: string;
  headers: Headers;
  /** Buffered so that a 307/308 can send it again; request bodies (JSON-RPC messages) are small. */
  body: Buffer | null;
  redirect: 'follow' | 'manual' | 'error';
  signal: AbortSignal;
}

/** fetch normalises these method names to upper case (others are sent as given). */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
/** The signal of a request made without one: never aborts. */
const NEVER_ABORTED = new AbortController().signal;

/**
 * Method, headers, body, redirect mode and signal as fetch would take them. The common case (a URL, a string or
 * byte body: what the MCP SDK sends) is read from `init` directly: `new Request(url, { signal })` hangs an abort
 * listener on the caller's signal that only garbage collection takes off again, and the SDK passes one long-lived
 * signal per transport, so every request left a listener on it (thousands, each add scanning the others).
 * Anything else (a Request, a stream, form data…) still goes through `Request`.
 */
async function normalizeRequest(input: string | URL | Request, url: URL, init: RequestInit | undefined): Promise<NormalizedRequest> {
  const rawBody = init?.body;
  const simpleBody = rawBody === undefined || rawBody === null || typeof rawBody === 'string' || rawBody instanceof ArrayBuffer || ArrayBuffer.isView(rawBody);
  if (input instanceof Request || !simpleBody) {
    const request = input instanceof Request ? new Request(input, init) : new Request(url, init);
    return {
      method: request.method,
      headers: new Headers(request.headers),
      body: request.body ? Buffer.from(await request.arrayBuffer()) : null,
      redirect: request.redirect as NormalizedRequest['redirect'],
      signal: request.signal,
    };
  }
  const method = init?.method === undefined ? 'GET' : NORMALIZED_METHODS.has(init.method.toUpperCase()) ? init.method.toUpperCase() : init.method;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method) || method === 'CONNECT' || method === 'TRACE' || method === 'TRACK') {
    throw new TypeError(`'${method}' is not a valid HTTP method.`);
  }
  const headers = new Headers(init?.headers);
  let body: Buffer | null = null;
  if (rawBody !== undefined && rawBody !== null) {
    if (method === 'GET' || method === 'HEAD') throw new TypeError('Request with GET/HEAD method cannot have body.');
    if (typeof rawBody === 'string') {
      body = Buffer.from(rawBody, 'utf8');
      if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    } else if (rawBody instanceof ArrayBuffer) {
      body = Buffer.from(rawBody.slice(0));
    } else {
      const view = rawBody as ArrayBufferView;
      body = Buffer.from(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    }
  }
  const redirect: string = init?.redirect ?? 'follow';
  if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error') throw new TypeError(`'${redirect}' is not a valid redirect mode.`);
  return { method, headers, body, redirect, signal: init?.signal ?? NEVER_ABORTED };
}

function toResponse(
  res: http.IncomingMessage,
  url: URL,
  redirected: boolean,
  method: string,
  signal: AbortSignal,
  maxResponseBytes: number | undefined,
): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  let hasBody = !NULL_BODY_STATUSES.has(status) && method !== 'HEAD';
  let response: Response;
  try {
    for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
    const body = hasBody ? toWebStream(decode(res), url, signal, maxResponseBytes) : null;
    try {
      response = new Response(body, { status, statusText: res.statusMessage, headers });
    } catch {
      response = new Response(body, { status, headers }); // a reason phrase fetch would not accept
    }
  } catch (error) {
    hasBody = false;
    res.destroy();
    throw Object.assign(new UpstreamError('MALFORMED_RESPONSE', `${describe(url)} answered a malformed response (status ${status})`), { cause: error });
  } finally {
    if (!hasBody) res.resume();
  }
  // Response's constructor cannot set these; the MCP SDK reads `url` to resolve relative redirects.
  Object.defineProperties(response, { url: { value: url.href.replace(/#.*$/, '') }, redirected: { value: redirected } });
  return response;
}

/** Undoes a content coding as fetch does (we never ask for one; a caller's Accept-Encoding might). */
export function decode(res: http.IncomingMessage): Readable {
  const coding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  // Sync flush: an SSE event is handed on as soon as it arrives, and a truncated tail is not an error.
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoder =
    coding === 'gzip' || coding === 'x-gzip'
      ? zlib.createGunzip(flush)
      : coding === 'deflate'
        ? zlib.createInflate(flush)
        : coding === 'br'
          ? zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
          : null;
  if (!decoder) return res;
  return pipeline(res, decoder, () => {
    // Errors reach the decoder, which the body stream listens to.
  });
}

/** The body as a web stream, without buffering (SSE passes through), capped at `maxBytes`. */
function toWebStream(source: Readable, url: URL, signal: AbortSignal, maxBytes: number | undefined): ReadableStream<Uint8Array> {
  let received = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: unknown) => {
        if (done) return;
        done = true;
        controller.error(error);
        source.destroy();
      };
      source.on('data', (chunk: Buffer) => {
        if (done) return;
        received += chunk.length;
        if (maxBytes !== undefined && received > maxBytes) {
          return fail(new UpstreamError('RESPONSE_TOO_LARGE', `The response from ${describe(url)} exceeded ${maxBytes} bytes`));
        }
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) source.pause();
      });
      source.once('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      // `done` is checked before an error is made: every body that ends normally still closes, and an Error's stack
      // trace is not free.
      source.once('error', (error: NodeJS.ErrnoException) => {
        if (done) return;
        if (signal.aborted) return fail(abortReason(signal));
        fail(Object.assign(new UpstreamError('UNAVAILABLE', `The response from ${describe(url)} was cut off: ${error.code ?? error.message}`), { cause: error }));
      });
      source.once('close', () => {
        if (done) return;
        if (signal.aborted) return fail(abortReason(signal));
        fail(new UpstreamError('UNAVAILABLE', `The response from ${describe(url)} was cut off`));
      });
      source.pause();
    },
    pull() {
      source.resume();
    },
    cancel() {
      done = true;
      source.destroy();
    },
  });
}
