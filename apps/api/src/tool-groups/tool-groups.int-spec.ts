// Tool groups, tools and their assignment, against real PostgreSQL: CRUD, conflicts, validation, tenancy, transactions.
import { auth, builtinSourceId, createGroup, createKey, createTenant, createTool, TestTenant } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';

describe('tool groups and tools (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t);
    other = await createTenant(t);
  });
  afterAll(() => t.close());

  const owner = () => auth(tenant.owner.token, tenant.id);
  const them = () => auth(other.owner.token, other.id);
  let seq = 0;
  const code = (label: string) => `${label}-${process.pid}-${++seq}`;

  async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return n;
  }

  /** Makes the next audit insert of `action` fail inside the database, to prove the change around it rolls back. */
  async function withFailingAudit<T>(action: string, fn: () => Promise<T>): Promise<T> {
    await t.db.query(`
      CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = '${action}' THEN RAISE EXCEPTION 'injected audit failure'; END IF;
        RETURN NEW;
      END $$`);
    await t.db.query(`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_fail_audit()`);
    try {
      return await fn();
    } finally {
      await t.db.query(`DROP TRIGGER test_fail_audit ON audit_events`);
      await t.db.query(`DROP FUNCTION test_fail_audit()`);
    }
  }

  describe('groups', () => {
    it('creates a group with defaults (201), reads it, lists it, patches it, deletes it (204, then 404)', async () => {
      const serverCode = code('crm');
      const created = await t.http().post('/api/v1/groups').set(owner()).send({ name: 'CRM agents', serverCode });
      expect(created.status).toBe(201);
      const group = created.body;
      expect(group).toEqual({
        id: expect.any(String),
        name: 'CRM agents',
        description: '',
        serverCode,
        enabled: true,
        allowedRoles: [],
        allowedUserTiers: [],
        rateLimit: {},
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const [row] = await t.db.query(`SELECT tenant_id, created_by FROM tool_groups WHERE id = $1`, [group.id]);
      expect(row).toEqual({ tenant_id: tenant.id, created_by: tenant.owner.id });

      const got = await t.http().get(`/api/v1/groups/${group.id}`).set(owner());
      expect(got.status).toBe(200);
      expect(got.body).toEqual(group);

      const list = await t.http().get('/api/v1/groups').set(owner());
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual(group);

      const patched = await t
        .http()
        .patch(`/api/v1/groups/${group.id}`)
        .set(owner())
        .send({ description: 'Sales CRM', enabled: false, allowedRoles: ['sales'], rateLimit: { perMinute: 60, perKeyPerMinute: 10 } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        id: group.id,
        name: 'CRM agents',
        serverCode,
        description: 'Sales CRM',
        enabled: false,
        allowedRoles: ['sales'],
        rateLimit: { perMinute: 60, perKeyPerMinute: 10 },
      });
      expect((await t.http().get(`/api/v1/groups/${group.id}`).set(owner())).body).toEqual(patched.body);

      const deleted = await t.http().delete(`/api/v1/groups/${group.id}`).set(owner());
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      const gone = await t.http().get(`/api/v1/groups/${group.id}`).set(owner());
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('NOT_FOUND');
      expect((await t.http().delete(`/api/v1/groups/${group.id}`).set(owner())).status).toBe(404);
      expect((await t.http().patch(`/api/v1/groups/${group.id}`).set(owner()).send({ name: 'x' })).status).toBe(404);
    });

    it('refuses a taken server_code with 409 SERVER_CODE_TAKEN, also when another tenant holds it', async () => {
      const mine = await createGroup(t, tenant);
      const theirs = await createGroup(t, other);
      const groupsBefore = await count('tool_groups');
      const auditBefore = await count('audit_events');

      for (const serverCode of [mine.serverCode, theirs.serverCode]) {
        const res = await t.http().post('/api/v1/groups').set(owner()).send({ name: `dup ${serverCode}`, serverCode });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('SERVER_CODE_TAKEN');
        // The conflict does not reveal which tenant holds the code.
        expect(res.body.error.message).not.toContain(other.id);
        expect(res.body.error.message).not.toContain(other.slug);
      }
      const renamed = await t.http().patch(`/api/v1/groups/${mine.id}`).set(owner()).send({ serverCode: theirs.serverCode });
      expect(renamed.status).toBe(409);
      expect(renamed.body.error.code).toBe('SERVER_CODE_TAKEN');

      const sameName = await t.http().post('/api/v1/groups').set(owner()).send({ name: mine.name, serverCode: code('fresh') });
      expect(sameName.status).toBe(409);
      expect(sameName.body.error.code).toBe('GROUP_NAME_TAKEN');
      // Group names are unique per tenant only.
      const nameElsewhere = await t.http().post('/api/v1/groups').set(them()).send({ name: mine.name, serverCode: code('elsewhere') });
      expect(nameElsewhere.status).toBe(201);

      expect(await count('tool_groups')).toBe(groupsBefore + 1);
      expect(await count('audit_events')).toBe(auditBefore + 1);
      expect((await t.http().get(`/api/v1/groups/${mine.id}`).set(owner())).body.serverCode).toBe(mine.serverCode);
    });

    it.each([
      ['uppercase', 'CRM-Agents'],
      ['a space', 'crm agents'],
      ['a path', '../x'],
      ['a leading dash', '-crm'],
      ['one character', 'a'],
      ['65 characters', 'a'.repeat(65)],
    ])('refuses a server_code with %s: 422 VALIDATION_FAILED naming serverCode', async (_, serverCode) => {
      const groupsBefore = await count('tool_groups');
      const res = await t.http().post('/api/v1/groups').set(owner()).send({ name: `bad ${serverCode}`, serverCode });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(/serverCode/);
      expect(res.body.error.details.issues).toContainEqual(expect.objectContaining({ path: 'serverCode' }));

      const group = await createGroup(t, tenant);
      const patched = await t.http().patch(`/api/v1/groups/${group.id}`).set(owner()).send({ serverCode });
      expect(patched.status).toBe(422);
      expect(patched.body.error.message).toMatch(/serverCode/);
      expect(await count('tool_groups')).toBe(groupsBefore + 1);
    });

    it('accepts the longest and shortest valid server_codes (64 and 2 characters)', async () => {
      for (const serverCode of [`z${'9'.repeat(62)}z`, '7q']) {
        const res = await t.http().post('/api/v1/groups').set(owner()).send({ name: `edge ${serverCode}`, serverCode });
        expect(res.status).toBe(201);
      }
    });

    it('rejects unknown fields (mass assignment: tenantId, id, createdBy) with 422 and writes nothing', async () => {
      const victim = await createGroup(t, tenant);
      const groupsBefore = await count('tool_groups');
      const auditBefore = await count('audit_events');
      const forged = { id: victim.id, tenantId: other.id, createdBy: other.owner.id };
      for (const [field, value] of Object.entries(forged)) {
        const created = await t
          .http()
          .post('/api/v1/groups')
          .set(owner())
          .send({ name: `mass ${field}`, serverCode: code('mass'), [field]: value });
        expect(created.status).toBe(422);
        expect(created.body.error.code).toBe('VALIDATION_FAILED');
        expect(created.body.error.message).toContain(field);
        const patched = await t
          .http()
          .patch(`/api/v1/groups/${victim.id}`)
          .set(owner())
          .send({ name: 'renamed', [field]: value });
        expect(patched.status).toBe(422);
        expect(patched.body.error.message).toContain(field);
      }
      expect(await count('tool_groups')).toBe(groupsBefore);
      expect(await count('audit_events')).toBe(auditBefore);
      const [row] = await t.db.query(`SELECT name, tenant_id, created_by FROM tool_groups WHERE id = $1`, [victim.id]);
      expect(row).toEqual({ name: victim.name, tenant_id: tenant.id, created_by: tenant.owner.id });
    });

    it("answers 404 for another tenant's group and never lists it", async () => {
      const theirs = await createGroup(t, other);
      for (const res of [
        await t.http().get(`/api/v1/groups/${theirs.id}`).set(owner()),
        await t.http().patch(`/api/v1/groups/${theirs.id}`).set(owner()).send({ name: 'hijacked' }),
        await t.http().delete(`/api/v1/groups/${theirs.id}`).set(owner()),
        await t.http().get(`/api/v1/groups/${theirs.id}/tools`).set(owner()),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
      const list = await t.http().get('/api/v1/groups').set(owner());
      expect(list.body.items.map((g: { id: string }) => g.id)).not.toContain(theirs.id);
      expect((await t.http().get(`/api/v1/groups/${theirs.id}`).set(them())).body.name).toBe(theirs.name);
    });
  });

  describe('tools', () => {
    it('creates a tool on the builtin source, reads, lists, patches and deletes it', async () => {
      const sourceId = await builtinSourceId(t, tenant);
      const created = await t
        .http()
        .post('/api/v1/tools')
        .set(owner())
        .send({ sourceId, name: 'crm_lookup', description: 'Find a customer', inputSchema: { type: 'object', properties: { id: { type: 'string' } } } });
      expect(created.status).toBe(201);
      const tool = created.body;
      expect(tool).toMatchObject({
        sourceId,
        name: 'crm_lookup',
        description: 'Find a customer',
        version: 1,
        schemaHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        enabled: false,
        status: 'active',
        timeoutSeconds: 30,
      });
      expect((await t.http().get(`/api/v1/tools/${tool.id}`).set(owner())).body).toEqual(tool);
      expect((await t.http().get('/api/v1/tools').set(owner())).body.items).toContainEqual(tool);

      const deleted = await t.http().delete(`/api/v1/tools/${tool.id}`).set(owner());
      expect(deleted.status).toBe(204);
      expect((await t.http().get(`/api/v1/tools/${tool.id}`).set(owner())).status).toBe(404);
    });

    it('refuses a duplicate tool name in the tenant with 409 TOOL_NAME_TAKEN, but not in another tenant', async () => {
      const tool = await createTool(t, tenant);
      const sourceId = await builtinSourceId(t, tenant);
      const dup = await t.http().post('/api/v1/tools').set(owner()).send({ sourceId, name: tool.name });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('TOOL_NAME_TAKEN');
      const renamed = await createTool(t, tenant);
      const clash = await t.http().patch(`/api/v1/tools/${renamed.id}`).set(owner()).send({ name: tool.name });
      expect(clash.status).toBe(409);
      expect(clash.body.error.code).toBe('TOOL_NAME_TAKEN');
      await createTool(t, other, { name: tool.name });
    });

    it('bumps version and schemaHash when the description changes, not when only enabled changes', async () => {
      const tool = (await t.http().get(`/api/v1/tools/${(await createTool(t, tenant)).id}`).set(owner())).body;
      expect(tool.version).toBe(1);

      const enabled = await t.http().patch(`/api/v1/tools/${tool.id}`).set(owner()).send({ enabled: true });
      expect(enabled.status).toBe(200);
      expect(enabled.body).toMatchObject({ enabled: true, version: 1, schemaHash: tool.schemaHash });

      const described = await t.http().patch(`/api/v1/tools/${tool.id}`).set(owner()).send({ description: 'A better description' });
      expect(described.status).toBe(200);
      expect(described.body).toMatchObject({ description: 'A better description', version: 2, enabled: true });
      expect(described.body.schemaHash).not.toBe(tool.schemaHash);

      // The same schema with its keys in another order is the same face: no new version.
      const reordered = await t
        .http()
        .patch(`/api/v1/tools/${tool.id}`)
        .set(owner())
        .send({ inputSchema: { properties: { q: { type: 'string' } }, type: 'object' }, timeoutSeconds: 5 });
      expect(reordered.body).toMatchObject({ version: 2, schemaHash: described.body.schemaHash, timeoutSeconds: 5 });

      const reschema = await t
        .http()
        .patch(`/api/v1/tools/${tool.id}`)
        .set(owner())
        .send({ inputSchema: { type: 'object', properties: { q: { type: 'number' } } } });
      expect(reschema.body.version).toBe(3);
      const [row] = await t.db.query(`SELECT version, schema_hash FROM tools WHERE id = $1`, [tool.id]);
      expect(row).toEqual({ version: 3, schema_hash: reschema.body.schemaHash });
    });

    it("refuses another tenant's source and answers 404 for another tenant's tool", async () => {
      const theirSource = await builtinSourceId(t, other);
      const res = await t.http().post('/api/v1/tools').set(owner()).send({ sourceId: theirSource, name: `stolen_${seq++}` });
      expect(res.status).toBe(404);
      const theirs = await createTool(t, other);
      expect((await t.http().get(`/api/v1/tools/${theirs.id}`).set(owner())).status).toBe(404);
      expect((await t.http().patch(`/api/v1/tools/${theirs.id}`).set(owner()).send({ enabled: true })).status).toBe(404);
      expect((await t.http().delete(`/api/v1/tools/${theirs.id}`).set(owner())).status).toBe(404);
      expect((await t.http().get('/api/v1/tools').set(owner())).body.items.map((x: { id: string }) => x.id)).not.toContain(theirs.id);
      const extra = await t.http().post('/api/v1/tools').set(owner()).send({ sourceId: await builtinSourceId(t, tenant), name: `x_${seq++}`, tenantId: other.id });
      expect(extra.status).toBe(422);
      expect(extra.body.error.message).toContain('tenantId');
    });
  });

  describe('assigning tools to groups', () => {
    it('assigns with overrides, shows them under the group with the alias as exposed name, updates and unassigns', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      const put = await t
        .http()
        .put(`/api/v1/groups/${group.id}/tools/${tool.id}`)
        .set(owner())
        .send({ alias: 'lookup', description: 'Look a customer up', enabled: false, timeoutSeconds: 12 });
      expect(put.status).toBe(200);
      const expected = {
        groupId: group.id,
        toolId: tool.id,
        toolName: tool.name,
        alias: 'lookup',
        description: 'Look a customer up',
        enabled: false,
        timeoutSeconds: 12,
        exposedName: 'lookup',
      };
      expect(put.body).toEqual(expected);
      expect((await t.http().get(`/api/v1/groups/${group.id}/tools`).set(owner())).body.items).toEqual([expected]);
      const filtered = await t.http().get(`/api/v1/tools?groupId=${group.id}`).set(owner());
      expect(filtered.body.items.map((x: { id: string }) => x.id)).toEqual([tool.id]);

      // A second PUT changes the overrides; a null alias exposes the tool's own name again.
      const changed = await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send({ alias: null, enabled: true });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ ...expected, alias: null, enabled: true, exposedName: tool.name });
      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(1);

      const removed = await t.http().delete(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner());
      expect(removed.status).toBe(204);
      expect((await t.http().get(`/api/v1/groups/${group.id}/tools`).set(owner())).body.items).toEqual([]);
      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(0);
      const again = await t.http().delete(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner());
      expect(again.status).toBe(404);
      // Unassigning leaves the tool itself alone.
      expect((await t.http().get(`/api/v1/tools/${tool.id}`).set(owner())).status).toBe(200);
    });

    it("refuses an alias equal to another assigned tool's name or alias (409 ALIAS_TAKEN), writing nothing", async () => {
      const group = await createGroup(t, tenant);
      const a = await createTool(t, tenant);
      const b = await createTool(t, tenant);
      const c = await createTool(t, tenant);
      await t.http().put(`/api/v1/groups/${group.id}/tools/${a.id}`).set(owner()).send({}).expect(200);
      await t.http().put(`/api/v1/groups/${group.id}/tools/${b.id}`).set(owner()).send({ alias: 'shared' }).expect(200);

      const rowsBefore = await count('tool_group_tools', 'group_id = $1', [group.id]);
      const auditBefore = await count('audit_events');
      for (const alias of [a.name, 'shared']) {
        const res = await t.http().put(`/api/v1/groups/${group.id}/tools/${c.id}`).set(owner()).send({ alias });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('ALIAS_TAKEN');
      }
      // Nor may an existing assignment take another's exposed name.
      const clash = await t.http().put(`/api/v1/groups/${group.id}/tools/${a.id}`).set(owner()).send({ alias: 'shared' });
      expect(clash.status).toBe(409);
      expect(clash.body.error.code).toBe('ALIAS_TAKEN');
      // A tool without an alias whose own name is already someone's alias.
      await t.http().put(`/api/v1/groups/${group.id}/tools/${b.id}`).set(owner()).send({ alias: c.name }).expect(200);
      const byName = await t.http().put(`/api/v1/groups/${group.id}/tools/${c.id}`).set(owner()).send({});
      expect(byName.status).toBe(409);
      expect(byName.body.error.code).toBe('ALIAS_TAKEN');

      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(rowsBefore);
      expect(await count('tool_group_tools', 'tool_id = $1', [c.id])).toBe(0);
      expect(await count('audit_events')).toBe(auditBefore + 1);
      const [aRow] = await t.db.query(`SELECT alias FROM tool_group_tools WHERE group_id = $1 AND tool_id = $2`, [group.id, a.id]);
      expect(aRow.alias).toBeNull();

      // The same alias is fine in another group.
      const elsewhere = await createGroup(t, tenant);
      await t.http().put(`/api/v1/groups/${elsewhere.id}/tools/${c.id}`).set(owner()).send({ alias: 'shared' }).expect(200);
    });

    it('rejects invalid overrides and unknown fields with 422, and other tenants’ tools or groups with 404', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      const theirTool = await createTool(t, other);
      const theirGroup = await createGroup(t, other);
      for (const body of [{ alias: 'has space' }, { timeoutSeconds: 0 }, { timeoutSeconds: 3601 }, { tenantId: other.id }, { toolId: theirTool.id }]) {
        const res = await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send(body);
        expect(res.status).toBe(422);
        expect(res.body.error.message).toContain(Object.keys(body)[0]);
      }
      expect((await t.http().put(`/api/v1/groups/${group.id}/tools/${theirTool.id}`).set(owner()).send({})).status).toBe(404);
      expect((await t.http().put(`/api/v1/groups/${theirGroup.id}/tools/${tool.id}`).set(owner()).send({})).status).toBe(404);
      expect(await count('tool_group_tools', 'group_id = ANY($1)', [[group.id, theirGroup.id]])).toBe(0);

      await t.http().put(`/api/v1/groups/${theirGroup.id}/tools/${theirTool.id}`).set(them()).send({}).expect(200);
      expect((await t.http().delete(`/api/v1/groups/${theirGroup.id}/tools/${theirTool.id}`).set(owner())).status).toBe(404);
      expect(await count('tool_group_tools', 'group_id = $1', [theirGroup.id])).toBe(1);
    });

    it("refuses to rename a tool to a name another tool is exposed under in one of its groups (409 ALIAS_TAKEN)", async () => {
      const group = await createGroup(t, tenant);
      const plain = await createTool(t, tenant);
      const aliased = await createTool(t, tenant);
      await t.http().put(`/api/v1/groups/${group.id}/tools/${plain.id}`).set(owner()).send({}).expect(200);
      await t.http().put(`/api/v1/groups/${group.id}/tools/${aliased.id}`).set(owner()).send({ alias: 'taken_name' }).expect(200);

      const res = await t.http().patch(`/api/v1/tools/${plain.id}`).set(owner()).send({ name: 'taken_name' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ALIAS_TAKEN');
      expect((await t.http().get(`/api/v1/tools/${plain.id}`).set(owner())).body.name).toBe(plain.name);
      const exposed = (await t.http().get(`/api/v1/groups/${group.id}/tools`).set(owner())).body.items.map((x: { exposedName: string }) => x.exposedName);
      expect(new Set(exposed).size).toBe(exposed.length);

      // Where the tool has its own alias, its name is not what agents see: the rename is fine.
      await t.http().put(`/api/v1/groups/${group.id}/tools/${plain.id}`).set(owner()).send({ alias: 'plain_alias' }).expect(200);
      const renamed = await t.http().patch(`/api/v1/tools/${plain.id}`).set(owner()).send({ name: 'taken_name' });
      expect(renamed.status).toBe(200);
    });

    it('deleting a tool removes its assignments', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send({}).expect(200);
      await t.http().delete(`/api/v1/tools/${tool.id}`).set(owner()).expect(204);
      expect(await count('tool_group_tools', 'tool_id = $1', [tool.id])).toBe(0);
      expect((await t.http().get(`/api/v1/groups/${group.id}/tools`).set(owner())).body.items).toEqual([]);
    });
  });

  describe('cascades and transactions', () => {
    it('deleting a group deletes its keys and assignments, not the tools', async () => {
      const group = await createGroup(t, tenant);
      const tools = [await createTool(t, tenant), await createTool(t, tenant)];
      for (const tool of tools) await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send({}).expect(200);
      const keys = [await createKey(t, tenant, group.id), await createKey(t, tenant, group.id)];
      expect(await count('api_keys', 'group_id = $1', [group.id])).toBe(2);
      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(2);

      await t.http().delete(`/api/v1/groups/${group.id}`).set(owner()).expect(204);
      expect(await count('tool_groups', 'id = $1', [group.id])).toBe(0);
      expect(await count('api_keys', 'group_id = $1', [group.id])).toBe(0);
      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(0);
      for (const key of keys) expect((await t.http().get(`/api/v1/keys/${key.key.id}`).set(owner())).status).toBe(404);
      expect(await count('tools', 'id = ANY($1)', [tools.map((x) => x.id)])).toBe(2);
    });

    it('rolls back an assignment whose audit event cannot be written: no row, no event', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      const auditBefore = await count('audit_events');
      const res = await withFailingAudit('group.tool.add', () => t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send({ alias: 'x' }));
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('INTERNAL');
      expect(res.body.error.message).not.toMatch(/injected|audit_events|trigger/);
      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(0);
      expect(await count('audit_events')).toBe(auditBefore);
      // The same assignment goes through once the audit works again.
      await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send({ alias: 'x' }).expect(200);
      expect(await count('audit_events')).toBe(auditBefore + 1);
    });

    it('rolls back a group deletion whose audit event cannot be written: group, keys and assignments stay', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(owner()).send({}).expect(200);
      const { key } = await createKey(t, tenant, group.id);
      const res = await withFailingAudit('group.delete', () => t.http().delete(`/api/v1/groups/${group.id}`).set(owner()));
      expect(res.status).toBe(500);
      expect(await count('tool_groups', 'id = $1', [group.id])).toBe(1);
      expect(await count('api_keys', 'id = $1', [key.id])).toBe(1);
      expect(await count('tool_group_tools', 'group_id = $1', [group.id])).toBe(1);
      expect(await count('audit_events', `action = 'group.delete' AND entity_id = $1`, [group.id])).toBe(0);
    });

    it('rolls back a group update and a tool update whose audit event cannot be written', async () => {
      const group = await createGroup(t, tenant);
      const tool = await createTool(t, tenant);
      const g = await withFailingAudit('group.update', () => t.http().patch(`/api/v1/groups/${group.id}`).set(owner()).send({ name: 'never saved' }));
      expect(g.status).toBe(500);
      expect((await t.http().get(`/api/v1/groups/${group.id}`).set(owner())).body.name).toBe(group.name);
      const u = await withFailingAudit('tool.update', () => t.http().patch(`/api/v1/tools/${tool.id}`).set(owner()).send({ description: 'never saved' }));
      expect(u.status).toBe(500);
      expect((await t.http().get(`/api/v1/tools/${tool.id}`).set(owner())).body).toMatchObject({ description: 'A test tool', version: 1 });
    });
  });
});
