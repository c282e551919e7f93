// Bad input at the HTTP edge: always a 4xx in one body shape, never a 500, a stack trace or a file path.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Response } from 'supertest';
import { auth, builtinSourceId, createTenant, TestTenant } from '../../../test/factories';
import { createTestApp, TestApp } from '../../../test/test-app';

/** Every response seen in this file, checked at the end for leaks. */
const seen: { what: string; status: number; text: string }[] = [];

function record(what: string, res: Response): Response {
  seen.push({ what, status: res.status, text: res.text ?? '' });
  return res;
}

/** The one error shape: `{ error: { code, message, requestId } }`, and X-Request-Id the same id. */
function expectError(res: Response, status: number, code?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code: code ?? expect.any(String), message: expect.any(String) } } });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.requestId).toEqual(expect.any(String));
  expect(res.headers['x-request-id']).toBe(res.body.error.requestId);
  expectNoLeak(res.text);
}

function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat [\w.<>]+ \(/); // "at fn (file:line)"
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain('/src/');
  expect(text).not.toContain('node_modules');
  expect(text).not.toMatch(/\.[jt]s:\d+/);
  expect(text).not.toMatch(/QueryFailedError|SyntaxError|TypeError|RangeError/);
}

/** A raw request, for bodies and headers supertest would not send. Reads until the server closes or a whole response arrived. */
function raw(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(data);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      data += chunk;
      const headEnd = data.indexOf('\r\n\r\n');
      const length = /^content-length: *(\d+)/im.exec(data.slice(0, headEnd));
      if (headEnd >= 0 && length && data.length >= headEnd + 4 + Number(length[1])) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
  });
}

describe('HTTP errors at the edge', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    tenant = await createTenant(t);
    port = Number(new URL(t.url!).port);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string) => t.http().post(path).set(auth(tenant.owner.token, tenant.id));

  it('answers malformed JSON with 400 MALFORMED_JSON, before any handler', async () => {
    for (const [path, text] of [
      ['/api/v1/auth/login', '{"email": "a@b.c", '],
      ['/api/v1/groups', '{bad json}'],
      ['/api/v1/no-such-route', "{'single': 'quotes'}"],
    ]) {
      const res = record(`malformed ${path}`, await post(path).set('Content-Type', 'application/json').send(text));
      expectError(res, 400, 'MALFORMED_JSON');
      expect(res.body.error.message).not.toMatch(/Unexpected token|position/);
    }
  });

  it('answers an unknown route with 404 NOT_FOUND, for any method', async () => {
    for (const method of ['get', 'post', 'delete', 'patch'] as const) {
      const res = record(`unknown ${method}`, await t.http()[method]('/api/v1/definitely-not-here').set(auth(tenant.owner.token, tenant.id)));
      expectError(res, 404, 'NOT_FOUND');
    }
    expectError(record('unknown root', await t.http().get('/nope')), 404, 'NOT_FOUND');
  });

  it('answers a non-uuid id in the path with 400', async () => {
    for (const path of ['/api/v1/sources/not-a-uuid', '/api/v1/groups/123', "/api/v1/tools/'%20OR%201=1"]) {
      const res = record(`bad id ${path}`, await t.http().get(path).set(auth(tenant.owner.token, tenant.id)));
      expectError(res, 400);
    }
  });

  it('answers a missing required field with 422 naming it', async () => {
    const res = record('missing field', await post('/api/v1/sources').send({ kind: 'mcp_http', name: 'x', config: {} }));
    expectError(res, 422, 'VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/namespace/);
    const login = record('missing password', await t.http().post('/api/v1/auth/login').send({ email: 'a@example.com' }));
    expectError(login, 422, 'VALIDATION_FAILED');
    expect(login.body.error.message).toMatch(/password/);
  });

  it('answers a wrong type with 422 naming the field', async () => {
    for (const body of [{ name: 123, serverCode: 'abc' }, { name: 'ok', serverCode: ['abc'] }, { name: { $gt: '' }, serverCode: 'abc' }]) {
      const res = record('wrong type', await post('/api/v1/groups').send(body));
      expectError(res, 422, 'VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(typeof body.name === 'string' ? /serverCode/ : /name/);
    }
    const query = record('wrong query type', await t.http().get('/api/v1/call-logs?limit=1&limit=2').set(auth(tenant.owner.token, tenant.id)));
    expectError(query, 422, 'VALIDATION_FAILED');
  });

  it('echoes a plain X-Request-Id and replaces a hostile one', async () => {
    const plain = record('plain id', await t.http().get('/api/v1/nope').set('X-Request-Id', 'req-123.abc:DEF_9'));
    expectError(plain, 404);
    expect(plain.body.error.requestId).toBe('req-123.abc:DEF_9');
    expect((await t.http().get('/healthz').set('X-Request-Id', 'probe-1')).headers['x-request-id']).toBe('probe-1');

    for (const hostile of ['has spaces in it', 'x'.repeat(200), '<script>alert(1)</script>', 'a;b=c', 'tab\there', '']) {
      const res = record('hostile id', await t.http().get('/api/v1/nope').set('X-Request-Id', hostile));
      expectError(res, 404);
      expect(res.body.error.requestId).not.toBe(hostile);
      expect(res.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }

    // A line break in the header cannot split the response: the header is refused or replaced, never echoed.
    const folded = await raw(port, 'GET /api/v1/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: abc\r\n Injected: yes\r\nConnection: close\r\n\r\n');
    expect(folded).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(folded).not.toMatch(/^Injected:/im);
    expect(folded).not.toMatch(/^X-Request-Id: abc/im);
  });

  it('refuses a JSON array body with a 4xx in the error shape', async () => {
    for (const body of ['[]', '[{"email":"a@example.com","password":"x"}]', '"just a string"', '42', 'null']) {
      const res = record(`array ${body}`, await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send(body));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectError(res, res.status);
    }
  });

  it('refuses a deeply nested JSON body (depth 5000 and more) with 422 wherever it is sent, and keeps answering', async () => {
    const objectOf = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const sourceId = await builtinSourceId(t, tenant);
    for (const depth of [5000, 100_000]) {
      const nested = objectOf(depth);
      for (const [path, body] of [
        ['/api/v1/auth/login', nested],
        ['/api/v1/auth/login', '['.repeat(depth) + ']'.repeat(depth)],
        ['/api/v1/groups', nested],
        // Where free-form JSON is accepted, the nesting once reached code that recursed until the stack overflowed.
        ['/api/v1/sources', `{"kind":"mcp_http","name":"deep","namespace":"deep","config":${nested}}`],
        ['/api/v1/tools', `{"sourceId":"${sourceId}","name":"deep_tool","description":"d","inputSchema":${nested}}`],
      ]) {
        const res = record(`deep ${depth} ${path}`, await post(path).set('Content-Type', 'application/json').send(body));
        expectError(res, 422, 'VALIDATION_FAILED');
        expect(res.body.error.message).toMatch(/nested/);
      }
    }
    // Ordinary nesting still works.
    // (Source configs have a schema per kind now; a tool's input schema is still free-form JSON.)
    const fine = record('nested 60', await post('/api/v1/tools').send({ sourceId, name: 'nested_ok', description: 'd', inputSchema: JSON.parse(objectOf(60)) }));
    expect(fine.status).toBe(201);
    expect((await t.http().get('/healthz')).status).toBe(200);
  });

  it('refuses an unsupported charset or encoding with a 4xx, not a 500', async () => {
    const charset = record('charset', await post('/api/v1/groups').set('Content-Type', 'application/json; charset=x-unknown').send('{"name":"a"}'));
    expectError(charset, charset.status);
    expect(charset.status).toBeLessThan(500);
    const encoding = record('encoding', await post('/api/v1/groups').set('Content-Type', 'application/json').set('Content-Encoding', 'x-bogus').send('{"name":"a"}'));
    expectError(encoding, encoding.status);
    expect(encoding.status).toBeLessThan(500);
    const gzip = record('bad gzip', await post('/api/v1/groups').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('not gzip at all'));
    expectError(gzip, gzip.status);
    expect(gzip.status).toBeLessThan(500);
  });

  it('keeps answering after a burst of bad requests', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t
          .http()
          .post('/api/v1/auth/login')
          .set('Content-Type', 'application/json')
          .send(i % 2 ? '{"x":' : '['.repeat(2000)),
      ),
    );
    expect((await t.http().get('/healthz')).status).toBe(200);
    expect((await t.http().get('/readyz')).status).toBe(200);
  });

  it('never answered with a 500, a stack frame or a file path', () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const r of seen) {
      expect({ what: r.what, status: r.status < 500 }).toEqual({ what: r.what, status: true });
      expectNoLeak(r.text);
    }
  });
});

describe('HTTP errors: body size limit', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT: '10kb' }, listen: true });
    port = Number(new URL(t.url!).port);
  });
  afterAll(() => t.close());

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE, before reading it as JSON', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(20 * 1024) });
    const res = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send(big);
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.body.error.message).toMatch(/10kb/);
    // Not even valid JSON: the size is checked first.
    const junk = await t.http().post('/api/v1/groups').set('Content-Type', 'application/json').send('{'.repeat(20 * 1024));
    expectError(junk, 413, 'PAYLOAD_TOO_LARGE');
    // A form body is held to the same limit.
    const form = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/x-www-form-urlencoded').send(`email=a&password=${'x'.repeat(20 * 1024)}`);
    expectError(form, 413, 'PAYLOAD_TOO_LARGE');
    // Just under the limit is read normally: here it reaches validation, which names the unknown field.
    const small = await t.http().post('/api/v1/auth/login').send({ email: 'a@example.com', password: 'x', padding: 'x'.repeat(8 * 1024) });
    expectError(small, 422, 'VALIDATION_FAILED');
    expect(small.body.error.message).toMatch(/padding/);
  });

  it('applies the limit to a chunked body without Content-Length too', async () => {
    const status = await new Promise<{ status: number; body: string; id: string | undefined }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/auth/login', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, id: res.headers['x-request-id'] as string | undefined }));
      });
      req.on('error', reject);
      req.write('{"email":"a@example.com","password":"');
      for (let i = 0; i < 30; i++) req.write('x'.repeat(1024));
      req.end('"}');
    });
    expect(status.status).toBe(413);
    const body = JSON.parse(status.body);
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(status.id).toBe(body.error.requestId);
    expectNoLeak(status.body);
    // A lying Content-Length larger than the limit is refused without waiting for the body.
    const lying = await raw(port, `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n{}`);
    expect(lying).toMatch(/^HTTP\/1\.1 413 /);
    expect(lying).toContain('PAYLOAD_TOO_LARGE');
  });
});
