// Group API keys against real PostgreSQL: shown once, stored as a keyed hash, revoked, expired, rotated, regenerated.
import { createHash, createHmac } from 'node:crypto';
import { addMember, auth, createGroup, createKey, createTenant, TestTenant } from '../../test/factories';
import { createTestApp, TEST_SECRET, TestApp } from '../../test/test-app';
import { SecretKeysService } from '../common/crypto/secret-keys.service';
import { ApiKeysService } from './api-keys.service';

/** The 43-character random part of a key: `tg_<12-char id>_<secret>`. */
const secretOf = (plaintext: string) => plaintext.split('_').slice(2).join('_');

describe('group API keys (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let keys: ApiKeysService;
  let group: { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    keys = t.app.get(ApiKeysService);
    tenant = await createTenant(t);
    other = await createTenant(t);
    group = await createGroup(t, tenant);
  });
  afterAll(() => t.close());

  const owner = () => auth(tenant.owner.token, tenant.id);

  /** Names of the tables in schema public whose row text contains `needle`. */
  async function tablesContaining(needle: string): Promise<string[]> {
    const tables: { table_name: string }[] = await t.db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    expect(tables.map((x) => x.table_name)).toEqual(expect.arrayContaining(['api_keys', 'audit_events', 'tool_groups']));
    const hits: string[] = [];
    for (const { table_name } of tables) {
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE strpos(t::text, $1) > 0`, [needle]);
      if (n > 0) hits.push(table_name);
    }
    return hits;
  }

  it('creates a key: the plaintext once, in the documented shape, with prefix and last 4 for display', async () => {
    const res = await t.http().post(`/api/v1/groups/${group.id}/keys`).set(owner()).send({ name: 'crm agent' });
    expect(res.status).toBe(201);
    const { key, plaintext } = res.body;
    expect(plaintext).toMatch(/^tg_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(secretOf(plaintext)).toHaveLength(43);
    expect(key).toMatchObject({
      groupId: group.id,
      name: 'crm agent',
      prefix: plaintext.slice(0, 15),
      last4: plaintext.slice(-4),
      toolAllowlist: null,
      expiresAt: null,
      revokedAt: null,
      createdBy: tenant.owner.id,
      rotatedFromId: null,
      status: 'active',
    });
    expect(Object.keys(key)).not.toEqual(expect.arrayContaining(['keyHash']));
  });

  it('never shows the plaintext or its secret part again: key list, key by id, group key list', async () => {
    const { key, plaintext } = await createKey(t, tenant, group.id);
    const secret = secretOf(plaintext);
    for (const path of ['/api/v1/keys', `/api/v1/keys?groupId=${group.id}`, `/api/v1/keys/${key.id}`, `/api/v1/groups/${group.id}/keys`]) {
      const res = await t.http().get(path).set(owner());
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).toContain(key.prefix);
      expect(text).not.toContain(plaintext);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/keyHash|key_hash/);
    }
    const byId = await t.http().get(`/api/v1/keys/${key.id}`).set(owner());
    expect(byId.body).toMatchObject({ id: key.id, prefix: plaintext.slice(0, 15), last4: plaintext.slice(-4) });
  });

  it('stores no plaintext anywhere: not in api_keys, not in audit_events, not in any other table', async () => {
    const { plaintext } = await createKey(t, tenant, group.id, { name: 'stored-check' });
    const secret = secretOf(plaintext);
    const rows: { row: string }[] = await t.db.query(`SELECT t::text AS row FROM api_keys t`);
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) {
      expect(row).not.toContain(plaintext);
      expect(row).not.toContain(secret);
    }
    // Hex too, in case a bytea column held the raw key.
    const hex = Buffer.from(plaintext).toString('hex');
    for (const needle of [plaintext, secret, hex]) {
      expect(await tablesContaining(needle)).toEqual([]);
    }
  });

  it('stores HMAC-SHA-256 of the key under a server-derived secret, not a plain digest', async () => {
    const { key, plaintext } = await createKey(t, tenant, group.id);
    const [row] = await t.db.query(
      `SELECT key_hash, key_prefix, last4, key_hash <> sha256(convert_to($2, 'UTF8')) AS differs_from_sha256 FROM api_keys WHERE id = $1`,
      [key.id, plaintext],
    );
    expect(row.differs_from_sha256).toBe(true);
    expect(row.key_prefix).toBe(key.prefix);
    expect(row.last4).toBe(key.last4);
    const stored: Buffer = row.key_hash;
    expect(stored).toHaveLength(32);
    const derived = t.app.get(SecretKeysService).key('api-key-hmac');
    expect(stored.equals(createHmac('sha256', derived).update(plaintext).digest())).toBe(true);
    // Derived from TOOLGATE_SECRET, not the master secret itself, and not a bare digest.
    expect(derived.equals(Buffer.from(TEST_SECRET))).toBe(false);
    expect(stored.equals(createHmac('sha256', TEST_SECRET).update(plaintext).digest())).toBe(false);
    expect(stored.equals(createHash('sha256').update(plaintext).digest())).toBe(false);
  });

  it('verifies a live key and tells apart unknown, malformed, revoked and expired', async () => {
    const live = await createKey(t, tenant, group.id);
    const ok = await keys.verify(live.plaintext);
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.key.id).toBe(live.key.id);

    // The right public id with a wrong secret.
    const forged = `${live.key.prefix}_${'A'.repeat(43)}`;
    expect(forged).toMatch(/^tg_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await keys.verify(forged)).toEqual({ ok: false, reason: 'unknown' });
    // A well-formed key nobody issued.
    expect(await keys.verify(`tg_${'a'.repeat(12)}_${secretOf(live.plaintext)}`)).toEqual({ ok: false, reason: 'unknown' });
    for (const garbage of ['', 'garbage', `Bearer ${live.plaintext}`, `${live.plaintext}x`, live.plaintext.toUpperCase()]) {
      expect(await keys.verify(garbage)).toEqual({ ok: false, reason: 'malformed' });
    }

    const revoked = await t.http().post(`/api/v1/keys/${live.key.id}/revoke`).set(owner());
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: live.key.id, status: 'revoked', revokedAt: expect.any(String) });
    expect(await keys.verify(live.plaintext)).toEqual({ ok: false, reason: 'revoked', keyId: live.key.id });
    expect((await t.http().get(`/api/v1/keys/${live.key.id}`).set(owner())).body.status).toBe('revoked');

    const expiresAt = new Date(Date.now() + 60_000);
    const expiring = await createKey(t, tenant, group.id, { expiresAt: expiresAt.toISOString() });
    expect(expiring.key).toMatchObject({ expiresAt: expiresAt.toISOString() });
    expect((await keys.verify(expiring.plaintext)).ok).toBe(true);
    expect(await keys.verify(expiring.plaintext, new Date(expiresAt.getTime() + 1))).toEqual({ ok: false, reason: 'expired', keyId: expiring.key.id });

    // An expiry that has really passed, as the row says.
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.key.id]);
    expect(await keys.verify(expiring.plaintext)).toEqual({ ok: false, reason: 'expired', keyId: expiring.key.id });
    expect((await t.http().get(`/api/v1/keys/${expiring.key.id}`).set(owner())).body.status).toBe('expired');
  });

  it('rotates: a new plaintext that works at once, the old one until the overlap ends', async () => {
    const old = await createKey(t, tenant, group.id, { name: 'rotating', toolAllowlist: ['crm_lookup'] });
    const res = await t.http().post(`/api/v1/keys/${old.key.id}/rotate`).set(owner()).send({ overlapSeconds: 60 });
    expect(res.status).toBe(201);
    const fresh = res.body as { key: { id: string; prefix: string }; plaintext: string };
    expect(fresh.plaintext).toMatch(/^tg_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(fresh.plaintext).not.toBe(old.plaintext);
    expect(fresh.key).toMatchObject({ name: 'rotating', groupId: group.id, toolAllowlist: ['crm_lookup'], rotatedFromId: old.key.id, expiresAt: null, status: 'active' });

    const now = Date.now();
    expect((await keys.verify(fresh.plaintext)).ok).toBe(true);
    expect((await keys.verify(old.plaintext)).ok).toBe(true);
    expect(await keys.verify(old.plaintext, new Date(now + 61_000))).toEqual({ ok: false, reason: 'expired', keyId: old.key.id });
    expect((await keys.verify(fresh.plaintext, new Date(now + 61_000))).ok).toBe(true);

    const oldDto = (await t.http().get(`/api/v1/keys/${old.key.id}`).set(owner())).body;
    const overlapEnd = Date.parse(oldDto.expiresAt);
    expect(overlapEnd).toBeGreaterThan(now + 50_000);
    expect(overlapEnd).toBeLessThanOrEqual(now + 61_000);
    // The rotation response is the only place the new plaintext appears.
    expect(JSON.stringify((await t.http().get('/api/v1/keys').set(owner())).body)).not.toContain(secretOf(fresh.plaintext));
  });

  it('refuses to rotate or regenerate a revoked key (409 KEY_REVOKED) and an expired one (409 KEY_EXPIRED)', async () => {
    const { key } = await createKey(t, tenant, group.id);
    await t.http().post(`/api/v1/keys/${key.id}/revoke`).set(owner()).expect(200);
    const countBefore = await keyCount();
    for (const action of ['rotate', 'regenerate']) {
      const res = await t.http().post(`/api/v1/keys/${key.id}/${action}`).set(owner()).send(action === 'rotate' ? { overlapSeconds: 60 } : {});
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('KEY_REVOKED');
    }
    const expired = await createKey(t, tenant, group.id);
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.key.id]);
    const res = await t.http().post(`/api/v1/keys/${expired.key.id}/rotate`).set(owner()).send({ overlapSeconds: 60 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('KEY_EXPIRED');
    expect(await keyCount()).toBe(countBefore + 1);
  });

  it('regenerates: the old key is refused at once, the new one works with the same settings', async () => {
    const old = await createKey(t, tenant, group.id, { name: 'regen', toolAllowlist: ['a', 'b'] });
    const res = await t.http().post(`/api/v1/keys/${old.key.id}/regenerate`).set(owner());
    expect(res.status).toBe(201);
    expect(res.body.plaintext).not.toBe(old.plaintext);
    expect(res.body.key).toMatchObject({ name: 'regen', toolAllowlist: ['a', 'b'], rotatedFromId: old.key.id, status: 'active' });
    expect(await keys.verify(old.plaintext)).toEqual({ ok: false, reason: 'revoked', keyId: old.key.id });
    const fresh = await keys.verify(res.body.plaintext);
    expect(fresh.ok && fresh.key.id).toBe(res.body.key.id);
  });

  it('keeps a per-key tool allowlist and changes it with PATCH', async () => {
    const { key } = await createKey(t, tenant, group.id, { toolAllowlist: ['crm_lookup', 'crm_search'] });
    expect(key).toMatchObject({ toolAllowlist: ['crm_lookup', 'crm_search'] });
    const [row] = await t.db.query(`SELECT tool_allowlist FROM api_keys WHERE id = $1`, [key.id]);
    expect(row.tool_allowlist).toEqual(['crm_lookup', 'crm_search']);

    const patched = await t.http().patch(`/api/v1/keys/${key.id}`).set(owner()).send({ toolAllowlist: ['crm_lookup'], name: 'narrowed' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: key.id, name: 'narrowed', toolAllowlist: ['crm_lookup'] });
    expect((await t.http().get(`/api/v1/keys/${key.id}`).set(owner())).body.toolAllowlist).toEqual(['crm_lookup']);

    const cleared = await t.http().patch(`/api/v1/keys/${key.id}`).set(owner()).send({ toolAllowlist: null });
    expect(cleared.body.toolAllowlist).toBeNull();
    const [after] = await t.db.query(`SELECT tool_allowlist FROM api_keys WHERE id = $1`, [key.id]);
    expect(after.tool_allowlist).toBeNull();
  });

  it('rejects unknown fields on create and update (mass assignment): 422, nothing written', async () => {
    const { key } = await createKey(t, tenant, group.id);
    const countBefore = await keyCount();
    for (const extra of [{ tenantId: other.id }, { keyHash: 'AAAA' }, { groupId: group.id }, { revokedAt: null }, { createdBy: other.owner.id }]) {
      const created = await t.http().post(`/api/v1/groups/${group.id}/keys`).set(owner()).send({ name: 'x', ...extra });
      expect(created.status).toBe(422);
      expect(created.body.error.code).toBe('VALIDATION_FAILED');
      expect(created.body.error.message).toContain(Object.keys(extra)[0]);
      const patched = await t.http().patch(`/api/v1/keys/${key.id}`).set(owner()).send({ name: 'y', ...extra });
      expect(patched.status).toBe(422);
    }
    expect(await keyCount()).toBe(countBefore);
    const [row] = await t.db.query(`SELECT name, tenant_id, revoked_at FROM api_keys WHERE id = $1`, [key.id]);
    expect(row).toEqual({ name: 'agent', tenant_id: tenant.id, revoked_at: null });
  });

  it('lists a key under its own group only', async () => {
    const a = await createGroup(t, tenant);
    const b = await createGroup(t, tenant);
    const keyA = await createKey(t, tenant, a.id);
    const keyB = await createKey(t, tenant, b.id);
    const idsOf = async (path: string) => ((await t.http().get(path).set(owner())).body.items as { id: string }[]).map((k) => k.id);
    expect(await idsOf(`/api/v1/groups/${a.id}/keys`)).toEqual([keyA.key.id]);
    expect(await idsOf(`/api/v1/groups/${b.id}/keys`)).toEqual([keyB.key.id]);
    expect(await idsOf(`/api/v1/keys?groupId=${a.id}`)).toEqual([keyA.key.id]);
    expect(await idsOf('/api/v1/keys')).toEqual(expect.arrayContaining([keyA.key.id, keyB.key.id]));
  });

  it("does not let another tenant see, change or use this tenant's keys and groups (404)", async () => {
    const { key, plaintext } = await createKey(t, tenant, group.id);
    const them = auth(other.owner.token, other.id);
    expect((await t.http().get(`/api/v1/keys/${key.id}`).set(them)).status).toBe(404);
    expect((await t.http().patch(`/api/v1/keys/${key.id}`).set(them).send({ name: 'stolen' })).status).toBe(404);
    for (const action of ['revoke', 'rotate', 'regenerate']) {
      const res = await t.http().post(`/api/v1/keys/${key.id}/${action}`).set(them).send({});
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await t.http().post(`/api/v1/groups/${group.id}/keys`).set(them).send({ name: 'intruder' })).status).toBe(404);
    expect((await t.http().get(`/api/v1/groups/${group.id}/keys`).set(them)).status).toBe(404);
    const list = await t.http().get('/api/v1/keys').set(them);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(key.id);
    expect(JSON.stringify((await t.http().get(`/api/v1/keys?groupId=${group.id}`).set(them)).body.items)).toBe('[]');
    // Untouched.
    expect((await keys.verify(plaintext)).ok).toBe(true);
  });

  it('lets a viewer read key metadata but not create, revoke or rotate keys; an auditor reads none', async () => {
    const { key } = await createKey(t, tenant, group.id);
    const viewer = auth((await addMember(t, tenant, 'viewer')).token, tenant.id);
    const auditor = auth((await addMember(t, tenant, 'auditor')).token, tenant.id);
    expect((await t.http().get(`/api/v1/keys/${key.id}`).set(viewer)).status).toBe(200);
    for (const [method, path] of [
      ['post', `/api/v1/groups/${group.id}/keys`],
      ['patch', `/api/v1/keys/${key.id}`],
      ['post', `/api/v1/keys/${key.id}/revoke`],
      ['post', `/api/v1/keys/${key.id}/rotate`],
      ['post', `/api/v1/keys/${key.id}/regenerate`],
    ] as const) {
      const res = await t.http()[method](path).set(viewer).send({ name: 'nope' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await t.http().get('/api/v1/keys').set(auditor)).status).toBe(403);
    expect((await keys.verify((await createKey(t, tenant, group.id)).plaintext)).ok).toBe(true);
    expect((await t.http().get(`/api/v1/keys/${key.id}`).set(viewer)).body.status).toBe('active');
  });

  async function keyCount(): Promise<number> {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM api_keys`);
    return n;
  }
});
