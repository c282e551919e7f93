// Turns what the SDK transports throw into UpstreamErrors, deciding for each whether the request certainly never
// reached the upstream (notSent: safe to repeat even for a write) and what it says about the upstream's health.
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { BreakerOutcome } from './circuit-breaker';
import { UpstreamError } from './upstream.types';

/** Socket errors raised before a single byte of the request went out. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** An error raised while connecting (spawn, initialize): the call itself was never sent. */
export function connectError(err: unknown, sourceName: string): UpstreamError {
  if (err instanceof UpstreamError) {
    const named = namingSource(err, sourceName);
    return named.notSent ? named : new UpstreamError(named.code, named.message, true, named.retryInMs);
  }
  const refused = refusedAddress(err);
  if (refused) return new UpstreamError('REFUSED_ADDRESS', `source "${sourceName}": ${refused}`, true);
  const status = httpStatus(err);
  if (status === 401 || status === 403) {
    return new UpstreamError('UPSTREAM_ERROR', `source "${sourceName}" refused the gateway's credentials (HTTP ${status})`, true);
  }
  const redirect = redirectRefusal(err, status, sourceName, true);
  if (redirect) return redirect;
  return new UpstreamError('UNAVAILABLE', `cannot connect to source "${sourceName}": ${describe(err)}`, true);
}

/**
 * An error raised by a request on a live connection. A JSON-RPC error the upstream answered is UPSTREAM_ERROR;
 * a connection that could not be opened is notSent; anything else may have reached the upstream.
 */
export function requestError(err: unknown, sourceName: string): UpstreamError {
  if (err instanceof UpstreamError) return namingSource(err, sourceName);
  const refused = refusedAddress(err);
  if (refused) return new UpstreamError('REFUSED_ADDRESS', `source "${sourceName}": ${refused}`, true);
  if (err instanceof McpError) return new UpstreamError('UPSTREAM_ERROR', `source "${sourceName}" answered with an error: ${err.message}`);
  const status = httpStatus(err);
  if (status !== undefined) {
    // The redirecting server saw the request; it is not repeated (UPSTREAM_ERROR is final) whatever it did.
    const redirect = redirectRefusal(err, status, sourceName, false);
    if (redirect) return redirect;
    if (status === -1) return new UpstreamError('MALFORMED_RESPONSE', `source "${sourceName}" sent an unexpected response: ${describe(err)}`);
    // A 4xx refuses the request before running it; a 5xx may come after the tool ran.
    if (status >= 400 && status < 500) return new UpstreamError('UPSTREAM_ERROR', `source "${sourceName}" refused the request (HTTP ${status})`, true);
    return new UpstreamError('UNAVAILABLE', `source "${sourceName}" failed (HTTP ${status})`);
  }
  if (isZodError(err)) return new UpstreamError('MALFORMED_RESPONSE', `source "${sourceName}" sent a malformed message`);
  const code = socketCode(err);
  if (code && NOT_CONNECTED_CODES.has(code)) return new UpstreamError('UNAVAILABLE', `cannot reach source "${sourceName}" (${code})`, true);
  if (err instanceof Error && err.message === 'Not connected') return new UpstreamError('UNAVAILABLE', `source "${sourceName}" is not connected`, true);
  return new UpstreamError('UNAVAILABLE', `source "${sourceName}" failed: ${describe(err)}`);
}

/**
 * The error with the source named in its message, as agents see it. The SSRF-guarded fetch raises errors that know
 * only a URL ("Could not reach http://10.0.0.5: ECONNRESET"); an agent calling a namespaced tool should learn which
 * source failed. Errors that already name it pass unchanged.
 */
export function namingSource(err: UpstreamError, sourceName: string): UpstreamError {
  if (err.message.includes(`"${sourceName}"`) || err.message.includes(`the ${sourceName} process`)) return err;
  const named = new UpstreamError(err.code, `source "${sourceName}": ${err.message}`, err.notSent, err.retryInMs);
  named.cause = err.cause ?? err;
  return named;
}

/** What a failed attempt says about the upstream's health (for its circuit breaker). */
export function breakerOutcome(err: unknown): BreakerOutcome {
  if (!(err instanceof UpstreamError)) return 'failure';
  switch (err.code) {
    case 'UNAVAILABLE':
    case 'TIMEOUT':
    case 'MALFORMED_RESPONSE':
      return 'failure';
    // The upstream answered: it is up, even if the answer was an error or too big.
    case 'UPSTREAM_ERROR':
    case 'RESPONSE_TOO_LARGE':
      return 'success';
    case 'CANCELLED':
    case 'REFUSED_ADDRESS':
    case 'CIRCUIT_OPEN':
      return 'neutral';
  }
}

/** Whether a POST of the SDK's HTTP transports failed with this HTTP status. */
export function isHttpStatus(err: unknown, status: number): boolean {
  return httpStatus(err) === status;
}

/**
 * A redirect the SDK transports did not follow: they follow one only within the URL's origin (so the source's
 * credentials never travel elsewhere), and report any other as an HTTP error naming the target (without userinfo,
 * query or fragment). Each hop they do follow goes through the guarded fetch, which checks it again.
 */
function redirectRefusal(err: unknown, status: number | undefined, sourceName: string, notSent: boolean): UpstreamError | undefined {
  if (status === undefined || status < 300 || status > 399) return undefined;
  const target = err instanceof Error ? /Redirect to (\S+) not followed/.exec(err.message)?.[1] : undefined;
  return new UpstreamError(
    'UPSTREAM_ERROR',
    `source "${sourceName}" redirected the request${target ? ` to ${target}` : ''} (HTTP ${status}); redirects to another origin are not followed`,
    notSent,
  );
}

/**
 * The HTTP status of a failed request: Streamable HTTP throws StreamableHTTPError, legacy SSE an SseError (its stream)
 * or a plain Error naming it (its POSTs).
 */
function httpStatus(err: unknown): number | undefined {
  if (err instanceof StreamableHTTPError) return err.code ?? 0;
  if (err instanceof SseError) return typeof err.code === 'number' && err.code > 0 ? err.code : undefined;
  const match = err instanceof Error ? /^Error POSTing to endpoint \(HTTP (\d{3})\)/.exec(err.message) : null;
  return match ? Number(match[1]) : undefined;
}

function socketCode(err: unknown): string | undefined {
  // undici: TypeError('fetch failed', { cause }) where cause may be an AggregateError of per-address errors.
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && typeof (inner[0] as { code?: unknown })?.code === 'string') return (inner[0] as { code: string }).code;
  }
  return undefined;
}

/** The SSRF guard's refusal (whatever its class), found on the error or its cause. */
function refusedAddress(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'REFUSED_ADDRESS') return (e as Error).message;
  }
  return undefined;
}

function isZodError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ZodError' || err.name === '$ZodError');
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = socketCode(err);
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
