// Two API replicas (two apps, both listening) on one database and one Redis, as behind a load balancer:
// revocations and tool changes reach the other replica through pub/sub (their caches are set to 60 s here,
// so expiry cannot be what makes it work), a 2025-11-25 session opened on one replica works on the other,
// and Redis cut away (through a TCP proxy) leaves both serving, degraded, until it returns.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { auth, createGroup, createKey, createTenant, TestTenant } from '../../test/factories';
import { sessionClient } from '../../test/mcp-clients';
import { BOTH, modernHeaders, modernRequest, openStream, post, RawResponse } from '../../test/mcp-raw';
import { createTestApp, TestApp } from '../../test/test-app';
import { itWithRedis, redisProxy, redisUrlThrough, testRedisUrl, uniqueRedisPrefix } from '../../test/test-redis';

type Json = Record<string, any>;
const V = '2025-11-25';
const initParams = { protocolVersion: V, capabilities: {}, clientInfo: { name: 'scale-out', version: '1.0.0' } };
const req = (id: number | string, method: string, params?: Json) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });

/** The JSON-RPC answer of a POST, whether it came as JSON or as one SSE event. */
function answer(res: RawResponse): Json | undefined {
  if (res.json !== undefined) return res.json;
  const data = res.text.split('\n').find((l) => l.startsWith('data: '));
  return data ? JSON.parse(data.slice(6)) : undefined;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

/**
 * How long after `started` a request was first *sent* that `check` accepts: the moment the change had taken
 * effect on the replica, whatever the answer's own latency on a busy machine.
 */
async function effectiveAfter(started: number, check: () => Promise<boolean>, giveUpMs = 5000): Promise<number> {
  for (;;) {
    const sentAt = Date.now();
    if (await check()) return sentAt - started;
    if (sentAt - started > giveUpMs) throw new Error(`not within ${giveUpMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('scale-out: two replicas sharing PostgreSQL and Redis', () => {
  const proxy = redisProxy();
  let a: TestApp;
  let b: TestApp;
  let tenant: TestTenant;
  let group: { id: string; serverCode: string };
  let other: { id: string; serverCode: string };
  let echoId: string;
  const owner = () => auth(tenant.owner.token, tenant.id);
  const mcp = (t: TestApp, code = group.serverCode) => `${t.url}/mcp/${code}`;
  const inSession = (sessionId: string) => ({ 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': V });

  beforeAll(async () => {
    if (!testRedisUrl) return;
    const url = await redisUrlThrough(proxy);
    // Caches far longer than the 1 s promise: only the events can make the other replica see a change in time.
    const env = { REDIS_URL: url, REDIS_KEY_PREFIX: uniqueRedisPrefix(), MCP_AUTH_CACHE_MS: '60000' };
    a = await createTestApp({ listen: true, env });
    b = await createTestApp({ listen: true, env, shareDatabaseWith: a });
    tenant = await createTenant(a);
    group = await createGroup(a, tenant);
    other = await createGroup(a, tenant);
    const tools = await a.http().get('/api/v1/tools').set(owner());
    echoId = (tools.body.items as Json[]).find((x) => x.name === 'echo')!.id;
    for (const g of [group, other]) await a.http().put(`/api/v1/groups/${g.id}/tools/${echoId}`).set(owner()).send({}).expect(200);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await proxy.cut();
  });

  const setEcho = (enabled: boolean) => a.http().put(`/api/v1/groups/${group.id}/tools/${echoId}`).set(owner()).send({ enabled }).expect(200);

  async function initialize(t: TestApp, key: string, code = group.serverCode): Promise<string> {
    const res = await post(mcp(t, code), req(0, 'initialize', initParams), { key });
    expect(res.status).toBe(200);
    const sessionId = res.headers.get('mcp-session-id')!;
    expect(sessionId).toBeTruthy();
    expect((await post(mcp(t, code), { jsonrpc: '2.0', method: 'notifications/initialized' }, { key, headers: inSession(sessionId) })).status).toBe(202);
    return sessionId;
  }

  const callEcho = (t: TestApp, key: string, sessionId: string, text: string) =>
    post(mcp(t), req(`c-${text}`, 'tools/call', { name: 'echo', arguments: { text } }), { key, headers: inSession(sessionId) });

  itWithRedis('/readyz on both replicas: redis ok, status ready', async () => {
    for (const t of [a, b]) {
      const res = await t.http().get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', redis: 'ok' } });
    }
  });

  itWithRedis('a key revoked through replica A is refused on replica B within 1 s, though B had it cached (SECURITY 4)', async () => {
    const { plaintext, key } = await createKey(a, tenant, group.id);
    const list = () => post(mcp(b), req(1, 'tools/list'), { key: plaintext, headers: { 'MCP-Protocol-Version': V } });
    const sessionId = await initialize(b, plaintext);
    expect((await callEcho(b, plaintext, sessionId, 'before')).status).toBe(200);
    await a.http().post(`/api/v1/keys/${key.id}/revoke`).set(owner()).send({}).expect(200);
    const revoked = Date.now();
    expect(await effectiveAfter(revoked, async () => (await callEcho(b, plaintext, sessionId, 'after')).status === 401)).toBeLessThan(1000);
    expect((await list()).status).toBe(401);
  });

  itWithRedis('a group disabled through A is refused on B within 1 s', async () => {
    const g = await createGroup(a, tenant);
    await a.http().put(`/api/v1/groups/${g.id}/tools/${echoId}`).set(owner()).send({}).expect(200);
    const { plaintext } = await createKey(a, tenant, g.id);
    const sessionId = await initialize(b, plaintext, g.serverCode);
    const call = () => post(mcp(b, g.serverCode), req(2, 'tools/list'), { key: plaintext, headers: inSession(sessionId) });
    expect((await call()).status).toBe(200);
    await a.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: false }).expect(200);
    expect(await effectiveAfter(Date.now(), async () => (await call()).status === 401)).toBeLessThan(1000);
  });

  itWithRedis("a tool disabled through A leaves B's tools/list within 1 s, and B's session (SDK client, GET stream) gets list_changed", async () => {
    const { plaintext } = await createKey(a, tenant, group.id);
    const { client } = await sessionClient(b.url!, group.serverCode, plaintext);
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['echo']);
      // The SDK opens its GET stream after initialize; wait until B holds it before changing anything.
      await new Promise((r) => setTimeout(r, 200));
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      await setEcho(false);
      await expect(Promise.race([changed.then(() => 'notified'), new Promise((r) => setTimeout(() => r('silent'), 1000))])).resolves.toBe('notified');
      expect((await client.listTools()).tools).toEqual([]);
    } finally {
      await setEcho(true);
      await client.close();
    }
  });

  itWithRedis('2026-07-28: a subscriptions/listen stream on B hears a tool change made through A', async () => {
    const { plaintext } = await createKey(a, tenant, group.id);
    const listen = await openStream(mcp(b), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: BOTH, Authorization: `Bearer ${plaintext}`, ...modernHeaders('subscriptions/listen') },
      body: modernRequest('sub-1', 'subscriptions/listen', { notifications: { toolsListChanged: true } }),
    });
    try {
      expect(listen.status).toBe(200);
      await listen.sse!.waitForMessage((m) => m.method === 'notifications/subscriptions/acknowledged', 1000);
      await setEcho(false);
      const note = await listen.sse!.waitForMessage((m) => m.method === 'notifications/tools/list_changed', 1000);
      expect(note.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('sub-1');
    } finally {
      await setEcho(true);
      await listen.sse?.close();
    }
  });

  itWithRedis('a session initialized on A works on B: tools/call, a GET stream that gets list_changed, DELETE — which ends it on A too', async () => {
    const { plaintext } = await createKey(a, tenant, group.id);
    const sessionId = await initialize(a, plaintext);
    const call = await callEcho(b, plaintext, sessionId, 'hello-from-b');
    expect(call.status).toBe(200);
    expect(answer(call)?.result?.structuredContent).toEqual({ text: 'hello-from-b' });

    const onA = await openStream(mcp(a), { headers: { Authorization: `Bearer ${plaintext}`, Accept: 'text/event-stream', ...inSession(sessionId) }, timeoutMs: 5000 });
    const onB = await openStream(mcp(b), { headers: { Authorization: `Bearer ${plaintext}`, Accept: 'text/event-stream', ...inSession(sessionId) }, timeoutMs: 5000 });
    try {
      expect(onB.status).toBe(200);
      expect(onA.status).toBe(200);
      await setEcho(false);
      await onB.sse!.waitForMessage((m) => m.method === 'notifications/tools/list_changed', 1000);
      await setEcho(true);

      const del = await post(mcp(b), undefined, { key: plaintext, method: 'DELETE', headers: inSession(sessionId) });
      expect(del.status).toBe(200);
      // The stream A held for it ends, and A no longer knows the session.
      expect(await onA.sse!.waitForEnd(2000)).toBe(true);
      expect((await callEcho(a, plaintext, sessionId, 'gone')).status).toBe(404);
      expect((await callEcho(b, plaintext, sessionId, 'gone')).status).toBe(404);
    } finally {
      await onA.sse?.close();
      await onB.sse?.close();
    }
  });

  itWithRedis('legacy SSE: the stream held by A, every POST …/messages sent to B — answers still arrive on the stream (SDK client)', async () => {
    const { plaintext } = await createKey(a, tenant, group.id);
    const auth = { Authorization: `Bearer ${plaintext}` };
    const toB = (url: string | URL) => url.toString().replace(a.url!, b.url!);
    const posted: string[] = [];
    const transport = new SSEClientTransport(new URL(`/mcp/${group.serverCode}/sse`, a.url), {
      requestInit: { headers: auth },
      eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...auth } }) },
      // The SDK posts to the endpoint A announced: send those to B instead, as a load balancer might.
      fetch: (url, init) => {
        posted.push(toB(url));
        return fetch(init?.method === 'POST' ? toB(url) : url, init);
      },
    });
    const client = new Client({ name: 'scale-out-sse', version: '1.0.0' }, { capabilities: {} });
    try {
      await client.connect(transport);
      const result = await client.callTool({ name: 'echo', arguments: { text: 'via-b' } });
      expect(result.structuredContent).toEqual({ text: 'via-b' });
      expect(posted.length).toBeGreaterThanOrEqual(3);
      expect(posted.every((u) => u.startsWith(`${b.url}/mcp/${group.serverCode}/messages?sessionId=`))).toBe(true);
    } finally {
      await client.close();
    }
    // Once the stream is gone, its session is gone on both replicas.
    const sessionId = new URL(posted[0]).searchParams.get('sessionId')!;
    await within(2000, async () => (await post(`${b.url}/mcp/${group.serverCode}/messages?sessionId=${sessionId}`, req(9, 'ping'), { key: plaintext })).status === 404);
  });

  itWithRedis('SECURITY 9 across replicas: a session from A replayed on B with another key of the group, or on another group, is 404 with no data', async () => {
    const k1 = await createKey(a, tenant, group.id);
    const k2 = await createKey(a, tenant, group.id);
    const kOther = await createKey(a, tenant, other.id);
    const sessionId = await initialize(a, k1.plaintext);
    const withK2 = await callEcho(b, k2.plaintext, sessionId, 'steal');
    const onOther = await post(mcp(b, other.serverCode), req(3, 'tools/call', { name: 'echo', arguments: { text: 'steal' } }), { key: kOther.plaintext, headers: inSession(sessionId) });
    const getK2 = await post(mcp(b), undefined, { key: k2.plaintext, method: 'GET', accept: 'text/event-stream', headers: inSession(sessionId) });
    const delK2 = await post(mcp(b), undefined, { key: k2.plaintext, method: 'DELETE', headers: inSession(sessionId) });
    for (const res of [withK2, onOther, getK2, delK2]) {
      expect(res.status).toBe(404);
      expect(answer(res)?.result).toBeUndefined();
      expect(answer(res)?.error?.message).toMatch(/^Session not found/);
      expect(res.text).not.toMatch(/structuredContent|"tools"/);
    }
    // The session is untouched for its own key.
    expect((await callEcho(b, k1.plaintext, sessionId, 'mine')).status).toBe(200);
  });

  itWithRedis('Redis cut away: /readyz says degraded (200) on both, calls and sessions go on; back: ok, missed changes announced (list_changed), events flow again', async () => {
    const { plaintext, key } = await createKey(a, tenant, group.id);
    const sessionId = await initialize(a, plaintext);
    expect((await callEcho(b, plaintext, sessionId, 'pre')).status).toBe(200);
    const stream = await openStream(mcp(b), { headers: { Authorization: `Bearer ${plaintext}`, Accept: 'text/event-stream', ...inSession(sessionId) }, timeoutMs: 5000 });
    expect(stream.status).toBe(200);

    await proxy.cut();
    try {
      for (const t of [a, b]) {
        await within(3000, async () => (await t.http().get('/readyz')).body.status === 'degraded');
        const res = await t.http().get('/readyz');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'degraded', checks: { database: 'ok', migrations: 'ok', redis: 'down' } });
      }
      // Sessions this replica has served carry on; new sessions and stateless calls work (this replica only).
      expect((await callEcho(a, plaintext, sessionId, 'during-a')).status).toBe(200);
      expect((await callEcho(b, plaintext, sessionId, 'during-b')).status).toBe(200);
      const local = await initialize(b, plaintext);
      expect((await callEcho(b, plaintext, local, 'local')).status).toBe(200);
      // An admin change still works; its event stays on A, so B's agents hear nothing yet.
      await setEcho(false);
      await setEcho(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(stream.sse!.events.some((e) => e.data.includes('list_changed'))).toBe(false);
    } finally {
      await proxy.start();
    }
    for (const t of [a, b]) await within(5000, async () => (await t.http().get('/readyz')).body.status === 'ready');
    // What was missed while Redis was down: B tells its agents to list their tools again.
    await stream.sse!.waitForMessage((m) => m.method === 'notifications/tools/list_changed', 2000);
    await stream.sse!.close();
    expect((await b.http().get('/readyz')).body.checks.redis).toBe('ok');
    // The session created during the outage is shared once Redis is back.
    const local2 = await initialize(b, plaintext);
    expect((await callEcho(a, plaintext, local2, 'after')).status).toBe(200);
    // Events flow again: a revocation through A reaches B within 1 s.
    expect((await callEcho(b, plaintext, sessionId, 'warm')).status).toBe(200);
    await a.http().post(`/api/v1/keys/${key.id}/revoke`).set(owner()).send({}).expect(200);
    expect(await effectiveAfter(Date.now(), async () => (await callEcho(b, plaintext, sessionId, 'revoked')).status === 401)).toBeLessThan(1000);
  });
});
