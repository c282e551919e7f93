// GET /api/v1/usage and GET /api/v1/platform/usage after a known set of gateway calls: counts per tenant, group,
// key and tool for the month, part rolled up and part still only in the call log, each tenant seeing only its own.
import { auth, createEchoEndpoint, createGroup, createKey, createPlatformAdmin, createTenant, TestTenant } from '../../../test/factories';
import { modernHeaders, modernRequest, post } from '../../../test/mcp-raw';
import { createTestApp, TestApp } from '../../../test/test-app';
import { CallStatsRollup } from './call-stats-rollup';
import { monthRange } from './usage.service';

type Json = Record<string, any>;

describe('monthly usage (real PostgreSQL)', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  const ids: Record<string, string> = {};
  const month = monthRange(undefined).label;

  const call = (serverCode: string, key: string, name: string, args: Json) =>
    post(`${t.url}/mcp/${serverCode}`, modernRequest(1, 'tools/call', { name, arguments: args }), { key, headers: modernHeaders('tools/call', name) });
  const usage = (tenant: TestTenant, query: Json, token = tenant.owner.token) => t.http().get('/api/v1/usage').query(query).set(auth(token, tenant.id));

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    a = await createTenant(t);
    b = await createTenant(t);
    const one = await createEchoEndpoint(t, a);
    const k2 = await createKey(t, a, one.group.id, { name: 'second' });
    const two = await createEchoEndpoint(t, a);
    const other = await createEchoEndpoint(t, b);
    Object.assign(ids, { g1: one.group.id, g2: two.group.id, k1: one.key.id, k2: k2.key.id, k3: two.key.id });
    const echoes = (await t.http().get('/api/v1/tools').set(auth(a.owner.token, a.id))).body.items as Json[];
    ids.echo = echoes.find((x) => x.name === 'echo')!.id;
    // g1: k1 3 ok + 1 refused for its arguments (an error); then the rollup passes these.
    for (const text of ['a', 'b', 'c']) await call(one.group.serverCode, one.plaintext, 'echo', { text });
    await call(one.group.serverCode, one.plaintext, 'echo', { text: 42 });
    await t.app.get(CallStatsRollup).catchUp();
    // Still only in the call log: k2 2 ok; g2: k3 1 ok and 1 call of an unknown tool (an error); tenant b 1 call.
    for (const text of ['d', 'e']) await call(one.group.serverCode, k2.plaintext, 'echo', { text });
    await call(two.group.serverCode, two.plaintext, 'echo', { text: 'f' });
    await call(two.group.serverCode, two.plaintext, 'nope', {});
    await call(other.group.serverCode, other.plaintext, 'echo', { text: 'g' });
  }, 60_000);
  afterAll(() => t?.close());

  it('counts the tenant, its groups, keys and tools for the month, most calls first (then most errors)', async () => {
    const tenant = await usage(a, { month });
    expect(tenant.status).toBe(200);
    expect(tenant.body).toEqual({
      month,
      by: 'tenant',
      from: monthRange(month).from.toISOString(),
      to: monthRange(month).to.toISOString(),
      items: [{ id: a.id, name: expect.any(String), calls: 8, errors: 2 }],
      total: { calls: 8, errors: 2 },
    });
    // The current month is the default.
    expect((await usage(a, {})).body.total).toEqual({ calls: 8, errors: 2 });

    const groups = await usage(a, { month, by: 'group' });
    expect(groups.body.items).toEqual([
      { id: ids.g1, name: expect.any(String), calls: 6, errors: 1 },
      { id: ids.g2, name: expect.any(String), calls: 2, errors: 1 },
    ]);

    const keys = await usage(a, { month, by: 'key' });
    expect(keys.body.items).toEqual([
      { id: ids.k1, name: 'agent', prefix: expect.stringMatching(/^tg_/), groupId: ids.g1, calls: 4, errors: 1 },
      { id: ids.k3, name: 'agent', prefix: expect.stringMatching(/^tg_/), groupId: ids.g2, calls: 2, errors: 1 },
      { id: ids.k2, name: 'second', prefix: expect.stringMatching(/^tg_/), groupId: ids.g1, calls: 2, errors: 0 },
    ]);

    const tools = await usage(a, { month, by: 'tool' });
    expect(tools.body.items).toEqual([
      { id: ids.echo, name: 'echo', calls: 7, errors: 1 },
      { id: null, name: 'nope', calls: 1, errors: 1 },
    ]);
    expect(tools.body.total).toEqual({ calls: 8, errors: 2 });
  });

  it('answers an empty month with zero totals, and refuses a malformed month or dimension', async () => {
    const res = await usage(a, { month: '2001-02', by: 'key' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ month: '2001-02', from: '2001-02-01T00:00:00.000Z', to: '2001-03-01T00:00:00.000Z', items: [], total: { calls: 0, errors: 0 } });
    for (const query of [{ month: '2026-13' }, { month: '2026-1' }, { by: 'source' }, { month, extra: 1 }]) {
      expect((await usage(a, query)).status).toBe(422);
    }
  });

  it("shows each tenant only its own usage; another tenant's member is refused", async () => {
    expect((await usage(b, { month })).body.total).toEqual({ calls: 1, errors: 0 });
    expect((await usage(b, { month, by: 'key' })).body.items.map((x: Json) => x.id)).not.toContain(ids.k1);
    expect((await usage(a, { month }, b.owner.token)).status).toBe(403);
  });

  it('gives platform admins usage per tenant across tenants, and nobody else', async () => {
    const root = await createPlatformAdmin(t);
    const res = await t.http().get('/api/v1/platform/usage').query({ month }).set(auth(root.token));
    expect(res.status).toBe(200);
    const byId = new Map((res.body.items as Json[]).map((x) => [x.id, x]));
    expect(byId.get(a.id)).toEqual({ id: a.id, name: expect.any(String), slug: a.slug, calls: 8, errors: 2 });
    expect(byId.get(b.id)).toMatchObject({ calls: 1, errors: 0 });
    expect((await t.http().get('/api/v1/platform/usage').set(auth(a.owner.token, a.id))).status).toBe(403);
  });
});
