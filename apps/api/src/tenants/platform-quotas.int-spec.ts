// The platform's quota on a tenant (real PostgreSQL, one replica, the in-process limiter): only platform admins set
// it, audited; the tenant's owners read it and cannot set it (mass assignment, SECURITY 17); at the gateway the
// stricter of the tenant's own quota and the platform's holds, and a change reaches a key already in use at once.
// Across replicas sharing Redis: see mcp/quotas.int-spec.ts.
import { addMember, auth, createKey, createPlatformAdmin, createTenant, createGroup, TestTenant, TestUser } from '../../test/factories';
import { modernHeaders, modernRequest, post, quotaOutcome as outcome } from '../../test/mcp-raw';
import { allowLoopback, createSource, expose, owner, toolsOf } from '../../test/sources';
import { createTestApp, TestApp } from '../../test/test-app';
import { startTestUpstream, TestUpstream } from '../../test/upstreams';

type Json = Record<string, any>;

describe('platform quotas on tenants (real PostgreSQL)', () => {
  let t: TestApp;
  let upstream: TestUpstream;
  let root: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    upstream = await startTestUpstream();
    root = await createPlatformAdmin(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  const setPlatform = (tenantId: string, platformRateLimit: Json, token = root.token) =>
    t.http().patch(`/api/v1/platform/tenants/${tenantId}`).set(auth(token)).send({ platformRateLimit });

  it('a platform admin sets it on any tenant, audited with before and after; {} lifts it', async () => {
    const tenant = await createTenant(t);
    const res = await setPlatform(tenant.id, { perMinute: 2, perDay: 1000 }).set('X-Request-Id', 'req-platform-quota');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: tenant.id, rateLimit: {}, platformRateLimit: { perMinute: 2, perDay: 1000 } });
    const events: Json[] = await t.db.query(`SELECT * FROM audit_events WHERE tenant_id = $1 AND action = 'tenant.platform_update'`, [tenant.id]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_user_id: root.id,
      entity_type: 'tenant',
      entity_id: tenant.id,
      request_id: 'req-platform-quota',
      before: expect.objectContaining({ platformRateLimit: {} }),
      after: expect.objectContaining({ platformRateLimit: { perMinute: 2, perDay: 1000 } }),
    });
    // The tenant's owners see it in their own audit log too.
    const log = await t.http().get('/api/v1/audit-events?action=tenant.platform_update').set(owner(tenant));
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(1);

    expect((await setPlatform(tenant.id, {})).body.platformRateLimit).toEqual({});
  });

  it('refuses bad bodies with 422 and an unknown tenant with 404, writing nothing', async () => {
    const tenant = await createTenant(t);
    for (const body of [{ perMinute: 0 }, { perDay: 1.5 }, { perHour: 3 }]) {
      const res = await setPlatform(tenant.id, body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
    }
    const extra = await t.http().patch(`/api/v1/platform/tenants/${tenant.id}`).set(auth(root.token)).send({ platformRateLimit: {}, rateLimit: { perDay: 1 } });
    expect(extra.status).toBe(422);
    const missing = await setPlatform('00000000-0000-4000-8000-000000000000', { perDay: 5 });
    expect({ status: missing.status, code: missing.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'tenant.platform_update' AND tenant_id = $1`, [tenant.id]);
    expect(n).toBe(0);
  });

  it('the owner reads it, read-only: PATCH /api/v1/tenant with it is refused (422) and changes nothing', async () => {
    const tenant = await createTenant(t);
    await setPlatform(tenant.id, { perMinute: 5 }).expect(200);
    const current = await t.http().get('/api/v1/tenant').set(owner(tenant));
    expect(current.body).toMatchObject({ rateLimit: {}, platformRateLimit: { perMinute: 5 } });
    const listed = await t.http().get('/api/v1/tenants').set(auth(tenant.owner.token));
    expect(listed.body.items).toEqual([expect.objectContaining({ id: tenant.id, platformRateLimit: { perMinute: 5 } })]);

    for (const body of [{ platformRateLimit: { perMinute: 1_000 } }, { platformRateLimit: {} }, { rateLimit: { perMinute: 100 }, platformRateLimit: {} }]) {
      const res = await t.http().patch('/api/v1/tenant').set(owner(tenant)).send(body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 422, code: 'VALIDATION_FAILED' });
      expect(res.body.error.message).toContain('"platformRateLimit"');
    }
    // Its own quota stays the owner's to set, and leaves the platform's alone.
    const own = await t.http().patch('/api/v1/tenant').set(owner(tenant)).send({ rateLimit: { perMinute: 100 } });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ rateLimit: { perMinute: 100 }, platformRateLimit: { perMinute: 5 } });
  });

  it('only platform admins reach the platform route: 403 for the owner and admins of the tenant itself', async () => {
    const tenant = await createTenant(t);
    const admin = await addMember(t, tenant, 'admin');
    for (const user of [tenant.owner, admin]) {
      for (const headers of [auth(user.token), auth(user.token, tenant.id)]) {
        const res = await t.http().patch(`/api/v1/platform/tenants/${tenant.id}`).set(headers).send({ platformRateLimit: {} });
        expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      }
    }
    const anonymous = await t.http().patch(`/api/v1/platform/tenants/${tenant.id}`).send({ platformRateLimit: {} });
    expect(anonymous.status).toBe(401);
    expect((await t.http().get('/api/v1/tenant').set(owner(tenant))).body.platformRateLimit).toEqual({});
  });

  describe('at the gateway', () => {
    /** A tenant with a group exposing the upstream's echo tool, and a key of it. */
    async function tenantWithKey(): Promise<{ tenant: TestTenant; serverCode: string; key: string }> {
      const tenant = await createTenant(t);
      await allowLoopback(t, tenant);
      const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'up', config: { urls: [upstream.url] } });
      const echo = (await toolsOf(t, tenant, source.id)).get('up__echo')!;
      const group = await createGroup(t, tenant);
      await expose(t, tenant, group.id, [echo.id]);
      return { tenant, serverCode: group.serverCode, key: (await createKey(t, tenant, group.id)).plaintext };
    }

    const call = (serverCode: string, key: string) =>
      post(`${t.url}/mcp/${serverCode}`, modernRequest(1, 'tools/call', { name: 'up__echo', arguments: { text: 'x' } }), {
        key,
        headers: modernHeaders('tools/call', 'up__echo'),
      });


    it("the stricter of the tenant's own quota and the platform's holds: the third call within the minute is refused", async () => {
      const { tenant, serverCode, key } = await tenantWithKey();
      await t.http().patch('/api/v1/tenant').set(owner(tenant)).send({ rateLimit: { perMinute: 100 } }).expect(200);
      await setPlatform(tenant.id, { perMinute: 2 }).expect(200);
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(outcome(await call(serverCode, key)));
      expect(seen).toEqual(['ok', 'ok', 'platformPerMinute']);
      const refused = await call(serverCode, key);
      expect(refused.json!.error.message).toMatch(/^Rate limit reached: the platform allows this tenant 2 calls per minute across its tool groups\. Retry in \d+ s\.$/);
    });

    it('lowering it reaches a key already in use at once; lifting it lets calls through again', async () => {
      const { tenant, serverCode, key } = await tenantWithKey();
      await t.http().patch('/api/v1/tenant').set(owner(tenant)).send({ rateLimit: { perMinute: 100 } }).expect(200);
      await setPlatform(tenant.id, { perMinute: 50 }).expect(200);
      for (let i = 0; i < 3; i++) expect(outcome(await call(serverCode, key))).toBe('ok');
      // The key is cached now; the next call after the change is already judged by the new ceiling.
      await setPlatform(tenant.id, { perMinute: 3 }).expect(200);
      expect(outcome(await call(serverCode, key))).toBe('platformPerMinute');
      await setPlatform(tenant.id, {}).expect(200);
      expect(outcome(await call(serverCode, key))).toBe('ok');
    });
  });
});
