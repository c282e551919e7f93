// Tool sources: secret settings sealed at rest, never returned, bound to their row.
import { addMember, auth, builtinSourceId, createTenant, TestTenant } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';
import { SourcesService } from './sources.service';

const SECRET = 'sk-live-SECRET123';

describe('sources (real PostgreSQL)', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp();
    [a, b] = [await createTenant(t), await createTenant(t)];
  });
  afterAll(() => t.close());

  const as = (tenant: TestTenant) => auth(tenant.owner.token, tenant.id);
  const body = (overrides: Record<string, unknown> = {}) => ({
    kind: 'mcp_http',
    name: 'CRM upstream',
    namespace: `crm_${++n}`,
    // Loopback without an allowlist entry: discovery is refused by the SSRF guard at once, no traffic leaves.
    config: { urls: ['http://127.0.0.1:9/mcp'] },
    secrets: { Authorization: `Bearer ${SECRET}` },
    ...overrides,
  });
  const create = async (tenant: TestTenant, overrides: Record<string, unknown> = {}) => {
    const res = await t.http().post('/api/v1/sources').set(as(tenant)).send(body(overrides));
    expect(res.status).toBe(201);
    return res.body as { id: string; namespace: string; secretNames: string[] };
  };
  const rowText = async (id: string): Promise<string> => (await t.db.query(`SELECT s::text AS row FROM tool_sources s WHERE id = $1`, [id]))[0].row;
  const sealed = async (id: string): Promise<string | null> =>
    (await t.db.query(`SELECT secrets_encrypted FROM tool_sources WHERE id = $1`, [id]))[0].secrets_encrypted;
  const secretsOf = (tenantId: string, id: string) => t.app.get(SourcesService).secretsOf(tenantId, id);

  it('creates a source: the response names the secrets and holds no secret value', async () => {
    const res = await t.http().post('/api/v1/sources').set(as(a)).send(body());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'mcp_http', name: 'CRM upstream', config: { urls: ['http://127.0.0.1:9/mcp'] }, secretNames: ['Authorization'], enabled: true });
    // The upstream could not be listed, and the source is kept with the reason, so nothing the admin typed is lost.
    expect(res.body.status).toBe('error');
    expect(res.body.lastError).toMatch(/127\.0\.0\.1|loopback/i);
    expect(res.body).not.toHaveProperty('secrets');
    expect(res.body).not.toHaveProperty('secretsEncrypted');
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(res.text).not.toContain('SECRET123');
  });

  it('never returns a secret value from GET or the list', async () => {
    const source = await create(a);
    const one = await t.http().get(`/api/v1/sources/${source.id}`).set(as(a));
    expect(one.status).toBe(200);
    expect(one.body.secretNames).toEqual(['Authorization']);
    expect(one.text).not.toContain('SECRET123');
    expect(one.text).not.toContain(await sealed(source.id));
    const list = await t.http().get('/api/v1/sources').set(as(a));
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain(source.id);
    expect(list.text).not.toContain('SECRET123');
    expect(list.text).not.toMatch(/v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\./);
  });

  it('stores the secrets sealed: the row holds no plaintext, and the service opens them again', async () => {
    const source = await create(a);
    const text = await rowText(source.id);
    expect(text).not.toContain('SECRET123');
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(await sealed(source.id)).toMatch(/^v1\./);
    expect(await secretsOf(a.id, source.id)).toEqual({ Authorization: `Bearer ${SECRET}` });
    // Two sources with the same secret do not share a ciphertext (random IV).
    const twin = await create(a);
    expect(await sealed(twin.id)).not.toBe(await sealed(source.id));
    // The audit trail of the creation does not hold it either.
    const audit: { row: string }[] = await t.db.query(`SELECT e::text AS row FROM audit_events e WHERE entity_id = $1`, [source.id]);
    expect(audit.length).toBeGreaterThan(0);
    for (const { row } of audit) expect(row).not.toContain('SECRET123');
  });

  it('binds a ciphertext to its tenant and row: copied elsewhere it does not open', async () => {
    const source = await create(a);
    const foreign = await create(b, { secrets: { Authorization: 'Bearer other-tenant' } });
    await t.db.query(`UPDATE tool_sources SET secrets_encrypted = $1 WHERE id = $2`, [await sealed(source.id), foreign.id]);
    await expect(secretsOf(b.id, foreign.id)).rejects.toThrow();
    // Same tenant, another row: refused as well.
    const sibling = await create(a);
    await t.db.query(`UPDATE tool_sources SET secrets_encrypted = $1 WHERE id = $2`, [await sealed(source.id), sibling.id]);
    await expect(secretsOf(a.id, sibling.id)).rejects.toThrow();
    // A tampered ciphertext does not open either.
    const original = (await sealed(source.id))!;
    const parts = original.split('.');
    parts[3] = Buffer.from(Buffer.from(parts[3], 'base64').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64');
    await t.db.query(`UPDATE tool_sources SET secrets_encrypted = $1 WHERE id = $2`, [parts.join('.'), sibling.id]);
    await expect(secretsOf(a.id, sibling.id)).rejects.toThrow();
    // The original still opens, and only with its own tenant.
    expect(await secretsOf(a.id, source.id)).toEqual({ Authorization: `Bearer ${SECRET}` });
    await expect(secretsOf(b.id, source.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('PATCH with secrets replaces the whole set; PATCH without them keeps it; an empty set clears it', async () => {
    const source = await create(a, { secrets: { Authorization: `Bearer ${SECRET}`, 'X-Extra': 'extra-value-1' } });
    expect(source.secretNames).toEqual(['Authorization', 'X-Extra']);

    const renamed = await t.http().patch(`/api/v1/sources/${source.id}`).set(as(a)).send({ name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.secretNames).toEqual(['Authorization', 'X-Extra']);
    expect(await secretsOf(a.id, source.id)).toEqual({ Authorization: `Bearer ${SECRET}`, 'X-Extra': 'extra-value-1' });

    const replaced = await t.http().patch(`/api/v1/sources/${source.id}`).set(as(a)).send({ secrets: { 'X-Api-Key': 'sk-live-NEWVALUE456' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.secretNames).toEqual(['X-Api-Key']);
    expect(replaced.text).not.toContain('NEWVALUE456');
    expect(await secretsOf(a.id, source.id)).toEqual({ 'X-Api-Key': 'sk-live-NEWVALUE456' });
    const text = await rowText(source.id);
    expect(text).not.toContain('NEWVALUE456');
    expect(text).not.toContain('SECRET123');
    const audit: { row: string }[] = await t.db.query(`SELECT e::text AS row FROM audit_events e WHERE entity_id = $1`, [source.id]);
    for (const { row } of audit) expect(row).not.toMatch(/NEWVALUE456|SECRET123|extra-value-1/);

    const cleared = await t.http().patch(`/api/v1/sources/${source.id}`).set(as(a)).send({ secrets: {} });
    expect(cleared.body.secretNames).toEqual([]);
    expect(await sealed(source.id)).toBeNull();
    expect(await secretsOf(a.id, source.id)).toEqual({});
  });

  it('refuses to create a builtin source (422) and to delete the builtin one', async () => {
    const res = await t.http().post('/api/v1/sources').set(as(a)).send(body({ kind: 'builtin', secrets: {} }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const builtin = await builtinSourceId(t, a);
    const del = await t.http().delete(`/api/v1/sources/${builtin}`).set(as(a));
    expect(del.status).toBe(422);
    expect((await t.http().get(`/api/v1/sources/${builtin}`).set(as(a))).status).toBe(200);
    const kinds = (await t.http().get('/api/v1/sources').set(as(a))).body.items.filter((s: { kind: string }) => s.kind === 'builtin');
    expect(kinds).toHaveLength(1);
  });

  it('deletes an ordinary source, and it is gone', async () => {
    const source = await create(a);
    expect((await t.http().delete(`/api/v1/sources/${source.id}`).set(as(a))).status).toBe(204);
    expect((await t.http().get(`/api/v1/sources/${source.id}`).set(as(a))).status).toBe(404);
  });

  it('refuses a namespace already used in the tenant with 409 NAMESPACE_TAKEN; another tenant may use it', async () => {
    const source = await create(a);
    const dup = await t.http().post('/api/v1/sources').set(as(a)).send(body({ namespace: source.namespace }));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('NAMESPACE_TAKEN');
    expect(dup.text).not.toContain('SECRET123');
    const builtinDup = await t.http().post('/api/v1/sources').set(as(a)).send(body({ namespace: 'builtin' }));
    expect(builtinDup.status).toBe(409);
    const elsewhere = await t.http().post('/api/v1/sources').set(as(b)).send(body({ namespace: source.namespace }));
    expect(elsewhere.status).toBe(201);
  });

  it('keeps sources to their tenant: another tenant reads, changes and deletes nothing', async () => {
    const source = await create(a);
    expect((await t.http().get(`/api/v1/sources/${source.id}`).set(as(b))).status).toBe(404);
    expect((await t.http().patch(`/api/v1/sources/${source.id}`).set(as(b)).send({ secrets: { Authorization: 'x' } })).status).toBe(404);
    expect((await t.http().delete(`/api/v1/sources/${source.id}`).set(as(b))).status).toBe(404);
    const list = await t.http().get('/api/v1/sources').set(as(b));
    expect(list.body.items.map((s: { id: string }) => s.id)).not.toContain(source.id);
    expect(await secretsOf(a.id, source.id)).toEqual({ Authorization: `Bearer ${SECRET}` });
  });

  it('accepts only known fields, and only writers may write', async () => {
    const extra = await t.http().post('/api/v1/sources').set(as(a)).send({ ...body(), tenantId: b.id });
    expect(extra.status).toBe(422);
    expect(extra.body.error.message).toMatch(/tenantId/);
    const source = await create(a);
    const kindChange = await t.http().patch(`/api/v1/sources/${source.id}`).set(as(a)).send({ kind: 'http' });
    expect(kindChange.status).toBe(422);
    const viewer = await addMember(t, a, 'viewer');
    expect((await t.http().get(`/api/v1/sources/${source.id}`).set(auth(viewer.token, a.id))).status).toBe(200);
    const denied = await t.http().post('/api/v1/sources').set(auth(viewer.token, a.id)).send(body());
    expect(denied.status).toBe(403);
  });
});
