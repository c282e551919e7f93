import { UpstreamError } from '../upstream/upstream.types';
import { executeHttpTool, type HttpToolContext } from './http-tool-executor';
import type { HttpBinding } from './openapi-tools';

interface Sent {
  url: URL;
  method: string;
  headers: Headers;
  body?: string;
}

/** A fetch that records what it is asked to send and answers with `respond`. */
function fakeFetch(respond: (sent: Sent) => Response | Promise<Response> = () => Response.json({ ok: true })) {
  const sent: Sent[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: Sent = { url: new URL(String(input)), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: init?.body as string | undefined };
    sent.push(request);
    return respond(request);
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const binding = (overrides: Partial<HttpBinding> = {}): HttpBinding => ({
  method: 'GET',
  pathTemplate: '/customers/{customerId}',
  serverUrl: 'https://crm.example.com/api/v1',
  params: [{ name: 'customerId', in: 'path', argName: 'customerId' }],
  hasBody: false,
  bodyContentType: null,
  ...overrides,
});

const context = (fetch: typeof globalThis.fetch, overrides: Partial<HttpToolContext> = {}): HttpToolContext => ({
  fetch,
  headers: { 'X-API-Key': 'sk_live_source_secret' },
  signal: new AbortController().signal,
  maxResponseBytes: 64 * 1024,
  ...overrides,
});

const textOf = (result: { content: { type: string; text?: string }[] }) => result.content.map((c) => c.text ?? '').join('');

async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

describe('executeHttpTool: the request', () => {
  it('encodes path parameters and serializes query styles', async () => {
    const { fetch, sent } = fakeFetch();
    const b = binding({
      params: [
        { name: 'customerId', in: 'path', argName: 'customerId' },
        { name: 'status', in: 'query', argName: 'status' },
        { name: 'expand', in: 'query', argName: 'expand', style: 'form', explode: false },
        { name: 'filter', in: 'query', argName: 'filter', style: 'deepObject', explode: true },
        { name: 'include', in: 'query', argName: 'include', style: 'pipeDelimited' },
        { name: 'where', in: 'query', argName: 'where', json: true },
        { name: 'q', in: 'query', argName: 'q' },
        { name: 'unused', in: 'query', argName: 'unused' },
      ],
    });
    await executeHttpTool(
      b,
      { customerId: 'a b/c?d#e', status: ['lead', 'active'], expand: ['notes', 'tags'], filter: { priority: 'low', owner: 'u 1' }, include: ['x', 'y'], where: { a: 1 }, q: 'é&=' },
      context(fetch),
    );
    expect(sent[0].url.pathname).toBe('/api/v1/customers/a%20b%2Fc%3Fd%23e');
    expect(sent[0].url.search).toBe(
      '?status=lead&status=active&expand=notes,tags&filter[priority]=low&filter[owner]=u%201&include=x|y&where=%7B%22a%22%3A1%7D&q=%C3%A9%26%3D',
    );
  });

  it('refuses path values that would leave the template, without sending anything', async () => {
    const { fetch, sent } = fakeFetch();
    for (const customerId of ['../admin', '..', '.', 'a/../../admin', '..\\admin', '']) {
      const result = await executeHttpTool(binding(), { customerId }, context(fetch));
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^Invalid arguments: "customerId" must not (contain "\." or "\.\." path segments|be empty)\.$/);
    }
    expect(await executeHttpTool(binding(), {}, context(fetch))).toEqual({ isError: true, content: [{ type: 'text', text: 'Invalid arguments: "customerId" is required.' }] });
    expect(sent).toHaveLength(0);
    // Encoded, a dot-dot that is only part of a segment is harmless.
    await executeHttpTool(binding(), { customerId: '..%2Fadmin' }, context(fetch));
    expect(sent[0].url.pathname).toBe('/api/v1/customers/..%252Fadmin');
  });

  it('sends the source headers, declared non-credential header and cookie params, and nothing else', async () => {
    const { fetch, sent } = fakeFetch();
    const b = binding({
      params: [
        { name: 'customerId', in: 'path', argName: 'customerId' },
        { name: 'X-Request-Id', in: 'header', argName: 'X-Request-Id' },
        { name: 'X-Tenant', in: 'header', argName: 'X-Tenant' },
        { name: 'locale', in: 'cookie', argName: 'locale' },
      ],
    });
    await executeHttpTool(
      b,
      { customerId: 'c1', 'X-Request-Id': 'r-1', 'X-Tenant': 'agent-choice', locale: 'fr', Authorization: 'Bearer tg_agent_key', Cookie: 'agent=1' },
      context(fetch, { headers: { 'X-API-Key': 'sk_live_source_secret', 'X-Tenant': 'acme', Cookie: 'sid=source' } }),
    );
    const headers = Object.fromEntries(sent[0].headers);
    expect(headers).toEqual({
      accept: 'application/json, */*;q=0.8',
      cookie: 'sid=source; locale=fr',
      'user-agent': 'Toolgate',
      'x-api-key': 'sk_live_source_secret',
      'x-request-id': 'r-1',
      'x-tenant': 'acme',
    });
  });

  it('refuses header values HTTP cannot carry', async () => {
    const { fetch, sent } = fakeFetch();
    const b = binding({ params: [...binding().params, { name: 'X-Note', in: 'header', argName: 'note' }] });
    expect(textOf(await executeHttpTool(b, { customerId: 'c1', note: 'a\r\nX-Injected: 1' }, context(fetch)))).toBe('Invalid arguments: "note" must not contain line breaks.');
    expect(textOf(await executeHttpTool(b, { customerId: 'c1', note: 'naïve ✓' }, context(fetch)))).toMatch(/only Latin-1 characters/);
    expect(sent).toHaveLength(0);
  });

  it('sends JSON and form bodies with their content type', async () => {
    const { fetch, sent } = fakeFetch();
    await executeHttpTool(binding({ method: 'POST', hasBody: true, bodyContentType: 'application/merge-patch+json' }), { customerId: 'c1', body: { status: 'active' } }, context(fetch));
    expect(sent[0]).toMatchObject({ method: 'POST', body: '{"status":"active"}' });
    expect(sent[0].headers.get('content-type')).toBe('application/merge-patch+json');

    await executeHttpTool(binding({ method: 'POST', hasBody: true, bodyContentType: 'application/x-www-form-urlencoded' }), { customerId: 'c1', body: { a: 'x y', tags: ['1', '2'] } }, context(fetch));
    expect(sent[1].body).toBe('a=x+y&tags=1&tags=2');

    await executeHttpTool(binding({ method: 'POST', hasBody: true, bodyContentType: 'application/json' }), { customerId: 'c1' }, context(fetch));
    expect(sent[2].body).toBeUndefined();
    expect(sent[2].headers.has('content-type')).toBe(false);
  });

  it('adds source query secrets, keeps the server URL query, and uses baseUrl over the document server', async () => {
    const { fetch, sent } = fakeFetch();
    await executeHttpTool(binding({ serverUrl: 'https://api.example.com/v2?version=7' }), { customerId: 'c1' }, context(fetch, { query: { api_key: 'q_secret_value' } }));
    expect(sent[0].url.href).toBe('https://api.example.com/v2/customers/c1?version=7&api_key=q_secret_value');
    await executeHttpTool(binding({ serverUrl: '/api/v1' }), { customerId: 'c1' }, context(fetch, { baseUrl: 'http://10.0.0.5:8080/crm/' }));
    expect(sent[1].url.href).toBe('http://10.0.0.5:8080/crm/customers/c1');
  });

  it('refuses to guess a base URL', async () => {
    const { fetch } = fakeFetch();
    const err = await upstreamError(executeHttpTool(binding({ serverUrl: '/api/v1' }), { customerId: 'c1' }, context(fetch)));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', notSent: true });
    expect(err.message).toMatch(/set "baseUrl"/);
    await expect(executeHttpTool(binding({ serverUrl: 'file:///etc' }), { customerId: 'c1' }, context(fetch))).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });
});

describe('executeHttpTool: redirects', () => {
  it('follows same-origin redirects and refuses to carry credentials to another origin', async () => {
    const { fetch, sent } = fakeFetch(({ url }) => {
      if (url.pathname.endsWith('/old')) return new Response(null, { status: 301, headers: { location: '/api/v1/customers/new' } });
      if (url.pathname.endsWith('/away')) return new Response(null, { status: 302, headers: { location: 'https://evil.example.net/steal' } });
      return Response.json({ id: 'new' });
    });
    const moved = await executeHttpTool(binding(), { customerId: 'old' }, context(fetch));
    expect(moved.structuredContent).toEqual({ id: 'new' });
    expect(sent.map((s) => s.url.pathname)).toEqual(['/api/v1/customers/old', '/api/v1/customers/new']);
    expect(sent[1].headers.get('x-api-key')).toBe('sk_live_source_secret');

    const away = await executeHttpTool(binding(), { customerId: 'away' }, context(fetch));
    expect(away.isError).toBe(true);
    expect(textOf(away)).toMatch(/^HTTP 302: the API redirected to https:\/\/evil.example.net; redirects to another origin are not followed/);
    expect(sent.some((s) => s.url.host === 'evil.example.net')).toBe(false);
  });
});

describe('executeHttpTool: the response', () => {
  const answer = (response: () => Response) => fakeFetch(() => response()).fetch;

  it('returns JSON objects as text and structuredContent, other JSON as text only', async () => {
    const obj = await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => Response.json({ id: 'c1', tags: ['a'] }))));
    expect(obj).toEqual({ content: [{ type: 'text', text: '{"id":"c1","tags":["a"]}' }], structuredContent: { id: 'c1', tags: ['a'] } });
    const list = await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => Response.json([1, 2]))));
    expect(list).toEqual({ content: [{ type: 'text', text: '[1,2]' }] });
    const problem = await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response('{"a":1}', { headers: { 'content-type': 'application/vnd.api+json' } }))));
    expect(problem.structuredContent).toEqual({ a: 1 });
  });

  it('returns text, images, and an empty body clearly; refuses binary', async () => {
    expect(await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response('plain words', { headers: { 'content-type': 'text/plain; charset=utf-8' } }))))).toEqual({
      content: [{ type: 'text', text: 'plain words' }],
    });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]);
    expect(await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response(png, { headers: { 'content-type': 'image/png' } }))))).toEqual({
      content: [{ type: 'image', data: png.toString('base64'), mimeType: 'image/png' }],
    });
    expect(await executeHttpTool(binding({ method: 'DELETE' }), { customerId: 'c1' }, context(answer(() => new Response(null, { status: 204 }))))).toEqual({
      content: [{ type: 'text', text: 'HTTP 204 (empty body)' }],
    });
    const pdf = await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response(Buffer.from('%PDF-1.7\0\0'), { headers: { 'content-type': 'application/pdf' } }))));
    expect(pdf).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'HTTP 200: the API answered with application/pdf (10 bytes), which cannot be passed to an agent; only JSON, text and images can.' }],
    });
  });

  it('throws MALFORMED_RESPONSE for a JSON content type that is not JSON', async () => {
    const err = await upstreamError(executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response('{oops', { headers: { 'content-type': 'application/json' } })))));
    expect(err).toMatchObject({ code: 'MALFORMED_RESPONSE', message: 'GET /customers/{customerId}: the API answered 200 with content that is not valid JSON.' });
  });

  it('answers 4xx and 5xx as isError with the status and a short excerpt', async () => {
    const notFound = await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => Response.json({ message: 'no such customer' }, { status: 404, statusText: 'Not Found' }))));
    expect(notFound).toEqual({ isError: true, content: [{ type: 'text', text: 'HTTP 404 Not Found: {"message":"no such customer"}' }] });
    const long = await executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response(`<html>\n${'x'.repeat(20_000)}`, { status: 502 }))));
    expect(textOf(long)).toMatch(/^HTTP 502: <html> x+…$/);
    expect(textOf(long).length).toBeLessThan(520);
  });

  it('never hands a source secret back to the agent, even when the API echoes it', async () => {
    const echo = fakeFetch(({ headers, url }) =>
      Response.json({ youSent: headers.get('x-api-key'), auth: headers.get('authorization'), query: url.search }, { status: url.pathname.endsWith('bad') ? 400 : 200 }),
    ).fetch;
    const ctx = context(echo, { headers: { 'X-API-Key': 'sk_live_source_secret', Authorization: 'Bearer tok_0123456789' }, query: { api_key: 'q_secret_value' } });
    const ok = await executeHttpTool(binding(), { customerId: 'ok' }, ctx);
    expect(ok.structuredContent).toEqual({ youSent: '[REDACTED]', auth: '[REDACTED]', query: '?api_key=[REDACTED]' });
    expect(textOf(ok)).not.toMatch(/sk_live|tok_0123|q_secret/);
    const bad = await executeHttpTool(binding(), { customerId: 'bad' }, ctx);
    expect(textOf(bad)).not.toMatch(/sk_live|tok_0123|q_secret/);
  });

  it('refuses responses over the cap, whether declared or streamed', async () => {
    const big = 'x'.repeat(70 * 1024);
    const declared = await upstreamError(executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response(big, { headers: { 'content-length': String(big.length) } })))));
    expect(declared).toMatchObject({ code: 'RESPONSE_TOO_LARGE', message: 'GET /customers/{customerId}: the response is larger than 65536 bytes, the source\'s limit.' });
    const stream = new ReadableStream({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('y'.repeat(16 * 1024)));
      },
    });
    const streamed = await upstreamError(executeHttpTool(binding(), { customerId: 'c1' }, context(answer(() => new Response(stream)))));
    expect(streamed.code).toBe('RESPONSE_TOO_LARGE');
  });
});

describe('executeHttpTool: network failures', () => {
  const failing = (cause: unknown) => (async () => {
    throw new TypeError('fetch failed', { cause });
  }) as unknown as typeof fetch;

  it('says whether the request can have reached the API', async () => {
    const refused = await upstreamError(executeHttpTool(binding(), { customerId: 'c1' }, context(failing(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })))));
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', notSent: true, message: 'GET /customers/{customerId}: could not reach crm.example.com (ECONNREFUSED).' });
    const reset = await upstreamError(executeHttpTool(binding(), { customerId: 'c1' }, context(failing(Object.assign(new Error('reset'), { code: 'ECONNRESET' })))));
    expect(reset).toMatchObject({ code: 'UNAVAILABLE', notSent: false });
    const dns = await upstreamError(executeHttpTool(binding(), { customerId: 'c1' }, context(failing(new AggregateError([Object.assign(new Error('x'), { code: 'ENOTFOUND' })])))));
    expect(dns).toMatchObject({ notSent: true });
  });

  it('passes the guard\'s own refusals and cancellations through unchanged', async () => {
    const refusal = new UpstreamError('REFUSED_ADDRESS', 'private address', true);
    await expect(executeHttpTool(binding(), { customerId: 'c1' }, context((async () => Promise.reject(refusal)) as unknown as typeof fetch))).rejects.toBe(refusal);

    const controller = new AbortController();
    const abort = new DOMException('aborted', 'AbortError');
    const cancelled = (async () => {
      controller.abort();
      throw abort;
    }) as unknown as typeof fetch;
    await expect(executeHttpTool(binding(), { customerId: 'c1' }, context(cancelled, { signal: controller.signal }))).rejects.toBe(abort);
  });
});
