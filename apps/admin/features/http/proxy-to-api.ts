// Forwards a console request (`/api/*`, `/mcp/*`) to the Toolgate API and streams the answer back.
// The API's address is read on every request, not at build time: `npm start` picks the API's port
// when it runs, and a container points the same build at another host.
import { randomUUID } from 'node:crypto';

const DEFAULT_API_URL = 'http://127.0.0.1:3001';

// Hop-by-hop headers describe one connection, not the message, so a proxy must not pass them on
// (RFC 9110 §7.6.1); fetch refuses several of them outright. `host` is the console's own; fetch
// sets the API's. `expect: 100-continue` is answered by the console's server already, and fetch
// refuses it too.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
const NOT_FORWARDED_TO_API = new Set([...HOP_BY_HOP, 'host', 'expect']);
const NOT_RETURNED_TO_CLIENT = new Set(HOP_BY_HOP);

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/** The API's base URL from `TOOLGATE_API_URL`, without a trailing slash. */
function apiBaseUrl(): string {
  return (process.env.TOOLGATE_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

/** A route handler for every method: the same path and query on the API, the body streamed both ways. */
export async function proxyToApi(request: Request): Promise<Response> {
  const apiUrl = apiBaseUrl();
  // The routes sit under the same prefixes as on the API, so the path maps one to one; taking it
  // from the URL rather than the decoded route params keeps its percent-encoding as sent.
  const { pathname, search } = new URL(request.url);
  const hasBody = !METHODS_WITHOUT_BODY.has(request.method) && request.body !== null;

  // `duplex` is in the Fetch standard (and Node's fetch) but not yet in TypeScript's DOM types.
  const init: RequestInit & { duplex: 'half' } = {
    method: request.method,
    headers: requestHeadersForApi(request),
    body: hasBody ? request.body : undefined,
    // Required to send a stream: the body goes to the API as it arrives, not buffered first.
    duplex: 'half',
    // Redirects are the browser's to follow. (No `cache` option: the routes are force-dynamic, so
    // Next caches nothing, and `no-store` would make fetch add Cache-Control and Pragma headers.)
    redirect: 'manual',
    // A client that goes away (e.g. closes an event stream) ends the API request too.
    signal: request.signal,
  };

  let upstream: Response;
  try {
    upstream = await fetch(`${apiUrl}${pathname}${search}`, init);
  } catch (error) {
    // 499: the client closed the request; there is no one left to answer.
    if (request.signal.aborted) return new Response(null, { status: 499 });
    return apiUnreachable(apiUrl, error);
  }

  return new Response(request.method === 'HEAD' ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeadersForClient(upstream.headers),
  });
}

function requestHeadersForApi(request: Request): Headers {
  const headers = withoutHeaders(request.headers, NOT_FORWARDED_TO_API);
  // Next's server has already filled in x-forwarded-for, -proto and -host from the connection,
  // unless the request carried them (from a proxy in front, or from the client itself: see the
  // README), so they go on as they are. The API trusts them from loopback (`trust proxy`) for its
  // logs, audit events and per-address limits. A route handler cannot see the peer's address, so
  // only -proto and -host have a fallback here.
  const url = new URL(request.url);
  if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', url.protocol.replace(/:$/, ''));
  if (!headers.has('x-forwarded-host')) headers.set('x-forwarded-host', request.headers.get('host') ?? url.host);
  return headers;
}

function responseHeadersForClient(upstreamHeaders: Headers): Headers {
  const headers = withoutHeaders(upstreamHeaders, NOT_RETURNED_TO_CLIENT);
  // fetch has already decoded a compressed body, so its encoding and length no longer apply.
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return headers;
}

/** A copy of `source` without the `dropped` headers and without those its `Connection` header names. */
function withoutHeaders(source: Headers, dropped: ReadonlySet<string>): Headers {
  const alsoDropped = new Set(
    (source.get('connection') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const headers = new Headers();
  source.forEach((value, name) => {
    // Set-Cookie cannot be folded into one value; it is copied cookie by cookie below.
    if (name === 'set-cookie' || dropped.has(name) || alsoDropped.has(name)) return;
    headers.append(name, value);
  });
  for (const cookie of source.getSetCookie()) headers.append('set-cookie', cookie);
  return headers;
}

/** 502 in the API's own error shape, so the console's client shows it like any API error. */
function apiUnreachable(apiUrl: string, error: unknown): Response {
  const requestId = randomUUID();
  console.error(`[proxy] ${requestId}: cannot reach the Toolgate API at ${apiUrl}:`, error);
  return Response.json(
    {
      error: {
        code: 'API_UNREACHABLE',
        message: `The console cannot reach the Toolgate API at ${apiUrl}.`,
        requestId,
      },
    },
    { status: 502, headers: { 'cache-control': 'no-store', 'x-request-id': requestId } },
  );
}
