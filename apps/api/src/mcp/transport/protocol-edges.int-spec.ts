// Protocol edges of the MCP endpoint, asserted on the wire with raw HTTP: exact status codes, headers and
// bodies for auth, Host/Origin, media types and sizes, 2025 sessions and their GET stream, 2026-07-28
// stateless requests and subscriptions/listen, the legacy HTTP+SSE transport, and a malformed-request barrage.
// SECURITY.md items 1–3, 9–16 (see /work/shared/SECURITY.md).
import { MAX_BATCH_MESSAGES } from './mcp-http.handler';
import { randomBytes } from 'node:crypto';
import { auth, createGroup, createKey, createTenant, TestTenant } from '../../../test/factories';
import {
  BOTH,
  envelope,
  META_KEYS,
  MODERN,
  modernHeaders,
  modernRequest,
  openStream,
  post,
  rawRequest,
  RawResponse,
  SseReader,
  withConcurrency,
} from '../../../test/mcp-raw';
import { createTestApp, TestApp } from '../../../test/test-app';

const rand = () => randomBytes(4).toString('hex');
const ALLOWED_ORIGIN = 'http://allowed.example';

interface Fixture {
  tenant: TestTenant;
  echo: { id: string; name: string };
  /** A builtin tool other than echo, assigned and unassigned to make the catalog change. */
  other: { id: string; name: string };
  assign(groupId: string, toolId: string): Promise<void>;
  unassign(groupId: string, toolId: string): Promise<void>;
  /** A new group with these tools and one key for it. */
  group(toolIds: string[]): Promise<{ id: string; code: string; key: string; keyId: string }>;
  key(groupId: string): Promise<string>;
}

async function fixture(t: TestApp): Promise<Fixture> {
  const tenant = await createTenant(t);
  const admin = auth(tenant.owner.token, tenant.id);
  const tools = (await t.http().get('/api/v1/tools').set(admin).expect(200)).body.items as { id: string; name: string }[];
  const echo = tools.find((x) => x.name === 'echo')!;
  const other = tools.find((x) => x.name !== 'echo')!;
  expect(echo).toBeDefined();
  expect(other).toBeDefined();
  const assign = async (groupId: string, toolId: string) => {
    await t.http().put(`/api/v1/groups/${groupId}/tools/${toolId}`).set(admin).send({}).expect(200);
  };
  const unassign = async (groupId: string, toolId: string) => {
    await t.http().delete(`/api/v1/groups/${groupId}/tools/${toolId}`).set(admin).expect(204);
  };
  return {
    tenant,
    echo,
    other,
    assign,
    unassign,
    async group(toolIds) {
      const g = await createGroup(t, tenant);
      for (const id of toolIds) await assign(g.id, id);
      const k = await createKey(t, tenant, g.id);
      return { id: g.id, code: g.serverCode, key: k.plaintext, keyId: k.key.id };
    },
    async key(groupId) {
      return (await createKey(t, tenant, groupId)).plaintext;
    },
  };
}

/** A well-formed key that exists nowhere. */
function unknownKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const id = Array.from(randomBytes(12), (b) => alphabet[b & 31]).join('');
  return `tg_${id}_${randomBytes(32).toString('base64url')}`;
}

const req = (id: string | number, method: string, params?: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const note = (method: string, params?: Record<string, unknown>) => ({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
const initParams = (protocolVersion: string) => ({ protocolVersion, capabilities: {}, clientInfo: { name: 'protocol-edges', version: '1.0.0' } });

/** A JSON-RPC error body: one object, `jsonrpc: "2.0"`, the given id, a numeric code and a message. */
function expectRpcError(res: RawResponse, status: number, id: string | number | null = null, code?: number) {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({ status, contentType: expect.stringMatching(/^application\/json/) });
  expect(res.json).toEqual({ jsonrpc: '2.0', id, error: { code: code ?? expect.any(Number), message: expect.any(String), ...(res.json?.error?.data !== undefined ? { data: expect.anything() } : {}) } });
}

/** Headers that may differ between two otherwise identical answers. */
const VOLATILE = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);
const stableHeaders = (h: Headers) => [...h.entries()].filter(([k]) => !VOLATILE.has(k)).sort();

describe('MCP protocol edges (raw HTTP)', () => {
  let t: TestApp;
  let f: Fixture;
  /** Group A: echo. Group B: another tool only (its name must never leak to A's keys). */
  let A: { id: string; code: string; key: string; keyId: string };
  let B: { id: string; code: string; key: string; keyId: string };
  let keyA2: string;
  const mcp = (code: string, path = '') => `${t.url}/mcp/${code}${path}`;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { MCP_ALLOWED_ORIGINS: ALLOWED_ORIGIN, MCP_BODY_LIMIT: '8kb' } });
    f = await fixture(t);
    A = await f.group([f.echo.id]);
    B = await f.group([f.other.id]);
    keyA2 = await f.key(A.id);
  }, 30_000);
  afterAll(() => t?.close());

  /** initialize on a 2025 revision; returns the session id and the raw answer. */
  async function initialize(code: string, key: string, protocolVersion = '2025-11-25') {
    const res = await post(mcp(code), req(0, 'initialize', initParams(protocolVersion)), { key });
    const sessionId = res.headers.get('mcp-session-id');
    return { res, sessionId: sessionId ?? '' };
  }

  // ---- 1. Keys and identity ---------------------------------------------------------------------

  describe('auth (SECURITY 1–3)', () => {
    it('no key → 401 with WWW-Authenticate and a JSON-RPC error body, and exactly one call_logs row "unauthenticated"', async () => {
      const rid = `edge-nokey-${rand()}`;
      const res = await post(mcp(A.code), req(11, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }), { headers: { 'X-Request-Id': rid } });
      expectRpcError(res, 401, 11);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"/);
      const rows = await t.db.query('SELECT outcome, method, tool_name, group_id, api_key_id FROM call_logs WHERE request_id = $1', [rid]);
      expect(rows).toEqual([{ outcome: 'unauthenticated', method: 'tools/call', tool_name: 'echo', group_id: null, api_key_id: null }]);
      // Nothing ran: no other row for this request, and none for group A at all.
      const forA = await t.db.query('SELECT count(*)::int AS n FROM call_logs WHERE group_id = $1', [A.id]);
      expect(forA[0].n).toBe(0);
    });

    it('a malformed key and an unknown well-formed key → the same 401', async () => {
      const body = req('k', 'tools/list');
      const malformed = await post(mcp(A.code), body, { key: 'not-a-key' });
      const unknown = await post(mcp(A.code), body, { key: unknownKey() });
      for (const res of [malformed, unknown]) {
        expectRpcError(res, 401, 'k');
        expect(res.headers.get('www-authenticate')).toBeTruthy();
      }
      expect(unknown.text).toBe(malformed.text);
    });

    it("a valid key of group A on /mcp/B → byte-identical status, headers and body to an unknown key; none of B's tools named", async () => {
      const bodies = [
        req('same-1', 'tools/list'),
        req('same-2', 'initialize', initParams('2025-11-25')),
        modernRequest('same-3', 'tools/call', { name: f.other.name, arguments: {} }),
      ];
      for (const body of bodies) {
        const headers = 'params' in body && (body.params as { _meta?: unknown })._meta ? modernHeaders(body.method, body.method === 'tools/call' ? f.other.name : undefined) : {};
        const wrongGroup = await post(mcp(B.code), body, { key: A.key, headers });
        const unknown = await post(mcp(B.code), body, { key: unknownKey(), headers });
        expect(wrongGroup.status).toBe(401);
        expect(wrongGroup.status).toBe(unknown.status);
        expect(wrongGroup.text).toBe(unknown.text);
        expect(stableHeaders(wrongGroup.headers)).toEqual(stableHeaders(unknown.headers));
        expect(wrongGroup.text).not.toContain(f.other.name);
        expect(wrongGroup.headers.get('mcp-session-id')).toBeNull();
      }
      // Also on the legacy SSE endpoint.
      const sseWrong = await openStream(mcp(B.code, '/sse'), { headers: { Authorization: `Bearer ${A.key}`, Accept: 'text/event-stream' } });
      const sseUnknown = await openStream(mcp(B.code, '/sse'), { headers: { Authorization: `Bearer ${unknownKey()}`, Accept: 'text/event-stream' } });
      expect(sseWrong.sse).toBeNull();
      expect(sseWrong.status).toBe(401);
      expect(sseWrong.text).toBe(sseUnknown.text);
      // Nothing ran in B.
      const forB = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE group_id = $1`, [B.id]);
      expect(forB[0].n).toBe(0);
    });

    it('a key in the query string (?api_key= / ?key=) → 401, and the key appears in no call_logs row', async () => {
      const secret = A.key.split('_').slice(2).join('_');
      const rids: string[] = [];
      for (const param of ['api_key', 'key', 'apiKey', 'access_token']) {
        const rid = `edge-query-${param}-${rand()}`;
        rids.push(rid);
        const res = await post(`${mcp(A.code)}?${param}=${encodeURIComponent(A.key)}`, req(5, 'tools/call', { name: 'echo', arguments: { text: 'q' } }), {
          headers: { 'X-Request-Id': rid },
        });
        expectRpcError(res, 401, 5);
        expect(res.text).not.toContain(secret);
      }
      // Legacy SSE too.
      const sse = await openStream(`${mcp(A.code, '/sse')}?api_key=${encodeURIComponent(A.key)}`, { headers: { Accept: 'text/event-stream' } });
      expect(sse.status).toBe(401);
      const logged = await t.db.query('SELECT count(*)::int AS n FROM call_logs WHERE request_id = ANY($1)', [rids]);
      expect(logged[0].n).toBe(rids.length);
      const leaks = await t.db.query(`SELECT count(*)::int AS n FROM call_logs c WHERE strpos(c::text, $1) > 0 OR strpos(c::text, $2) > 0`, [A.key, secret]);
      expect(leaks[0].n).toBe(0);
    });

    it('X-API-Key works like Authorization: Bearer (2025 session and 2026 stateless)', async () => {
      const init = await post(mcp(A.code), req(0, 'initialize', initParams('2025-11-25')), { key: A.key, keyHeader: 'x-api-key' });
      expect(init.status).toBe(200);
      const sid = init.headers.get('mcp-session-id')!;
      expect(sid).toBeTruthy();
      const list = await post(mcp(A.code), req(1, 'tools/list'), { key: A.key, keyHeader: 'x-api-key', headers: { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' } });
      expect(list.status).toBe(200);
      expect(list.json.result.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);
      const modern = await post(mcp(A.code), modernRequest(2, 'tools/list'), { key: A.key, keyHeader: 'x-api-key', headers: modernHeaders('tools/list') });
      expect(modern.status).toBe(200);
      expect(modern.json.result.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);
      const wrong = await post(mcp(A.code), req(3, 'tools/list'), { key: unknownKey(), keyHeader: 'x-api-key' });
      expectRpcError(wrong, 401, 3);
    });
  });

  // ---- 2. Host and Origin (DNS rebinding) --------------------------------------------------------

  describe('Host and Origin (SECURITY 11)', () => {
    it('Origin not allowed → 403 with a JSON-RPC error, before the key is even looked at', async () => {
      const res = await post(mcp(A.code), modernRequest(1, 'tools/list'), { key: A.key, headers: { ...modernHeaders('tools/list'), Origin: 'http://evil.example' } });
      expectRpcError(res, 403, null);
      expect(res.text).not.toContain('echo');
      const sse = await openStream(mcp(A.code, '/sse'), { headers: { Authorization: `Bearer ${A.key}`, Accept: 'text/event-stream', Origin: 'http://evil.example' } });
      expect(sse.sse).toBeNull();
      expect(sse.status).toBe(403);
      // "null" (sandboxed iframes, file://) is not an allowed origin either.
      const nullOrigin = await post(mcp(A.code), modernRequest(1, 'tools/list'), { key: A.key, headers: { ...modernHeaders('tools/list'), Origin: 'null' } });
      expect(nullOrigin.status).toBe(403);
    });

    it('an allowed Origin (MCP_ALLOWED_ORIGINS) passes', async () => {
      const res = await post(mcp(A.code), modernRequest(1, 'tools/list'), { key: A.key, headers: { ...modernHeaders('tools/list'), Origin: ALLOWED_ORIGIN } });
      expect(res.status).toBe(200);
      expect(res.json.result.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);
    });

    it('Host not allowed → 403 (node:http, since fetch will not send a chosen Host)', async () => {
      const body = JSON.stringify(modernRequest(1, 'tools/list'));
      const headers = { 'Content-Type': 'application/json', Accept: BOTH, Authorization: `Bearer ${A.key}`, ...modernHeaders('tools/list') };
      const evil = await rawRequest(mcp(A.code), { headers: { ...headers, Host: 'evil.example' }, body });
      expect(evil.status).toBe(403);
      expect(evil.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: expect.any(Number), message: expect.any(String) } });
      expect(evil.text).not.toContain('echo');
      const port = new URL(t.url!).port;
      const evilWithPort = await rawRequest(mcp(A.code), { headers: { ...headers, Host: `evil.example:${port}` }, body });
      expect(evilWithPort.status).toBe(403);
      // The same request with an allowed Host is answered: the 403 is the Host, nothing else.
      const fine = await rawRequest(mcp(A.code), { headers: { ...headers, Host: `localhost:${port}` }, body });
      expect(fine.status).toBe(200);
      const sse = await rawRequest(mcp(A.code, '/sse'), { method: 'GET', headers: { Host: 'evil.example', Accept: 'text/event-stream', Authorization: `Bearer ${A.key}` } });
      expect(sse.status).toBe(403);
    });
  });

  // ---- 3. Media types and sizes -----------------------------------------------------------------

  describe('media types, sizes and malformed bodies (SECURITY 12, 15)', () => {
    it('POST whose Accept does not list both application/json and text/event-stream → 406', async () => {
      for (const accept of ['application/json', 'text/event-stream', 'text/html']) {
        const res = await post(mcp(A.code), req(1, 'initialize', initParams('2025-11-25')), { key: A.key, accept });
        expect(res.status).toBe(406);
        expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number), message: expect.any(String) } });
        expect(res.headers.get('mcp-session-id')).toBeNull();
      }
    });

    it('Content-Type text/plain (or none, or a form) → 415', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null]) {
        const res = await post(mcp(A.code), JSON.stringify(req(1, 'tools/list')), { key: A.key, contentType });
        expectRpcError(res, 415, null);
      }
    });

    it('a body over MCP_BODY_LIMIT (8kb, declared length) → 413, and the server answers afterwards', async () => {
      const big = req(1, 'tools/call', { name: 'echo', arguments: { text: 'x'.repeat(20_000) } });
      const res = await post(mcp(A.code), big, { key: A.key, headers: modernHeaders('tools/call', 'echo') });
      expectRpcError(res, 413, null);
      const after = await post(mcp(A.code), modernRequest(2, 'tools/list'), { key: A.key, headers: modernHeaders('tools/list') });
      expect(after.status).toBe(200);
    });

    it('a body just under the limit is read and answered', async () => {
      const body = modernRequest(3, 'tools/call', { name: 'echo', arguments: { text: 'y'.repeat(7_000) } });
      expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(8 * 1024);
      const res = await post(mcp(A.code), body, { key: A.key, headers: modernHeaders('tools/call', 'echo') });
      expect(res.status).toBe(200);
      expect(res.json.result.structuredContent).toEqual({ text: 'y'.repeat(7_000) });
    });

    it('a chunked body over the limit → 413 (not a reset connection), and the server answers afterwards', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(4096));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"'));
          if (sent >= 16) {
            controller.enqueue(new TextEncoder().encode('"}}'));
            controller.close();
            return;
          }
          sent++;
          controller.enqueue(chunk);
        },
      });
      let status: number | string;
      try {
        const res = await fetch(mcp(A.code), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: BOTH, Authorization: `Bearer ${A.key}` },
          body,
          duplex: 'half',
          signal: AbortSignal.timeout(5_000),
        } as RequestInit);
        status = res.status;
        await res.text().catch(() => undefined);
      } catch (err) {
        status = `network error: ${String((err as Error).cause ?? err)}`;
      }
      const after = await post(mcp(A.code), modernRequest(2, 'tools/list'), { key: A.key, headers: modernHeaders('tools/list') });
      expect(after.status).toBe(200);
      expect(status).toBe(413);
    });

    it('malformed JSON → 400 with JSON-RPC -32700 and id null', async () => {
      for (const text of ['{"jsonrpc":"2.0","id":1,"method":', '{not json}', '', '\u0000\u0001']) {
        const res = await post(mcp(A.code), text, { key: A.key });
        expectRpcError(res, 400, null, -32700);
      }
    });

    it('a message that is a number, a string, null, an empty array or an array of garbage, without a session → 4xx JSON-RPC error', async () => {
      for (const value of [42, '"hello"', 'null', 'true', '[]', '[1, "x", null, {}]']) {
        const res = await post(mcp(A.code), String(value), { key: A.key });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: expect.any(Number) } });
      }
      // The same in the 2026 era (the version header makes it stateless).
      for (const value of [42, 'null', '[1, "x"]', '{"jsonrpc":"2.0","id":1}']) {
        const res = await post(mcp(A.code), String(value), { key: A.key, headers: modernHeaders('tools/list') });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
      }
    });

    it('a non-batch invalid message on a valid 2025-11-25 session → 400 with one JSON-RPC error object', async () => {
      const { sessionId } = await initialize(A.code, A.key);
      for (const value of ['42', 'null', '"x"', '{"jsonrpc":"1.0","id":9,"method":"tools/list"}']) {
        const res = await post(mcp(A.code), value, { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' } });
        expect(res.status).toBe(400);
        expect(Array.isArray(res.json)).toBe(false);
        expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
      }
    });

    it('deeply nested JSON → 400, never a 500, and the server still answers', async () => {
      const deep = (n: number) => `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`;
      for (const n of [200, 3_000]) {
        const res = await post(mcp(A.code), deep(n), { key: A.key });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
      }
      const modern = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":${JSON.stringify(envelope())},"x":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}}`;
      const res = await post(mcp(A.code), modern, { key: A.key, headers: modernHeaders('tools/list') });
      expect(res.status).toBe(400);
      const after = await post(mcp(A.code), modernRequest(2, 'tools/list'), { key: A.key, headers: modernHeaders('tools/list') });
      expect(after.status).toBe(200);
    });
  });

  // ---- 4. 2025 sessions ---------------------------------------------------------------------------

  describe('2025 Streamable HTTP sessions (SECURITY 9, 10, 13, 14)', () => {
    it('initialize → 200, Mcp-Session-Id, and the negotiated protocolVersion', async () => {
      const cases: [string, string][] = [
        ['2025-11-25', '2025-11-25'],
        ['2025-06-18', '2025-06-18'],
        ['2025-03-26', '2025-03-26'],
        ['1999-01-01', '2025-11-25'],
      ];
      const ids = new Set<string>();
      for (const [asked, expected] of cases) {
        const { res, sessionId } = await initialize(A.code, A.key, asked);
        expect(res.status).toBe(200);
        expect(sessionId).toMatch(/^[\x21-\x7e]{16,}$/);
        ids.add(sessionId);
        expect(res.json).toEqual({
          jsonrpc: '2.0',
          id: 0,
          result: expect.objectContaining({ protocolVersion: expected, capabilities: expect.objectContaining({ tools: { listChanged: true } }), serverInfo: expect.objectContaining({ name: expect.any(String), version: expect.any(String) }) }),
        });
      }
      expect(ids.size).toBe(cases.length);
    });

    it('a non-initialize request without a session → 400; an unknown session → 404', async () => {
      const none = await post(mcp(A.code), req(7, 'tools/list'), { key: A.key, headers: { 'MCP-Protocol-Version': '2025-11-25' } });
      expectRpcError(none, 400, 7);
      const unknown = await post(mcp(A.code), req(8, 'tools/list'), { key: A.key, headers: { 'Mcp-Session-Id': `nope-${rand()}`, 'MCP-Protocol-Version': '2025-11-25' } });
      expectRpcError(unknown, 404, 8);
      expect(unknown.text).not.toContain('echo');
    });

    it('unsupported MCP-Protocol-Version header → 400', async () => {
      const { sessionId } = await initialize(A.code, A.key);
      const res = await post(mcp(A.code), req(3, 'tools/list'), { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '1999-01-01' } });
      expectRpcError(res, 400, 3);
      expect(res.text).not.toContain('"result"');
      const ok = await post(mcp(A.code), req(4, 'tools/list'), { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' } });
      expect(ok.status).toBe(200);
    });

    it('a notification or a JSON-RPC response POSTed → 202 with an empty body', async () => {
      const { sessionId } = await initialize(A.code, A.key);
      const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' };
      const initialized = await post(mcp(A.code), note('notifications/initialized'), { key: A.key, headers });
      expect(initialized.status).toBe(202);
      expect(initialized.text).toBe('');
      const response = await post(mcp(A.code), { jsonrpc: '2.0', id: 'server-req-1', result: {} }, { key: A.key, headers });
      expect(response.status).toBe(202);
      expect(response.text).toBe('');
      const errorResponse = await post(mcp(A.code), { jsonrpc: '2.0', id: 'server-req-2', error: { code: -1, message: 'no' } }, { key: A.key, headers });
      expect(errorResponse.status).toBe(202);
      expect(errorResponse.text).toBe('');
    });

    it('DELETE with the session → 200; afterwards the session is 404 for POST, GET and DELETE', async () => {
      const { sessionId } = await initialize(A.code, A.key);
      const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' };
      const del = await post(mcp(A.code), undefined, { key: A.key, headers, method: 'DELETE' });
      expect(del.status).toBe(200);
      const again = await post(mcp(A.code), req(1, 'tools/list'), { key: A.key, headers });
      expectRpcError(again, 404, 1);
      const get = await openStream(mcp(A.code), { headers: { ...headers, Accept: 'text/event-stream', Authorization: `Bearer ${A.key}` } });
      expect(get.sse).toBeNull();
      expect(get.status).toBe(404);
      const delAgain = await post(mcp(A.code), undefined, { key: A.key, headers, method: 'DELETE' });
      expect(delAgain.status).toBe(404);
    });

    it('a session of key K1 replayed with key K2 of the same group → 404 and no data; K2 cannot end it; without a key → 401', async () => {
      const { sessionId } = await initialize(A.code, A.key);
      const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' };
      const list = await post(mcp(A.code), req(1, 'tools/list'), { key: keyA2, headers });
      expectRpcError(list, 404, 1);
      expect(list.text).not.toContain('echo');
      const call = await post(mcp(A.code), req(2, 'tools/call', { name: 'echo', arguments: { text: 'leak?' } }), { key: keyA2, headers });
      expectRpcError(call, 404, 2);
      expect(call.text).not.toContain('leak?');
      const get = await openStream(mcp(A.code), { headers: { ...headers, Accept: 'text/event-stream', Authorization: `Bearer ${keyA2}` } });
      expect(get.status).toBe(404);
      expect(get.sse).toBeNull();
      const del = await post(mcp(A.code), undefined, { key: keyA2, headers, method: 'DELETE' });
      expect(del.status).toBe(404);
      // Sessions never authenticate.
      const anonymous = await post(mcp(A.code), req(3, 'tools/list'), { key: null, headers });
      expectRpcError(anonymous, 401, 3);
      // K1's session is intact.
      const own = await post(mcp(A.code), req(4, 'tools/list'), { key: A.key, headers });
      expect(own.status).toBe(200);
      expect(own.json.result.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);
      // No call ran for K2.
      const k2Rows = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE group_id = $1 AND outcome = 'ok' AND arguments::text LIKE '%leak?%'`, [A.id]);
      expect(k2Rows[0].n).toBe(0);
    });

    it("a session of group A replayed with group B's key: on /mcp/B → 404, on /mcp/A → 401; never data", async () => {
      const { sessionId } = await initialize(A.code, A.key);
      const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' };
      const onB = await post(mcp(B.code), req(1, 'tools/list'), { key: B.key, headers });
      expectRpcError(onB, 404, 1);
      expect(onB.text).not.toContain('echo');
      const onA = await post(mcp(A.code), req(2, 'tools/list'), { key: B.key, headers });
      expectRpcError(onA, 401, 2);
      // And A's own key on /mcp/B with A's session: 401 (the key is not B's), not the session.
      const crossed = await post(mcp(B.code), req(3, 'tools/list'), { key: A.key, headers });
      expectRpcError(crossed, 401, 3);
    });

    it('a batch on a 2025-11-25 session → 400', async () => {
      const { sessionId } = await initialize(A.code, A.key, '2025-11-25');
      const batch = [req(1, 'tools/list'), req(2, 'ping')];
      const res = await post(mcp(A.code), batch, { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' } });
      expectRpcError(res, 400, null, -32600);
    });

    it('a batch on a 2025-11-25 session without the MCP-Protocol-Version header → 400 (SECURITY 14)', async () => {
      const { sessionId } = await initialize(A.code, A.key, '2025-11-25');
      const res = await post(mcp(A.code), [req(1, 'tools/list'), req(2, 'ping')], { key: A.key, headers: { 'Mcp-Session-Id': sessionId } });
      expectRpcError(res, 400, null, -32600);
    });

    it('a batch on a 2025-03-26 session → 200 with an array of responses (notifications get none)', async () => {
      const { sessionId, res: init } = await initialize(A.code, A.key, '2025-03-26');
      expect(init.json.result.protocolVersion).toBe('2025-03-26');
      const batch = [req(1, 'tools/list'), req('two', 'ping'), note('notifications/initialized')];
      const res = await post(mcp(A.code), batch, { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-03-26' } });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.json)).toBe(true);
      expect(res.json).toHaveLength(2);
      const byId = Object.fromEntries(res.json.map((r: { id: string | number }) => [String(r.id), r]));
      expect(byId['1']).toEqual({ jsonrpc: '2.0', id: 1, result: expect.objectContaining({ tools: [expect.objectContaining({ name: 'echo' })] }) });
      expect(byId.two).toEqual({ jsonrpc: '2.0', id: 'two', result: {} });
      // A batch of garbage: never a 500, every element answered with a JSON-RPC error.
      const garbage = await post(mcp(A.code), '[1, "x", null, {"jsonrpc":"2.0","id":5}]', { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-03-26' } });
      expect(garbage.status).toBeLessThan(500);
      const answers = Array.isArray(garbage.json) ? garbage.json : [garbage.json];
      for (const a of answers) expect(a).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
      // initialize inside a batch is refused.
      const initInBatch = await post(mcp(A.code), [req(9, 'initialize', initParams('2025-03-26')), req(10, 'ping')], { key: A.key, headers: { 'Mcp-Session-Id': sessionId } });
      expect(initInBatch.status).toBe(400);
      // Every element runs at once, so a batch is bounded: the largest passes, one more is refused whole.
      const pings = (n: number) => Array.from({ length: n }, (_, i) => req(100 + i, 'ping'));
      const largest = await post(mcp(A.code), pings(MAX_BATCH_MESSAGES), { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-03-26' } });
      expect(largest.status).toBe(200);
      expect(largest.json).toHaveLength(MAX_BATCH_MESSAGES);
      const over = await post(mcp(A.code), pings(MAX_BATCH_MESSAGES + 1), { key: A.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-03-26' } });
      expect(over.status).toBe(400);
      expect(over.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/at most 32 messages/) } });
    });

    describe('GET stream', () => {
      let S: { id: string; code: string; key: string };
      let sessionId: string;
      const streams: SseReader[] = [];
      beforeAll(async () => {
        S = await f.group([f.echo.id]);
        sessionId = (await initialize(S.code, S.key)).sessionId;
        const initd = await post(mcp(S.code), note('notifications/initialized'), { key: S.key, headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' } });
        expect(initd.status).toBe(202);
      });
      afterAll(async () => {
        await Promise.all(streams.map((s) => s.close()));
      });
      const open = async (extra: Record<string, string> = {}) => {
        const r = await openStream(mcp(S.code), {
          headers: { Authorization: `Bearer ${S.key}`, Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25', ...extra },
        });
        if (r.sse) streams.push(r.sse);
        return r;
      };

      it('opens an SSE stream; an admin change to the group delivers notifications/tools/list_changed with an id within 2 s; Last-Event-ID replays the later events', async () => {
        const first = await open();
        expect(first.status).toBe(200);
        expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(first.headers.get('cache-control')).toContain('no-cache');
        const sse = first.sse!;

        const t0 = Date.now();
        await f.assign(S.id, f.other.id);
        const e1 = await sse.waitFor((e) => e.event === 'message' && e.data.includes('notifications/tools/list_changed'), 2_000);
        expect(Date.now() - t0).toBeLessThan(2_000 + 500);
        expect(JSON.parse(e1.data)).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
        expect(e1.id).toEqual(expect.any(String));
        expect(e1.id).not.toBe('');

        await f.unassign(S.id, f.other.id);
        const e2 = await sse.waitFor((e) => e.event === 'message' && e.id !== e1.id && e.data.includes('list_changed'), 2_000);
        expect(e2.id).toEqual(expect.any(String));
        expect(e2.id).not.toBe(e1.id);
        await sse.close();

        // A change while no stream is open is kept for the next one.
        await f.assign(S.id, f.other.id);
        await new Promise((r) => setTimeout(r, 100));

        const resumed = await open({ 'Last-Event-ID': e1.id! });
        expect(resumed.status).toBe(200);
        const r = resumed.sse!;
        const replayed2 = await r.waitFor((e) => e.id === e2.id, 2_000);
        expect(JSON.parse(replayed2.data)).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
        const replayed3 = await r.waitFor((e) => e.id !== e2.id && e.data.includes('list_changed'), 2_000);
        expect(replayed3.id).not.toBe(e1.id);
        // Nothing at or before e1 comes back.
        expect(r.events.map((e) => e.id)).not.toContain(e1.id);
        expect(r.events.map((e) => e.id)).toEqual([e2.id, replayed3.id]);
        await r.close();
        await f.unassign(S.id, f.other.id);
      });

      it('GET without a session → 400; with Accept not listing text/event-stream → 406; without a key → 401', async () => {
        const noSession = await openStream(mcp(S.code), { headers: { Authorization: `Bearer ${S.key}`, Accept: 'text/event-stream' } });
        expect(noSession.sse).toBeNull();
        expect(noSession.status).toBe(400);
        expect(noSession.json).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
        const wrongAccept = await openStream(mcp(S.code), { headers: { Authorization: `Bearer ${S.key}`, Accept: 'application/json', 'Mcp-Session-Id': sessionId } });
        expect(wrongAccept.sse).toBeNull();
        expect(wrongAccept.status).toBe(406);
        const noKey = await openStream(mcp(S.code), { headers: { Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId } });
        expect(noKey.sse).toBeNull();
        expect(noKey.status).toBe(401);
        expect(noKey.headers.get('www-authenticate')).toBeTruthy();
      });

      it('PUT and PATCH on the endpoint → 405 with Allow', async () => {
        for (const method of ['PUT', 'PATCH']) {
          const res = await post(mcp(S.code), req(1, 'tools/list'), { key: S.key, method, headers: { 'Mcp-Session-Id': sessionId } });
          expect(res.status).toBe(405);
          expect(res.headers.get('allow')).toMatch(/POST/);
        }
      });

      it('GET and DELETE with an unsupported MCP-Protocol-Version → 400 (SECURITY 13)', async () => {
        const { sessionId: sid } = await initialize(S.code, S.key);
        const headers = { Authorization: `Bearer ${S.key}`, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '1999-01-01' };
        const get = await openStream(mcp(S.code), { headers: { ...headers, Accept: 'text/event-stream' } });
        if (get.sse) streams.push(get.sse);
        expect(get.status).toBe(400);
        expect(get.sse).toBeNull();
        const del = await post(mcp(S.code), undefined, { key: S.key, method: 'DELETE', headers: { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '1999-01-01' } });
        expect(del.status).toBe(400);
      });

      it('DELETE with MCP-Protocol-Version 2026-07-28 → 405 Allow: POST, like GET', async () => {
        const res = await post(mcp(S.code), undefined, { key: S.key, method: 'DELETE', headers: { 'MCP-Protocol-Version': MODERN } });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
      });

      it('GET with MCP-Protocol-Version 2026-07-28 → 405 Allow: POST (no standalone stream in the stateless revision)', async () => {
        const res = await openStream(mcp(S.code), { headers: { Authorization: `Bearer ${S.key}`, Accept: 'text/event-stream', 'MCP-Protocol-Version': MODERN } });
        expect(res.sse).toBeNull();
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
      });
    });
  });

  // ---- 5. 2026-07-28 stateless ----------------------------------------------------------------------

  describe('2026-07-28 stateless', () => {
    const sessionHeaders: (string | null)[] = [];
    const modern = async (id: string | number | undefined, method: string, params: Record<string, unknown> = {}, headers = modernHeaders(method, params.name as string | undefined)) => {
      const res = await post(mcp(A.code), modernRequest(id, method, params), { key: A.key, headers });
      sessionHeaders.push(res.headers.get('mcp-session-id'));
      return res;
    };

    it('server/discover → 200 with supportedVersions, resultType "complete" and serverInfo in _meta', async () => {
      const res = await modern('discover-1', 'server/discover');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        jsonrpc: '2.0',
        id: 'discover-1',
        result: expect.objectContaining({
          resultType: 'complete',
          supportedVersions: expect.arrayContaining([MODERN]),
          capabilities: expect.objectContaining({ tools: expect.objectContaining({ listChanged: true }) }),
          _meta: expect.objectContaining({ 'io.modelcontextprotocol/serverInfo': expect.objectContaining({ name: expect.any(String) }) }),
        }),
      });
    });

    it('tools/list → 200 with resultType, ttlMs and cacheScope', async () => {
      const res = await modern(1, 'tools/list');
      expect(res.status).toBe(200);
      expect(res.json.result).toEqual(
        expect.objectContaining({ resultType: 'complete', ttlMs: expect.any(Number), cacheScope: expect.stringMatching(/^(public|private)$/), tools: [expect.objectContaining({ name: 'echo', inputSchema: expect.objectContaining({ type: 'object' }) })] }),
      );
      expect(Number.isInteger(res.json.result.ttlMs) && res.json.result.ttlMs >= 0).toBe(true);
    });

    it('tools/call with Mcp-Name equal to the tool name → 200 result', async () => {
      const res = await modern(2, 'tools/call', { name: 'echo', arguments: { text: 'modern' } });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ jsonrpc: '2.0', id: 2, result: expect.objectContaining({ resultType: 'complete', structuredContent: { text: 'modern' } }) });
      // A base64-sentinel Mcp-Name is decoded before comparing.
      const b64 = await modern(3, 'tools/call', { name: 'echo', arguments: { text: 'b64' } }, { ...modernHeaders('tools/call'), 'Mcp-Name': `=?base64?${Buffer.from('echo').toString('base64')}?=` });
      expect(b64.status).toBe(200);
    });

    it('Mcp-Method not matching the body → 400 -32020 echoing the id', async () => {
      const res = await modern('mm-1', 'tools/list', {}, modernHeaders('server/discover'));
      expectRpcError(res, 400, 'mm-1', -32020);
      const missing = await modern('mm-2', 'tools/list', {}, { 'MCP-Protocol-Version': MODERN });
      expectRpcError(missing, 400, 'mm-2', -32020);
    });

    it('Mcp-Name not matching (or missing) → 400 -32020', async () => {
      const res = await modern('mn-1', 'tools/call', { name: 'echo', arguments: { text: 'x' } }, modernHeaders('tools/call', 'other_tool'));
      expectRpcError(res, 400, 'mn-1', -32020);
      const missing = await modern('mn-2', 'tools/call', { name: 'echo', arguments: { text: 'x' } }, modernHeaders('tools/call'));
      expectRpcError(missing, 400, 'mn-2', -32020);
      // No call ran for either.
      const rows = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE group_id = $1 AND request_id IS NOT NULL AND arguments::text = '{"text": "x"}'`, [A.id]);
      expect(rows[0].n).toBe(0);
    });

    it('missing MCP-Protocol-Version header (or one not equal to the envelope) → 400 -32020', async () => {
      const res = await modern('pv-1', 'tools/list', {}, { 'Mcp-Method': 'tools/list' });
      expectRpcError(res, 400, 'pv-1', -32020);
      const other = await modern('pv-2', 'tools/list', {}, { 'Mcp-Method': 'tools/list', 'MCP-Protocol-Version': '2025-11-25' });
      expectRpcError(other, 400, 'pv-2', -32020);
    });

    it("envelope version '2099-01-01' → 400 -32022 with data.supported and data.requested", async () => {
      const res = await post(mcp(A.code), modernRequest('v-1', 'tools/list', {}, '2099-01-01'), { key: A.key, headers: modernHeaders('tools/list', undefined, '2099-01-01') });
      sessionHeaders.push(res.headers.get('mcp-session-id'));
      expectRpcError(res, 400, 'v-1', -32022);
      expect(res.json.error.data).toEqual({ supported: expect.arrayContaining([MODERN]), requested: '2099-01-01' });
      expect(res.json.error.data.supported).not.toContain('2025-11-25');
    });

    it('ping and an enveloped initialize → 404 -32601', async () => {
      const ping = await modern('p-1', 'ping');
      expectRpcError(ping, 404, 'p-1', -32601);
      const init = await modern('i-1', 'initialize', initParams('2025-11-25'));
      expectRpcError(init, 404, 'i-1', -32601);
      const setLevel = await modern('l-1', 'logging/setLevel', { level: 'debug' });
      expectRpcError(setLevel, 404, 'l-1', -32601);
      const unknown = await modern('u-1', 'no/such/method');
      expectRpcError(unknown, 404, 'u-1', -32601);
    });

    it('a notification → 202 with an empty body', async () => {
      const res = await modern(undefined, 'notifications/cancelled', { requestId: 99, reason: 'test' });
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
    });

    it('a batch → 400 -32600', async () => {
      const res = await post(mcp(A.code), [modernRequest(1, 'tools/list'), modernRequest(2, 'tools/list')], { key: A.key, headers: modernHeaders('tools/list') });
      sessionHeaders.push(res.headers.get('mcp-session-id'));
      expectRpcError(res, 400, null, -32600);
    });

    it('no answer in this revision carried an Mcp-Session-Id (every request above)', () => {
      expect(sessionHeaders.length).toBeGreaterThan(10);
      expect(sessionHeaders.filter((h) => h !== null)).toEqual([]);
    });

    describe('subscriptions/listen', () => {
      let L: { id: string; code: string; key: string };
      const streams: SseReader[] = [];
      beforeAll(async () => {
        L = await f.group([f.echo.id]);
      });
      afterAll(async () => {
        await Promise.all(streams.map((s) => s.close()));
      });
      const listen = async (id: string, notifications: Record<string, unknown>) => {
        const r = await openStream(mcp(L.code), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: BOTH, Authorization: `Bearer ${L.key}`, ...modernHeaders('subscriptions/listen') },
          body: modernRequest(id, 'subscriptions/listen', { notifications }),
        });
        if (r.sse) streams.push(r.sse);
        return r;
      };

      it('opens an SSE stream that first acknowledges, then delivers tools/list_changed with the subscription id; no event ids', async () => {
        const wanted = await listen('listen-1', { toolsListChanged: true });
        const unwanted = await listen('listen-2', {});
        for (const r of [wanted, unwanted]) {
          expect(r.status).toBe(200);
          expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
          expect(r.headers.get('mcp-session-id')).toBeNull();
        }
        const sse = wanted.sse!;
        const ack = await sse.waitFor(() => true, 2_000);
        expect(ack.event).toBe('message');
        expect(JSON.parse(ack.data)).toEqual({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: expect.objectContaining({ _meta: expect.objectContaining({ [META_KEYS.subscriptionId]: 'listen-1' }) }) });
        await unwanted.sse!.waitFor(() => true, 2_000);

        await f.assign(L.id, f.other.id);
        const changed = await sse.waitForMessage((m) => m.method === 'notifications/tools/list_changed', 2_000);
        expect(changed).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { [META_KEYS.subscriptionId]: 'listen-1' } } });
        // The subscription that did not ask for tool changes gets none.
        await new Promise((r) => setTimeout(r, 200));
        expect(unwanted.sse!.events.map((e) => JSON.parse(e.data).method)).toEqual(['notifications/subscriptions/acknowledged']);
        // 2026 streams carry no SSE ids.
        expect([...sse.lines, ...unwanted.sse!.lines].filter((l) => l.startsWith('id:'))).toEqual([]);
        await f.unassign(L.id, f.other.id);
      });

      it("another group's change is not delivered", async () => {
        const r = await listen('listen-3', { toolsListChanged: true });
        await r.sse!.waitFor(() => true, 2_000);
        await f.assign(B.id, f.echo.id);
        await f.unassign(B.id, f.echo.id);
        await new Promise((res) => setTimeout(res, 200));
        expect(r.sse!.events).toHaveLength(1);
      });
    });
  });

  // ---- 6. Legacy HTTP+SSE (2024-11-05) ------------------------------------------------------------

  describe('legacy HTTP+SSE (2024-11-05)', () => {
    let sse: SseReader | null = null;
    afterAll(async () => {
      await sse?.close();
    });

    it('GET …/sse → endpoint event; POSTs to it → 202 "Accepted" with responses as `event: message` on the stream; unknown session or another key → 404', async () => {
      const opened = await openStream(mcp(A.code, '/sse'), { headers: { Authorization: `Bearer ${A.key}`, Accept: 'text/event-stream' } });
      expect(opened.status).toBe(200);
      expect(opened.headers.get('content-type')).toMatch(/^text\/event-stream/);
      sse = opened.sse!;
      const endpoint = await sse.waitFor((e) => e.event === 'endpoint', 2_000);
      const escaped = A.code.replace(/[-]/g, '\\-');
      expect(endpoint.data).toMatch(new RegExp(`^/mcp/${escaped}/messages\\?sessionId=[A-Za-z0-9_-]+$`));
      const messages = `${t.url}${endpoint.data}`;
      const plain = { key: A.key, accept: null } as const;

      const init = await post(messages, req(0, 'initialize', initParams('2025-11-25')), plain);
      expect(init.status).toBe(202);
      expect(init.text).toBe('Accepted');
      const initResult = await sse.waitForMessage((m) => m.id === 0, 2_000);
      expect(initResult).toEqual({ jsonrpc: '2.0', id: 0, result: expect.objectContaining({ protocolVersion: expect.any(String), serverInfo: expect.any(Object) }) });

      const initialized = await post(messages, note('notifications/initialized'), plain);
      expect(initialized.status).toBe(202);

      const list = await post(messages, req(1, 'tools/list'), plain);
      expect(list.status).toBe(202);
      expect(list.text).toBe('Accepted');
      const listResult = await sse.waitForMessage((m) => m.id === 1, 2_000);
      expect(listResult.result.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);

      const seen = sse.events.length;
      const unknown = await post(`${mcp(A.code, '/messages')}?sessionId=${rand()}${rand()}`, req(2, 'tools/list'), plain);
      expectRpcError(unknown, 404, 2);
      const otherKey = await post(messages, req(3, 'tools/list'), { ...plain, key: keyA2 });
      expectRpcError(otherKey, 404, 3);
      const otherGroup = await post(messages.replace(`/mcp/${A.code}/`, `/mcp/${B.code}/`), req(4, 'tools/list'), { ...plain, key: B.key });
      expectRpcError(otherGroup, 404, 4);
      const noKey = await post(messages, req(5, 'tools/list'), { ...plain, key: null });
      expectRpcError(noKey, 401, 5);
      const noSessionParam = await post(mcp(A.code, '/messages'), req(6, 'tools/list'), plain);
      expectRpcError(noSessionParam, 404, 6);
      // None of those put anything on the stream.
      await new Promise((r) => setTimeout(r, 150));
      expect(sse.events.length).toBe(seen);

      // Once the stream is closed, its endpoint is gone.
      await sse.close();
      sse = null;
      let status = 0;
      for (const deadline = Date.now() + 2_000; Date.now() < deadline; ) {
        status = (await post(messages, req(7, 'tools/list'), plain)).status;
        if (status === 404) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(404);
    });

    it('a legacy SSE session id is not a Streamable HTTP session: POST, GET and DELETE with it as Mcp-Session-Id → 404', async () => {
      const opened = await openStream(mcp(A.code, '/sse'), { headers: { Authorization: `Bearer ${A.key}`, Accept: 'text/event-stream' } });
      const legacy = opened.sse!;
      const extra: SseReader[] = [legacy];
      try {
        const endpoint = await legacy.waitFor((e) => e.event === 'endpoint', 2_000);
        const legacyId = new URL(endpoint.data, t.url).searchParams.get('sessionId')!;
        const headers = { 'Mcp-Session-Id': legacyId, 'MCP-Protocol-Version': '2025-11-25' };
        const list = await post(mcp(A.code), req(1, 'tools/list'), { key: A.key, headers });
        expect(list.status).toBe(404);
        const get = await openStream(mcp(A.code), { headers: { ...headers, Authorization: `Bearer ${A.key}`, Accept: 'text/event-stream' } });
        if (get.sse) extra.push(get.sse);
        expect(get.status).toBe(404);
        const del = await post(mcp(A.code), undefined, { key: A.key, headers, method: 'DELETE' });
        expect(del.status).toBe(404);
        // The legacy session still works.
        const still = await post(`${t.url}${endpoint.data}`, req(2, 'tools/list'), { key: A.key, accept: null });
        expect(still.status).toBe(202);
      } finally {
        await Promise.all(extra.map((x) => x.close()));
      }
    });
  });
});

// ---- 7. Robustness: a barrage of malformed requests -----------------------------------------------

describe('MCP robustness under malformed requests (SECURITY 15)', () => {
  let t: TestApp;
  let G: { id: string; code: string; key: string };
  let session1125: string;
  let session0326: string;
  const mcp = (path = '') => `${t.url}/mcp/${G.code}${path}`;

  beforeAll(async () => {
    // The default 1mb limit, so ~500 KB strings are parsed rather than refused.
    // This suite measures robustness and memory, not database latency: on a loaded CI machine a key lookup can
    // exceed the 2 s production threshold and be answered 503 (database "unreachable"), which is right in
    // production but not what is under test here.
    t = await createTestApp({ listen: true, env: { MCP_AUTH_LOOKUP_TIMEOUT_MS: '30000' } });
    const f = await fixture(t);
    G = await f.group([f.echo.id]);
    session1125 = (await post(mcp(), req(0, 'initialize', initParams('2025-11-25')), { key: G.key })).headers.get('mcp-session-id')!;
    session0326 = (await post(mcp(), req(0, 'initialize', initParams('2025-03-26')), { key: G.key })).headers.get('mcp-session-id')!;
    expect(session1125 && session0326).toBeTruthy();
  }, 30_000);
  afterAll(() => t?.close());

  const HUGE = 'h'.repeat(500 * 1024);

  /** Request `i` of the barrage: deterministic, cycling through every kind. */
  function malformed(i: number): { kind: string; url: string; init: RequestInit } {
    const key = G.key;
    const base = { 'Content-Type': 'application/json', Accept: BOTH, Authorization: `Bearer ${key}` };
    const s1125 = { ...base, 'Mcp-Session-Id': session1125, 'MCP-Protocol-Version': '2025-11-25' };
    const s0326 = { ...base, 'Mcp-Session-Id': session0326, 'MCP-Protocol-Version': '2025-03-26' };
    const m = (method: string, name?: string) => ({ ...base, ...modernHeaders(method, name) });
    const kinds: [string, string, Record<string, string>, string | undefined, string?][] = [
      ['bad json', mcp(), s1125, `{"jsonrpc":"2.0","id":${i},"method":"tools/list"${'x'.repeat(i % 7)}`],
      ['truncated utf-8', mcp(), s1125, '{"jsonrpc":"2.0","id":1,"method":"\u00e9\ud800"}'],
      ['wrong types', mcp(), s1125, JSON.stringify({ jsonrpc: 2, id: {}, method: 5, params: 'x' })],
      ['params array', mcp(), s1125, JSON.stringify(req(i, 'tools/list', [1, 2] as never))],
      ['id types', mcp(), s1125, `{"jsonrpc":"2.0","id":${['null', '1e400', 'true', '[1]', '{"a":1}'][i % 5]},"method":"tools/list"}`],
      ['huge method', mcp(), s1125, JSON.stringify(req(i, HUGE))],
      ['huge echo argument', mcp(), s1125, JSON.stringify(req(i, 'tools/call', { name: 'echo', arguments: { text: HUGE } }))],
      ['huge tool name', mcp(), s1125, JSON.stringify(req(i, 'tools/call', { name: HUGE, arguments: {} }))],
      ['huge stateless', mcp(), m('tools/call', 'echo'), JSON.stringify(modernRequest(i, 'tools/call', { name: 'echo', arguments: { text: HUGE, extra: HUGE.slice(0, 1000) } }))],
      ['many keys', mcp(), s1125, JSON.stringify(req(i, 'tools/call', { name: 'echo', arguments: Object.fromEntries(Array.from({ length: 20_000 }, (_, k) => [`k${k}`, k])) }))],
      ['unknown method', mcp(), s1125, JSON.stringify(req(i, `no/such/${i}`))],
      ['unknown method stateless', mcp(), m(`x/${i}`), JSON.stringify(modernRequest(i, `x/${i}`))],
      ['tools/call wrong types', mcp(), s1125, JSON.stringify(req(i, 'tools/call', [{ name: 5, arguments: 'str' }, { name: {}, arguments: [1] }, { name: null }, { name: 'echo', arguments: null }, { name: 'echo', arguments: { text: 5 } }][i % 5]))],
      ['stateless tools/call wrong types', mcp(), m('tools/call', '5'), JSON.stringify(modernRequest(i, 'tools/call', { name: 5, arguments: 'x' }))],
      ['bad envelope', mcp(), m('tools/list'), JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list', params: { _meta: { [META_KEYS.protocolVersion]: [MODERN], [META_KEYS.clientCapabilities]: 'x' } } })],
      ['bad envelope 2', mcp(), m('tools/list'), JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list', params: { _meta: { [META_KEYS.protocolVersion]: MODERN, [META_KEYS.clientCapabilities]: null } } })],
      ['cursor garbage', mcp(), s1125, JSON.stringify(req(i, 'tools/list', { cursor: [{}, '!!!', 'LTE', 12, HUGE.slice(0, 10_000)][i % 5] }))],
      ['setLevel garbage', mcp(), s1125, JSON.stringify(req(i, 'logging/setLevel', { level: { a: 1 } }))],
      ['wrong content type', mcp(), { ...s1125, 'Content-Type': ['text/plain', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/json; charset=utf-16'][i % 4] }, JSON.stringify(req(i, 'tools/list'))],
      ['missing session', mcp(), base, JSON.stringify(req(i, 'tools/list'))],
      ['invalid session', mcp(), { ...s1125, 'Mcp-Session-Id': ['x', 'y'.repeat(4000), '../../etc/passwd', '%00', rand()][i % 5] }, JSON.stringify(req(i, 'tools/list'))],
      ['bad version header', mcp(), { ...s1125, 'MCP-Protocol-Version': ['x', '2026-07-28', '', '2024-11-05'][i % 4] }, JSON.stringify(req(i, 'tools/list'))],
      ['garbage batch 03-26', mcp(), s0326, JSON.stringify([1, {}, [], 'x', null, req(i, 'tools/call', { name: null }), req(i + 1, 'ping'), { jsonrpc: '2.0', id: 3, result: 1 }])],
      ['batch 11-25', mcp(), s1125, JSON.stringify([req(i, 'tools/list')])],
      ['deep nesting', mcp(), s1125, `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`],
      ['binary', mcp(), s1125, String.fromCharCode(...Array.from({ length: 256 }, (_, k) => (k * 37 + i) % 256))],
      ['response and odd notifications', mcp(), s1125, JSON.stringify([{ jsonrpc: '2.0', id: i, result: HUGE.slice(0, 1000) }, note('notifications/cancelled', { requestId: { x: 1 } }), note('notifications/cancelled', { requestId: i })][i % 3])],
      ['bad keys', mcp(), { ...base, Authorization: ['Bearer ', `Bearer ${'k'.repeat(6000)}`, 'Basic Zm9vOmJhcg==', `Bearer ${key}x`, 'Bearer tg_aaaaaaaaaaaa_' + 'b'.repeat(43)][i % 5] }, JSON.stringify(req(i, 'tools/list'))],
      ['get invalid session', mcp(), { Accept: 'text/event-stream', Authorization: `Bearer ${key}`, 'Mcp-Session-Id': `bad-${i}`, 'Last-Event-ID': 'x:y:z' }, undefined, 'GET'],
      ['delete invalid session', mcp(), { Authorization: `Bearer ${key}`, 'Mcp-Session-Id': `bad-${i}` }, undefined, 'DELETE'],
      ['legacy messages garbage', `${mcp('/messages')}?sessionId=${['', 'x', 'y'.repeat(3000)][i % 3]}`, { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, ['{bad', '42', JSON.stringify(req(i, 'tools/list'))][i % 3]],
      ['initialize garbage', mcp(), base, JSON.stringify(req(i, 'initialize', { protocolVersion: [5, null, {}, HUGE.slice(0, 5000)][i % 4], clientInfo: 'x', capabilities: [] }))],
    ];
    const [kind, url, headers, body, method] = kinds[i % kinds.length];
    return { kind, url, init: { method: method ?? 'POST', headers, body } };
  }

  /** Sends the barrage with bounded concurrency; returns what came back that should not have. */
  async function barrage(n: number) {
    const results = await withConcurrency(
      Array.from({ length: n }, (_, i) => async () => {
        const { kind, url, init } = malformed(i);
        try {
          const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
          const text = await res.text();
          return { kind, status: res.status, text: text.slice(0, 200) };
        } catch (err) {
          return { kind, status: -1, text: String((err as Error).cause ?? err) };
        }
      }),
      12,
    );
    return results;
  }

  it('300 mixed malformed requests → no 500 and no dropped connection; every 4xx is a JSON-RPC error; a valid tools/list works afterwards', async () => {
    const results = await barrage(300);
    expect(results.filter((r) => r.status >= 500 || r.status < 0)).toEqual([]);
    // Every refusal (4xx with a body) is JSON-RPC shaped.
    for (const r of results.filter((x) => x.status >= 400 && x.text.length > 0 && x.text.length < 200)) {
      expect({ kind: r.kind, body: JSON.parse(r.text) }).toEqual({ kind: r.kind, body: expect.objectContaining({ jsonrpc: '2.0', error: expect.objectContaining({ code: expect.any(Number) }) }) });
    }
    const kinds = new Set(results.map((r) => r.kind));
    expect(kinds.size).toBeGreaterThan(25);
    const list = await post(mcp(), req(1, 'tools/list'), { key: G.key, headers: { 'Mcp-Session-Id': session1125, 'MCP-Protocol-Version': '2025-11-25' } });
    expect(list.status).toBe(200);
    expect(list.json.result.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);
    const modern = await post(mcp(), modernRequest(2, 'tools/list'), { key: G.key, headers: modernHeaders('tools/list') });
    expect(modern.status).toBe(200);
  }, 40_000);

  const gc = (global as { gc?: () => void }).gc;
  (gc ? it : it.skip)(
    gc ? 'heap stays bounded (< 50 MB growth) over 600 more malformed requests' : 'heap stays bounded (< 50 MB growth) — SKIPPED: global.gc is not exposed (run node with --expose-gc)',
    async () => {
      const settle = async () => {
        for (let k = 0; k < 3; k++) {
          gc!();
          await new Promise((r) => setImmediate(r));
        }
        return process.memoryUsage().heapUsed;
      };
      await barrage(60); // warm-up: caches, JIT, pools
      const before = await settle();
      const results = await barrage(600);
      expect(results.filter((r) => r.status >= 500 || r.status < 0)).toEqual([]);
      const after = await settle();
      expect((after - before) / 1024 / 1024).toBeLessThan(50);
    },
    60_000,
  );
});
