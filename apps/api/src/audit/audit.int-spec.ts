// Every admin change writes one audit event with actor, request id, before and after; secrets never reach it.
import type { Response, Test } from 'supertest';
import { addMember, auth, builtinSourceId, createGroup, createKey, createPlatformAdmin, createTenant, createTool, PASSWORD, TestTenant, TestUser } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';

interface AuditRow {
  id: string;
  tenant_id: string | null;
  actor_user_id: string | null;
  actor_email: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: Record<string, any> | null;
  after: Record<string, any> | null;
  ip: string | null;
  request_id: string | null;
}

describe('audit events (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let owner: Record<string, string>;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t);
    owner = auth(tenant.owner.token, tenant.id);
  });
  afterAll(() => t.close());

  async function auditCount(): Promise<number> {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events`);
    return n;
  }

  /** How many audit rows mention `needle` anywhere in their text. */
  async function auditRowsContaining(needle: string): Promise<number> {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events e WHERE strpos(e::text, $1) > 0`, [needle]);
    return n;
  }

  /**
   * Sends one admin change with its own request id, expects `status`, and returns the single audit event it wrote,
   * after checking its action, entity type, tenant, actor and request id.
   */
  async function change(
    expected: { status: number; action: string; entityType: string; actor?: TestUser; tenantId?: string },
    send: (requestId: string) => Test,
  ): Promise<{ res: Response; event: AuditRow }> {
    const before: string[] = (await t.db.query(`SELECT id FROM audit_events`)).map((r: { id: string }) => r.id);
    const requestId = `req-${expected.action}-${++seq}`;
    const res = await send(requestId).set('X-Request-Id', requestId);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: expected.status });
    const rows: AuditRow[] = await t.db.query(`SELECT * FROM audit_events WHERE NOT (id = ANY($1::uuid[]))`, [before]);
    expect(rows.map((r) => r.action)).toEqual([expected.action]);
    const actor = expected.actor ?? tenant.owner;
    expect(rows[0]).toMatchObject({
      action: expected.action,
      entity_type: expected.entityType,
      tenant_id: expected.tenantId ?? tenant.id,
      actor_user_id: actor.id,
      actor_email: actor.email,
      request_id: requestId,
      ip: expect.any(String),
    });
    return { res, event: rows[0] };
  }

  describe('every admin change writes exactly one event with before and after', () => {
    it('tenant update', async () => {
      const { res, event } = await change({ status: 200, action: 'tenant.update', entityType: 'tenant' }, () =>
        t.http().patch('/api/v1/tenant').set(owner).send({ name: 'Renamed tenant', networkAllowlist: ['10.1.0.0/16'] }),
      );
      expect(event.entity_id).toBe(tenant.id);
      expect(event.before).toMatchObject({ id: tenant.id, name: `Tenant ${tenant.slug}`, networkAllowlist: [] });
      expect(event.after).toMatchObject({ id: tenant.id, name: 'Renamed tenant', networkAllowlist: ['10.1.0.0/16'] });
      expect(event.after).toEqual(res.body);
    });

    it('member add, role change, remove', async () => {
      const email = `member-${seq}@example.com`;
      const added = await change({ status: 201, action: 'member.add', entityType: 'membership' }, () =>
        t.http().post('/api/v1/members').set(owner).send({ email, role: 'viewer', password: PASSWORD }),
      );
      const membershipId = added.res.body.id;
      expect(added.event.entity_id).toBe(membershipId);
      expect(added.event.before).toBeNull();
      expect(added.event.after).toMatchObject({ id: membershipId, email, role: 'viewer' });
      expect(await auditRowsContaining(PASSWORD)).toBe(0);

      const changed = await change({ status: 200, action: 'member.update', entityType: 'membership' }, () =>
        t.http().patch(`/api/v1/members/${membershipId}`).set(owner).send({ role: 'admin' }),
      );
      expect(changed.event.entity_id).toBe(membershipId);
      expect(changed.event.before).toMatchObject({ id: membershipId, email, role: 'viewer' });
      expect(changed.event.after).toMatchObject({ id: membershipId, email, role: 'admin' });

      const removed = await change({ status: 204, action: 'member.remove', entityType: 'membership' }, () =>
        t.http().delete(`/api/v1/members/${membershipId}`).set(owner),
      );
      expect(removed.event.entity_id).toBe(membershipId);
      expect(removed.event.before).toMatchObject({ id: membershipId, email, role: 'admin' });
      expect(removed.event.after).toBeNull();
    });

    it('group create, update, delete', async () => {
      const created = await change({ status: 201, action: 'group.create', entityType: 'group' }, () =>
        t.http().post('/api/v1/groups').set(owner).send({ name: 'Audited group', serverCode: `audited-${seq}` }),
      );
      const id = created.res.body.id;
      expect(created.event.entity_id).toBe(id);
      expect(created.event.before).toBeNull();
      expect(created.event.after).toEqual(created.res.body);

      const updated = await change({ status: 200, action: 'group.update', entityType: 'group' }, () =>
        t.http().patch(`/api/v1/groups/${id}`).set(owner).send({ name: 'Audited group v2', enabled: false }),
      );
      expect(updated.event.entity_id).toBe(id);
      expect(updated.event.before).toMatchObject({ id, name: 'Audited group', enabled: true });
      expect(updated.event.after).toMatchObject({ id, name: 'Audited group v2', enabled: false });

      const deleted = await change({ status: 204, action: 'group.delete', entityType: 'group' }, () => t.http().delete(`/api/v1/groups/${id}`).set(owner));
      expect(deleted.event.entity_id).toBe(id);
      expect(deleted.event.before).toMatchObject({ id, name: 'Audited group v2' });
      expect(deleted.event.after).toBeNull();
    });

    it('tool create, update, delete', async () => {
      const sourceId = await builtinSourceId(t, tenant);
      const created = await change({ status: 201, action: 'tool.create', entityType: 'tool' }, () =>
        t.http().post('/api/v1/tools').set(owner).send({ sourceId, name: `audited_tool_${seq}`, description: 'first' }),
      );
      const id = created.res.body.id;
      expect(created.event.entity_id).toBe(id);
      expect(created.event.before).toBeNull();
      expect(created.event.after).toEqual(created.res.body);

      const updated = await change({ status: 200, action: 'tool.update', entityType: 'tool' }, () =>
        t.http().patch(`/api/v1/tools/${id}`).set(owner).send({ description: 'second' }),
      );
      expect(updated.event.before).toMatchObject({ id, description: 'first', version: 1 });
      expect(updated.event.after).toMatchObject({ id, description: 'second', version: 2 });

      const deleted = await change({ status: 204, action: 'tool.delete', entityType: 'tool' }, () => t.http().delete(`/api/v1/tools/${id}`).set(owner));
      expect(deleted.event.entity_id).toBe(id);
      expect(deleted.event.before).toMatchObject({ id, description: 'second' });
      expect(deleted.event.after).toBeNull();
    });

    it('group-tool assign, update, unassign', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      const entityId = `${group.id}:${tool.id}`;
      const path = `/api/v1/groups/${group.id}/tools/${tool.id}`;

      const added = await change({ status: 200, action: 'group.tool.add', entityType: 'group_tool' }, () => t.http().put(path).set(owner).send({ alias: 'first_alias' }));
      expect(added.event.entity_id).toBe(entityId);
      expect(added.event.before).toBeNull();
      expect(added.event.after).toMatchObject({ groupId: group.id, toolId: tool.id, alias: 'first_alias', enabled: true });

      const updated = await change({ status: 200, action: 'group.tool.update', entityType: 'group_tool' }, () =>
        t.http().put(path).set(owner).send({ alias: 'second_alias', enabled: false, timeoutSeconds: 9 }),
      );
      expect(updated.event.entity_id).toBe(entityId);
      expect(updated.event.before).toMatchObject({ alias: 'first_alias', enabled: true, timeoutSeconds: null });
      expect(updated.event.after).toMatchObject({ alias: 'second_alias', enabled: false, timeoutSeconds: 9, exposedName: 'second_alias' });

      const removed = await change({ status: 204, action: 'group.tool.remove', entityType: 'group_tool' }, () => t.http().delete(path).set(owner));
      expect(removed.event.entity_id).toBe(entityId);
      expect(removed.event.before).toMatchObject({ alias: 'second_alias', enabled: false });
      expect(removed.event.after).toBeNull();
    });

    it('key create, update, revoke, rotate, regenerate — and no key plaintext in any event', async () => {
      const group = await createGroup(t, tenant);
      const plaintexts: string[] = [];

      const created = await change({ status: 201, action: 'key.create', entityType: 'api_key' }, () =>
        t.http().post(`/api/v1/groups/${group.id}/keys`).set(owner).send({ name: 'audited key' }),
      );
      const id = created.res.body.key.id;
      plaintexts.push(created.res.body.plaintext);
      expect(created.event.entity_id).toBe(id);
      expect(created.event.before).toBeNull();
      expect(created.event.after).toEqual(created.res.body.key);

      const updated = await change({ status: 200, action: 'key.update', entityType: 'api_key' }, () =>
        t.http().patch(`/api/v1/keys/${id}`).set(owner).send({ name: 'audited key v2', toolAllowlist: ['only_this'] }),
      );
      expect(updated.event.entity_id).toBe(id);
      expect(updated.event.before).toMatchObject({ id, name: 'audited key', toolAllowlist: null });
      expect(updated.event.after).toMatchObject({ id, name: 'audited key v2', toolAllowlist: ['only_this'] });

      const rotated = await change({ status: 201, action: 'key.rotate', entityType: 'api_key' }, () =>
        t.http().post(`/api/v1/keys/${id}/rotate`).set(owner).send({ overlapSeconds: 60 }),
      );
      const rotatedId = rotated.res.body.key.id;
      plaintexts.push(rotated.res.body.plaintext);
      expect(rotated.event.entity_id).toBe(id);
      expect(rotated.event.before).toMatchObject({ id, expiresAt: null, status: 'active' });
      expect(rotated.event.after).toMatchObject({ old: { id, expiresAt: expect.any(String) }, new: { id: rotatedId, rotatedFromId: id } });

      const regenerated = await change({ status: 201, action: 'key.regenerate', entityType: 'api_key' }, () =>
        t.http().post(`/api/v1/keys/${rotatedId}/regenerate`).set(owner),
      );
      const regeneratedId = regenerated.res.body.key.id;
      plaintexts.push(regenerated.res.body.plaintext);
      expect(regenerated.event.entity_id).toBe(rotatedId);
      expect(regenerated.event.before).toMatchObject({ id: rotatedId, revokedAt: null });
      expect(regenerated.event.after).toMatchObject({ old: { id: rotatedId, status: 'revoked' }, new: { id: regeneratedId, rotatedFromId: rotatedId } });

      const revoked = await change({ status: 200, action: 'key.revoke', entityType: 'api_key' }, () => t.http().post(`/api/v1/keys/${regeneratedId}/revoke`).set(owner));
      expect(revoked.event.entity_id).toBe(regeneratedId);
      expect(revoked.event.before).toMatchObject({ id: regeneratedId, status: 'active', revokedAt: null });
      expect(revoked.event.after).toMatchObject({ id: regeneratedId, status: 'revoked', revokedAt: expect.any(String) });

      for (const plaintext of plaintexts) {
        expect(await auditRowsContaining(plaintext)).toBe(0);
        expect(await auditRowsContaining(plaintext.slice(16))).toBe(0);
      }
    });

    it('source create, update, delete — the secret values never reach an event', async () => {
      const created = await change({ status: 201, action: 'source.create', entityType: 'source' }, () =>
        t
          .http()
          .post('/api/v1/sources')
          .set(owner)
          .send({ kind: 'mcp_http', name: 'CRM upstream', namespace: 'crm_up', config: { urls: ['http://127.0.0.1:9/mcp'] }, secrets: { Authorization: 'Bearer topsecret' } }),
      );
      const id = created.res.body.id;
      expect(created.event.entity_id).toBe(id);
      expect(created.event.before).toBeNull();
      expect(created.event.after).toMatchObject({ id, kind: 'mcp_http', namespace: 'crm_up', config: { urls: ['http://127.0.0.1:9/mcp'] } });

      const updated = await change({ status: 200, action: 'source.update', entityType: 'source' }, () =>
        t
          .http()
          .patch(`/api/v1/sources/${id}`)
          .set(owner)
          .send({ name: 'CRM upstream v2', secrets: { Authorization: 'Bearer othersecret', 'X-Upstream-Token': 'anothersecret' } }),
      );
      expect(updated.event.before).toMatchObject({ id, name: 'CRM upstream' });
      expect(updated.event.after).toMatchObject({ id, name: 'CRM upstream v2' });

      const deleted = await change({ status: 204, action: 'source.delete', entityType: 'source' }, () => t.http().delete(`/api/v1/sources/${id}`).set(owner));
      expect(deleted.event.before).toMatchObject({ id, name: 'CRM upstream v2' });
      expect(deleted.event.after).toBeNull();

      for (const secret of ['topsecret', 'othersecret', 'anothersecret']) expect(await auditRowsContaining(secret)).toBe(0);
    });

    // An auditor must see which secrets a source has and when they changed, never their values.
    it("source events keep the secrets' names (never their values)", async () => {
      const created = await change({ status: 201, action: 'source.create', entityType: 'source' }, () =>
        t
          .http()
          .post('/api/v1/sources')
          .set(owner)
          .send({ kind: 'mcp_http', name: 'Named secrets', namespace: 'named_up', config: { urls: ['http://127.0.0.1:9/mcp'] }, secrets: { Authorization: 'Bearer topsecret' } }),
      );
      expect(created.res.body.secretNames).toEqual(['Authorization']);
      expect(created.event.after).toMatchObject({ secretNames: ['Authorization'] });
      const updated = await change({ status: 200, action: 'source.update', entityType: 'source' }, () =>
        t.http().patch(`/api/v1/sources/${created.res.body.id}`).set(owner).send({ secrets: { 'X-Upstream-Token': 'othersecret' } }),
      );
      expect(updated.event.before).toMatchObject({ secretNames: ['Authorization'] });
      expect(updated.event.after).toMatchObject({ secretNames: ['X-Upstream-Token'] });
    });

    it('tenant create by a platform admin', async () => {
      const root = await createPlatformAdmin(t);
      const slug = `audited-${seq}`;
      const before: string[] = (await t.db.query(`SELECT id FROM audit_events`)).map((r: { id: string }) => r.id);
      const res = await t.http().post('/api/v1/tenants').set(auth(root.token)).set('X-Request-Id', 'req-tenant-create').send({ slug, name: 'Audited tenant' });
      expect(res.status).toBe(201);
      const rows: AuditRow[] = await t.db.query(`SELECT * FROM audit_events WHERE NOT (id = ANY($1::uuid[]))`, [before]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'tenant.create',
        entity_type: 'tenant',
        entity_id: res.body.id,
        tenant_id: res.body.id,
        actor_user_id: root.id,
        actor_email: root.email,
        request_id: 'req-tenant-create',
        before: null,
        after: { id: res.body.id, slug, name: 'Audited tenant' },
      });
      // The platform admin reads it in that tenant's audit log.
      const listed = await t.http().get('/api/v1/audit-events').set(auth(root.token, res.body.id));
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((e: { id: string }) => e.id)).toEqual([rows[0].id]);
    });
  });

  describe('failed changes write nothing', () => {
    it('422, 403, 404 and 409 answers leave audit_events untouched', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      const { key } = await createKey(t, tenant, group.id);
      await t.http().post(`/api/v1/keys/${key.id}/revoke`).set(owner).expect(200);
      const viewer = await addMember(t, tenant, 'viewer');
      const [ownerMembership] = await t.db.query(`SELECT id FROM memberships WHERE tenant_id = $1 AND user_id = $2`, [tenant.id, tenant.owner.id]);
      const sourceId = await builtinSourceId(t, tenant);
      const missing = '00000000-0000-4000-8000-000000000000';
      const before = await auditCount();

      const attempts: [number, string, () => Test][] = [
        [422, 'VALIDATION_FAILED', () => t.http().post('/api/v1/groups').set(owner).send({ name: 'bad', serverCode: 'Not Valid' })],
        [422, 'VALIDATION_FAILED', () => t.http().patch('/api/v1/tenant').set(owner).send({ slug: 'renamed' })],
        [422, 'VALIDATION_FAILED', () => t.http().patch(`/api/v1/groups/${group.id}`).set(owner).send({ tenantId: tenant.id })],
        [422, 'VALIDATION_FAILED', () => t.http().post('/api/v1/sources').set(owner).send({ kind: 'builtin', name: 'b', namespace: 'b2' })],
        [403, 'FORBIDDEN', () => t.http().post('/api/v1/groups').set(auth(viewer.token, tenant.id)).send({ name: 'viewer', serverCode: 'viewer-made' })],
        [403, 'FORBIDDEN', () => t.http().post('/api/v1/tenants').set(owner).send({ slug: 'not-admin', name: 'x' })],
        [404, 'NOT_FOUND', () => t.http().patch(`/api/v1/groups/${missing}`).set(owner).send({ name: 'ghost' })],
        [404, 'NOT_FOUND', () => t.http().delete(`/api/v1/tools/${missing}`).set(owner)],
        [404, 'NOT_FOUND', () => t.http().post(`/api/v1/keys/${missing}/revoke`).set(owner)],
        [404, 'NOT_FOUND', () => t.http().delete(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner)],
        [404, 'NOT_FOUND', () => t.http().delete(`/api/v1/members/${missing}`).set(owner)],
        [409, 'SERVER_CODE_TAKEN', () => t.http().post('/api/v1/groups').set(owner).send({ name: 'dup', serverCode: group.serverCode })],
        [409, 'TOOL_NAME_TAKEN', () => t.http().post('/api/v1/tools').set(owner).send({ sourceId, name: tool.name })],
        [409, 'KEY_REVOKED', () => t.http().post(`/api/v1/keys/${key.id}/rotate`).set(owner).send({ overlapSeconds: 60 })],
        [409, 'LAST_OWNER', () => t.http().delete(`/api/v1/members/${ownerMembership.id}`).set(owner)],
        [409, 'MEMBER_EXISTS', () => t.http().post('/api/v1/members').set(owner).send({ email: viewer.email, role: 'admin' })],
      ];
      const outcomes: [number, string][] = [];
      for (const [, , send] of attempts) {
        const res = await send();
        outcomes.push([res.status, res.body.error?.code]);
      }
      expect(outcomes).toEqual(attempts.map(([status, code]) => [status, code]));
      expect(await auditCount()).toBe(before);
    });
  });

  describe('GET /api/v1/audit-events', () => {
    let paged: TestTenant;
    let pagedOwner: Record<string, string>;
    let groups: { id: string }[];

    beforeAll(async () => {
      paged = await createTenant(t);
      pagedOwner = auth(paged.owner.token, paged.id);
      groups = [];
      for (let i = 0; i < 5; i++) groups.push(await createGroup(t, paged));
      await t.http().patch(`/api/v1/groups/${groups[0].id}`).set(pagedOwner).send({ description: 'changed' }).expect(200);
    });

    it('returns events newest first and pages through all of them with a cursor, without duplicates', async () => {
      const expectedOrder: string[] = (
        await t.db.query(`SELECT id FROM audit_events WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, [paged.id])
      ).map((r: { id: string }) => r.id);
      expect(expectedOrder.length).toBeGreaterThanOrEqual(8);

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t
          .http()
          .get('/api/v1/audit-events')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(pagedOwner);
        expect(res.status).toBe(200);
        pageSizes.push(res.body.items.length);
        seen.push(...res.body.items.map((e: { id: string }) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null && pageSizes.length < 50);

      expect(seen).toEqual(expectedOrder);
      expect(new Set(seen).size).toBe(seen.length);
      expect(pageSizes.slice(0, -1).every((n) => n === 2)).toBe(true);

      const first = await t.http().get('/api/v1/audit-events').set(pagedOwner);
      expect(first.body.nextCursor).toBeNull();
      expect(first.body.items[0]).toMatchObject({ action: 'group.update', entityType: 'group', entityId: groups[0].id, actorUserId: paged.owner.id });
      expect(first.body.items.at(-1)).toMatchObject({ action: 'tenant.create', entityId: paged.id });
      const times = first.body.items.map((e: { createdAt: string }) => Date.parse(e.createdAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('filters by entity type, entity id, action and actor', async () => {
      const byEntity = await t.http().get('/api/v1/audit-events').query({ entityType: 'group', entityId: groups[0].id }).set(pagedOwner);
      expect(byEntity.status).toBe(200);
      expect(byEntity.body.items.map((e: { action: string }) => e.action)).toEqual(['group.update', 'group.create']);
      expect(byEntity.body.items[0]).toMatchObject({ before: { description: '' }, after: { description: 'changed' } });

      const byAction = await t.http().get('/api/v1/audit-events').query({ action: 'group.create' }).set(pagedOwner);
      expect(byAction.body.items.map((e: { entityId: string }) => e.entityId).sort()).toEqual(groups.map((g) => g.id).sort());

      const byType = await t.http().get('/api/v1/audit-events').query({ entityType: 'membership' }).set(pagedOwner);
      expect(byType.body.items.map((e: { action: string }) => e.action)).toEqual(['member.add']);

      const byActor = await t.http().get('/api/v1/audit-events').query({ actorUserId: paged.owner.id, action: 'group.update' }).set(pagedOwner);
      expect(byActor.body.items).toHaveLength(1);

      const none = await t.http().get('/api/v1/audit-events').query({ entityType: 'group', entityId: 'no-such-id' }).set(pagedOwner);
      expect(none.body).toEqual({ items: [], nextCursor: null });
      expect((await t.http().get('/api/v1/audit-events').query({ bogus: '1' }).set(pagedOwner)).status).toBe(422);
    });

    it('answers 400 INVALID_CURSOR for a cursor it did not issue', async () => {
      const crafted = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
      const cursors = [
        'not-a-cursor',
        crafted({}),
        crafted(['yesterday', 'x']),
        // Well-formed, but PostgreSQL could not cast these: they must not become a 500.
        crafted(['2025-01-01 00:00:00+00', 'not-a-uuid']),
        crafted(['1', '00000000-0000-4000-8000-000000000000']),
        crafted(['2025-02-30 00:00:00+00', '00000000-0000-4000-8000-000000000000']),
      ];
      for (const cursor of cursors) {
        const res = await t.http().get('/api/v1/audit-events').query({ cursor }).set(pagedOwner);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('INVALID_CURSOR');
      }
    });

    it('lets an auditor read the audit log, refuses a viewer with 403, and keeps tenants apart', async () => {
      const auditor = await addMember(t, paged, 'auditor');
      const viewer = await addMember(t, paged, 'viewer');
      const read = await t.http().get('/api/v1/audit-events').set(auth(auditor.token, paged.id));
      expect(read.status).toBe(200);
      expect(read.body.items.length).toBeGreaterThan(0);
      expect(read.body.items.every((e: { tenantId: string }) => e.tenantId === paged.id)).toBe(true);

      const denied = await t.http().get('/api/v1/audit-events').set(auth(viewer.token, paged.id));
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('FORBIDDEN');

      // Another tenant's owner sees none of these events, even when filtering for them.
      const outsider = await t.http().get('/api/v1/audit-events').query({ entityId: groups[0].id }).set(owner);
      expect(outsider.body.items).toEqual([]);
      expect((await t.http().get('/api/v1/audit-events').set(auth(tenant.owner.token, paged.id))).status).toBe(403);
    });
  });
});
