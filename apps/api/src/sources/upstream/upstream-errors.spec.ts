import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { breakerOutcome, connectError, isHttpStatus, requestError } from './upstream-errors';
import { UpstreamError } from './upstream.types';

const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

describe('requestError', () => {
  it('a refused or unresolvable connection never reached the upstream', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(requestError(fetchFailed(code), 'crm')).toMatchObject({ code: 'UNAVAILABLE', notSent: true });
    }
    const aggregate = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}) });
    expect(requestError(aggregate, 'crm')).toMatchObject({ notSent: true });
  });

  it('a connection lost after sending may have reached it', () => {
    expect(requestError(fetchFailed('UND_ERR_SOCKET'), 'crm')).toMatchObject({ code: 'UNAVAILABLE', notSent: false });
    expect(requestError(fetchFailed('ECONNRESET'), 'crm')).toMatchObject({ code: 'UNAVAILABLE', notSent: false });
  });

  it('a JSON-RPC error the upstream answered is UPSTREAM_ERROR', () => {
    expect(requestError(new McpError(ErrorCode.InvalidParams, 'Tool x not found'), 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', notSent: false });
  });

  it('HTTP statuses: 4xx refused before running, 5xx maybe ran, -1 malformed; legacy SSE too', () => {
    expect(requestError(new StreamableHTTPError(400, 'bad'), 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', notSent: true });
    expect(requestError(new StreamableHTTPError(503, 'down'), 'crm')).toMatchObject({ code: 'UNAVAILABLE', notSent: false });
    expect(requestError(new StreamableHTTPError(-1, 'Unexpected content type: text/html'), 'crm')).toMatchObject({ code: 'MALFORMED_RESPONSE' });
    const sse = new Error('Error POSTing to endpoint (HTTP 404): Session not found');
    expect(isHttpStatus(sse, 404)).toBe(true);
    expect(requestError(sse, 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', notSent: true });
  });

  it('a redirect the SDK did not follow (another origin) is a final UPSTREAM_ERROR naming its target; legacy SSE stream errors carry their status', () => {
    const post = new StreamableHTTPError(307, "Error POSTing to endpoint: Redirect to http://169.254.169.254/latest/ not followed (redirectPolicy: 'same-origin')");
    expect(requestError(post, 'crm')).toMatchObject({
      code: 'UPSTREAM_ERROR',
      notSent: false,
      message: 'source "crm" redirected the request to http://169.254.169.254/latest/ (HTTP 307); redirects to another origin are not followed',
    });
    expect(connectError(post, 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', notSent: true });
    const stream = new SseError(302, 'Redirect to http://10.0.0.5/sse not followed', {} as never);
    expect(connectError(stream, 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('redirected the request to http://10.0.0.5/sse (HTTP 302)') });
    expect(connectError(new SseError(401, 'Non-200 status code (401)', {} as never), 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('credentials') });
    expect(requestError(new SseError(undefined, 'network', {} as never), 'crm')).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it("the SSRF guard's refusal is REFUSED_ADDRESS, on the error or its cause", () => {
    const refusal = Object.assign(new Error('10.0.0.5 is private'), { code: 'REFUSED_ADDRESS' });
    expect(requestError(refusal, 'crm')).toMatchObject({ code: 'REFUSED_ADDRESS', notSent: true, message: 'source "crm": 10.0.0.5 is private' });
    expect(requestError(new TypeError('fetch failed', { cause: refusal }), 'crm')).toMatchObject({ code: 'REFUSED_ADDRESS' });
  });

  it('keeps UpstreamErrors that name the source as they are', () => {
    const err = new UpstreamError('TIMEOUT', 'source "crm" did not answer within 1000 ms');
    expect(requestError(err, 'crm')).toBe(err);
  });

  it("names the source in the guarded fetch's errors, which know only a URL, keeping code, notSent and retryInMs", () => {
    const reset = new UpstreamError('UNAVAILABLE', 'Could not reach http://10.0.0.5: ECONNRESET', false, 250);
    const named = requestError(reset, 'crm');
    expect(named).toMatchObject({ code: 'UNAVAILABLE', notSent: false, retryInMs: 250, message: 'source "crm": Could not reach http://10.0.0.5: ECONNRESET' });
    expect(named.cause).toBe(reset);
    const refused = new UpstreamError('REFUSED_ADDRESS', '10.0.0.5 is a private address', true);
    expect(connectError(refused, 'crm')).toMatchObject({ code: 'REFUSED_ADDRESS', notSent: true, message: 'source "crm": 10.0.0.5 is a private address' });
  });
});

describe('connectError', () => {
  it('anything while connecting is notSent', () => {
    expect(connectError(fetchFailed('ECONNRESET'), 'crm')).toMatchObject({ code: 'UNAVAILABLE', notSent: true, message: expect.stringContaining('cannot connect to source "crm"') });
    expect(connectError(new StreamableHTTPError(401, 'no'), 'crm')).toMatchObject({ code: 'UPSTREAM_ERROR', notSent: true });
    expect(connectError(new UpstreamError('TIMEOUT', 'slow'), 'crm')).toMatchObject({ code: 'TIMEOUT', notSent: true });
  });
});

describe('breakerOutcome', () => {
  it('counts outages, not answers or cancellations', () => {
    expect(breakerOutcome(new UpstreamError('UNAVAILABLE', ''))).toBe('failure');
    expect(breakerOutcome(new UpstreamError('TIMEOUT', ''))).toBe('failure');
    expect(breakerOutcome(new UpstreamError('MALFORMED_RESPONSE', ''))).toBe('failure');
    expect(breakerOutcome(new UpstreamError('UPSTREAM_ERROR', ''))).toBe('success');
    expect(breakerOutcome(new UpstreamError('RESPONSE_TOO_LARGE', ''))).toBe('success');
    expect(breakerOutcome(new UpstreamError('CANCELLED', ''))).toBe('neutral');
    expect(breakerOutcome(new Error('bug'))).toBe('failure');
  });
});
