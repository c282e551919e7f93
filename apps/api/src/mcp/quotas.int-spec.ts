// Limits and quotas at the gateway (issue 7, SECURITY 20), on two replicas sharing PostgreSQL and a real Redis
// (through a TCP proxy the last test cuts): calls alternate between the replicas and exactly the limit succeeds,
// another group is unaffected, per-key overrides, the tenant's quota and the platform's, caps on calls in flight per key and per
// source, each refusal a -32029 with retryAfterSeconds. Exact counts use per-day limits (a day boundary is hours
// away from any test run that matters) or bursts far shorter than the sliding minute.
import { auth, createGroup, createKey, createPlatformAdmin, createTenant, TestTenant } from '../../test/factories';
import { modernHeaders, modernRequest, post, quotaOutcome as outcome } from '../../test/mcp-raw';
import { allowLoopback, createSource, eventually, expose, owner, toolsOf } from '../../test/sources';
import { createTestApp, TestApp } from '../../test/test-app';
import { itWithRedis, redisProxy, redisUrlThrough, testRedisUrl, uniqueRedisPrefix } from '../../test/test-redis';
import { startTestUpstream, TestUpstream } from '../../test/upstreams';

type Json = Record<string, any>;

describe('quotas: two replicas sharing PostgreSQL and Redis', () => {
  const proxy = redisProxy();
  let a: TestApp;
  let b: TestApp;
  let upstream: TestUpstream;
  let tenant: TestTenant;
  /** The upstream's tools, through a source without a concurrency cap and one capped at 1 call in flight. */
  let free: Map<string, Json>;
  let capped: Map<string, Json>;

  beforeAll(async () => {
    if (!testRedisUrl) return;
    const url = await redisUrlThrough(proxy);
    const env = { REDIS_URL: url, REDIS_KEY_PREFIX: uniqueRedisPrefix() };
    a = await createTestApp({ listen: true, env });
    b = await createTestApp({ listen: true, env, shareDatabaseWith: a });
    upstream = await startTestUpstream();
    tenant = await createTenant(a);
    await allowLoopback(a, tenant);
    const s1 = await createSource(a, tenant, { kind: 'mcp_http', namespace: 'up', config: { urls: [upstream.url] } });
    const s2 = await createSource(a, tenant, { kind: 'mcp_http', namespace: 'one', config: { urls: [upstream.url], resilience: { maxConcurrent: 1 } } });
    free = await toolsOf(a, tenant, s1.id);
    capped = await toolsOf(a, tenant, s2.id);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await upstream?.close();
    await proxy.cut();
  });

  /** A group exposing the given tools (hang with a 2 s deadline), with its settings. */
  async function groupWith(t: TestTenant, tools: Json[], settings: Json = {}) {
    const group = await createGroup(a, t, settings);
    await expose(a, t, group.id, tools.map((x) => x.id));
    for (const tool of tools.filter((x) => x.name.endsWith('__hang'))) {
      await a.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner(t)).send({ timeoutSeconds: 2 }).expect(200);
    }
    return group;
  }

  const call = (t: TestApp, serverCode: string, key: string, name: string, args: Json = {}) =>
    post(`${t.url}/mcp/${serverCode}`, modernRequest(1, 'tools/call', { name, arguments: args }), { key, headers: modernHeaders('tools/call', name) });


  itWithRedis('a group limit holds across the replicas: exactly N calls succeed, alternating; another group is unaffected (SECURITY 20)', async () => {
    const g = await groupWith(tenant, [free.get('up__echo')!], { rateLimit: { perDay: 5 } });
    const other = await groupWith(tenant, [free.get('up__echo')!], { rateLimit: { perDay: 5 } });
    const k1 = (await createKey(a, tenant, g.id)).plaintext;
    const k2 = (await createKey(a, tenant, g.id)).plaintext;
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) seen.push(outcome(await call(i % 2 ? b : a, g.serverCode, i % 3 ? k1 : k2, 'up__echo', { text: `${i}` })));
    expect(seen).toEqual([...Array(5).fill('ok'), ...Array(5).fill('perDay')]);
    const refused = await call(b, g.serverCode, k1, 'up__echo', { text: 'x' });
    expect(refused.json!.error.data.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.json!.error.data.retryAfterSeconds).toBeLessThanOrEqual(2 * 86_400);
    const ko = (await createKey(a, tenant, other.id)).plaintext;
    for (let i = 0; i < 5; i++) expect(outcome(await call(i % 2 ? a : b, other.serverCode, ko, 'up__echo', { text: `${i}` }))).toBe('ok');
  });

  itWithRedis('per-key overrides: a key with its own day quota, a key with its own minute rate, the group default for the rest', async () => {
    const g = await groupWith(tenant, [free.get('up__echo')!], { rateLimit: { perKeyPerMinute: 3 } });
    const daily = (await createKey(a, tenant, g.id, { rateLimit: { perDay: 2 } })).plaintext;
    const roomy = await createKey(a, tenant, g.id, { rateLimit: { perMinute: 5 } });
    expect(roomy.key).toMatchObject({ rateLimit: { perMinute: 5 } });
    const plain = (await createKey(a, tenant, g.id)).plaintext;
    const burst = async (key: string, n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) seen.push(outcome(await call(i % 2 ? b : a, g.serverCode, key, 'up__echo', { text: 'x' })));
      return seen;
    };
    expect(await burst(daily, 4)).toEqual(['ok', 'ok', 'keyPerDay', 'keyPerDay']);
    expect(await burst(roomy.plaintext, 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'perKeyPerMinute']);
    expect(await burst(plain, 4)).toEqual(['ok', 'ok', 'ok', 'perKeyPerMinute']);
    // Changing the override takes effect at once (the key's cache is dropped on both replicas).
    await a.http().patch(`/api/v1/keys/${roomy.key.id}`).set(owner(tenant)).send({ rateLimit: { perMinute: 7 } }).expect(200);
    await eventually('the new override', async () => outcome(await call(b, g.serverCode, roomy.plaintext, 'up__echo', { text: 'y' })) === 'ok');
  });

  itWithRedis("the tenant's quota spans its groups; another tenant is unaffected", async () => {
    const own = await createTenant(a);
    await allowLoopback(a, own);
    const source = await createSource(a, own, { kind: 'mcp_http', namespace: 'up', config: { urls: [upstream.url] } });
    const echo = (await toolsOf(a, own, source.id)).get('up__echo')!;
    const res = await a.http().patch('/api/v1/tenant').set(owner(own)).send({ rateLimit: { perDay: 3 } });
    expect(res.status).toBe(200);
    expect(res.body.rateLimit).toEqual({ perDay: 3 });
    const g1 = await groupWith(own, [echo]);
    const g2 = await groupWith(own, [echo]);
    const k1 = (await createKey(a, own, g1.id)).plaintext;
    const k2 = (await createKey(a, own, g2.id)).plaintext;
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(outcome(await call(i % 2 ? b : a, i % 2 ? g2.serverCode : g1.serverCode, i % 2 ? k2 : k1, 'up__echo', { text: 'x' })));
    expect(seen).toEqual(['ok', 'ok', 'ok', 'tenantPerDay', 'tenantPerDay', 'tenantPerDay']);
    // The main tenant's groups never counted here.
    const g = await groupWith(tenant, [free.get('up__echo')!]);
    const k = (await createKey(a, tenant, g.id)).plaintext;
    for (let i = 0; i < 4; i++) expect(outcome(await call(i % 2 ? a : b, g.serverCode, k, 'up__echo', { text: 'x' }))).toBe('ok');
    // Cleared: calls flow again.
    await a.http().patch('/api/v1/tenant').set(owner(own)).send({ rateLimit: {} }).expect(200);
    await eventually('quota cleared', async () => outcome(await call(b, g1.serverCode, k1, 'up__echo', { text: 'y' })) === 'ok');
  });

  itWithRedis("the platform's quota caps the tenant below its own, across replicas; lowering it reaches a key in use on the other replica", async () => {
    const root = await createPlatformAdmin(a);
    const own = await createTenant(a);
    await allowLoopback(a, own);
    const source = await createSource(a, own, { kind: 'mcp_http', namespace: 'up', config: { urls: [upstream.url] } });
    const echo = (await toolsOf(a, own, source.id)).get('up__echo')!;
    await a.http().patch('/api/v1/tenant').set(owner(own)).send({ rateLimit: { perMinute: 50 } }).expect(200);
    const setPlatform = (platformRateLimit: Json) => a.http().patch(`/api/v1/platform/tenants/${own.id}`).set(auth(root.token)).send({ platformRateLimit }).expect(200);
    await setPlatform({ perMinute: 2 });
    const g1 = await groupWith(own, [echo]);
    const g2 = await groupWith(own, [echo]);
    const k1 = (await createKey(a, own, g1.id)).plaintext;
    const k2 = (await createKey(a, own, g2.id)).plaintext;
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(outcome(await call(i % 2 ? b : a, i % 2 ? g2.serverCode : g1.serverCode, i % 2 ? k2 : k1, 'up__echo', { text: 'x' })));
    expect(seen).toEqual(['ok', 'ok', 'platformPerMinute']);

    // Raised above what was used: a key verified on replica b, then lowered on replica a.
    await setPlatform({ perMinute: 40 });
    await eventually('the raised ceiling on b', async () => outcome(await call(b, g2.serverCode, k2, 'up__echo', { text: 'y' })) === 'ok');
    await setPlatform({ perMinute: 1 });
    await eventually('the lowered ceiling on b', async () => outcome(await call(b, g2.serverCode, k2, 'up__echo', { text: 'z' })) === 'platformPerMinute', 2_000);
  });

  itWithRedis('caps calls in flight per key across replicas: over the cap → -32029 with retryAfterSeconds 1; the slots free when the calls end', async () => {
    const g = await groupWith(tenant, [free.get('up__hang')!, free.get('up__echo')!], { rateLimit: { maxConcurrentPerKey: 2 } });
    const key = (await createKey(a, tenant, g.id)).plaintext;
    const otherKey = (await createKey(a, tenant, g.id)).plaintext;
    const before = upstream.calls.get('hang') ?? 0;
    const held = [call(a, g.serverCode, key, 'up__hang'), call(b, g.serverCode, key, 'up__hang')];
    await eventually('both calls upstream', async () => (upstream.calls.get('hang') ?? 0) - before >= 2);
    const refused = await call(b, g.serverCode, key, 'up__echo', { text: 'x' });
    expect(outcome(refused)).toBe('maxConcurrentPerKey');
    expect(refused.json!.error.data.retryAfterSeconds).toBe(1);
    expect(refused.json!.error.message).toMatch(/2 calls in flight at once/);
    expect(outcome(await call(a, g.serverCode, otherKey, 'up__echo', { text: 'x' }))).toBe('ok');
    await Promise.all(held);
    expect(outcome(await call(a, g.serverCode, key, 'up__echo', { text: 'x' }))).toBe('ok');
    expect(outcome(await call(b, g.serverCode, key, 'up__echo', { text: 'x' }))).toBe('ok');
  }, 20_000);

  itWithRedis("caps calls in flight per source, across groups and replicas (the source's resilience.maxConcurrent)", async () => {
    const g1 = await groupWith(tenant, [capped.get('one__hang')!]);
    const g2 = await groupWith(tenant, [capped.get('one__echo')!, free.get('up__echo')!]);
    const k1 = (await createKey(a, tenant, g1.id)).plaintext;
    const k2 = (await createKey(a, tenant, g2.id)).plaintext;
    const before = upstream.calls.get('hang') ?? 0;
    const held = call(a, g1.serverCode, k1, 'one__hang');
    await eventually('the call upstream', async () => (upstream.calls.get('hang') ?? 0) > before);
    const refused = await call(b, g2.serverCode, k2, 'one__echo', { text: 'x' });
    expect(outcome(refused)).toBe('sourceMaxConcurrent');
    expect(refused.json!.error.data.retryAfterSeconds).toBe(1);
    // Another source's tools are not held up.
    expect(outcome(await call(b, g2.serverCode, k2, 'up__echo', { text: 'x' }))).toBe('ok');
    await held;
    expect(outcome(await call(b, g2.serverCode, k2, 'one__echo', { text: 'x' }))).toBe('ok');
  }, 20_000);

  itWithRedis('Redis cut → each replica limits alone (per replica); Redis back → shared limits again', async () => {
    const g = await groupWith(tenant, [free.get('up__echo')!], { rateLimit: { perDay: 2 } });
    const key = (await createKey(a, tenant, g.id)).plaintext;
    const ready = async (t: TestApp) => (await t.http().get('/readyz')).body.checks?.redis;
    await proxy.cut();
    await eventually('both replicas see Redis down', async () => (await ready(a)) === 'down' && (await ready(b)) === 'down');
    for (const t of [a, b]) {
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(outcome(await call(t, g.serverCode, key, 'up__echo', { text: 'x' })));
      expect(seen).toEqual(['ok', 'ok', 'perDay']);
    }
    await proxy.start();
    await eventually('both replicas see Redis again', async () => (await ready(a)) === 'ok' && (await ready(b)) === 'ok', 10_000);
    // Redis never saw the outage's calls: the shared count starts at 0 and holds across both replicas again.
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(outcome(await call(i % 2 ? b : a, g.serverCode, key, 'up__echo', { text: 'y' })));
    expect(seen).toEqual(['ok', 'ok', 'perDay']);
  }, 30_000);
});
