// Cross-tenant isolation of the admin API: one tenant can neither read, change nor name another's objects,
// and request bodies cannot smuggle in a tenant, a key hash or an id (mass assignment).
import { randomBytes, randomUUID } from 'node:crypto';
import {
  addMember,
  auth,
  builtinSourceId,
  createGroup,
  createKey,
  createTenant,
  createTool,
  TestTenant,
  TestUser,
} from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';

const rand = () => randomBytes(4).toString('hex');
const UPSTREAM_SECRET = 'Bearer s3cret';

/** Everything one tenant owns in these tests. */
interface World {
  tenant: TestTenant;
  admin: TestUser;
  viewer: TestUser;
  group: { id: string; serverCode: string };
  tool: { id: string; name: string };
  key: { id: string; prefix: string };
  builtinSourceId: string;
  sourceId: string;
  ownerMembershipId: string;
  viewerMembershipId: string;
  callLogIds: string[];
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Tables whose rows belong to a tenant: the database-level view of "unchanged". */
const TENANT_TABLES = ['tool_groups', 'api_keys', 'tool_sources', 'tools', 'tool_group_tools', 'memberships', 'audit_events', 'call_logs'];

describe('tenant isolation of the admin API (real PostgreSQL)', () => {
  let t: TestApp;
  let A: World;
  let B: World;
  /** Every id and identifying string of B's; none may appear in anything A is shown. */
  let bMarkers: string[];

  async function buildWorld(): Promise<World> {
    const tenant = await createTenant(t);
    const as = auth(tenant.owner.token, tenant.id);
    const admin = await addMember(t, tenant, 'admin');
    const viewer = await addMember(t, tenant, 'viewer');
    const group = await createGroup(t, tenant);
    const tool = await createTool(t, tenant);
    const assigned = await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(as).send({});
    expect(assigned.status).toBe(200);
    const { key } = await createKey(t, tenant, group.id);
    const source = await t
      .http()
      .post('/api/v1/sources')
      .set(as)
      .send({ kind: 'mcp_http', name: `Upstream ${rand()}`, namespace: `up_${rand()}`, config: { urls: ['http://127.0.0.1:9/mcp'] }, secrets: { Authorization: UPSTREAM_SECRET } });
    expect(source.status).toBe(201);
    const members = (await t.http().get('/api/v1/members').set(as)).body.items as { id: string; userId: string }[];
    const callLogIds = [randomUUID(), randomUUID()];
    for (const [i, callId] of callLogIds.entries()) {
      await t.db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, outcome, is_error, duration_ms)
         VALUES ($1, now() - make_interval(mins => $2), $3, $4, $5, $6, $7, 'tools/call', $8, $9, 12)`,
        [callId, i + 1, tenant.id, group.id, key.id, tool.id, tool.name, i === 0 ? 'ok' : 'tool_error', i !== 0],
      );
    }
    return {
      tenant,
      admin,
      viewer,
      group,
      tool,
      key,
      builtinSourceId: await builtinSourceId(t, tenant),
      sourceId: source.body.id,
      ownerMembershipId: members.find((m) => m.userId === tenant.owner.id)!.id,
      viewerMembershipId: members.find((m) => m.userId === viewer.id)!.id,
      callLogIds,
    };
  }

  function send(method: Method, path: string, headers: Record<string, string>, body?: object) {
    const req = t.http()[method](path).set(headers);
    return body === undefined ? req : req.send(body);
  }

  /** What B's owner sees of B's objects, through the API. */
  async function readAsB(): Promise<Record<string, unknown>> {
    const as = auth(B.tenant.owner.token, B.tenant.id);
    const paths = [
      '/api/v1/tenant',
      `/api/v1/groups/${B.group.id}`,
      `/api/v1/groups/${B.group.id}/tools`,
      `/api/v1/groups/${B.group.id}/keys`,
      `/api/v1/keys/${B.key.id}`,
      `/api/v1/tools/${B.tool.id}`,
      `/api/v1/sources/${B.sourceId}`,
      `/api/v1/sources/${B.builtinSourceId}`,
      '/api/v1/members',
      '/api/v1/call-logs',
      '/api/v1/audit-events?limit=500',
    ];
    const out: Record<string, unknown> = {};
    for (const path of paths) {
      const res = await t.http().get(path).set(as);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      out[path] = res.body;
    }
    return out;
  }

  /** Every row the tenant owns, in full (hashes, sealed secrets and timestamps included). */
  async function rowsOf(tenantId: string): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const table of [...TENANT_TABLES, 'tenants']) {
      const column = table === 'tenants' ? 'id' : 'tenant_id';
      const [row] = await t.db.query(`SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]') AS rows FROM ${table} x WHERE ${column} = $1`, [tenantId]);
      out[table] = row.rows;
    }
    return out;
  }

  async function rowCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of [...TENANT_TABLES, 'tenants', 'users']) {
      out[table] = Number((await t.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
    }
    return out;
  }

  let bSeenByB: Record<string, unknown>;
  let bRows: Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_IP_LIMIT_PER_MINUTE: '10000' }, listen: true });
    [A, B] = await Promise.all([buildWorld(), buildWorld()]);
    const bAudit = (await t.http().get('/api/v1/audit-events?limit=500').set(auth(B.tenant.owner.token, B.tenant.id))).body.items as { id: string }[];
    expect(bAudit.length).toBeGreaterThan(3);
    bMarkers = [
      B.tenant.id,
      B.tenant.slug,
      B.group.id,
      B.group.serverCode,
      B.tool.id,
      B.tool.name,
      B.key.id,
      B.key.prefix,
      B.builtinSourceId,
      B.sourceId,
      B.ownerMembershipId,
      B.viewerMembershipId,
      B.tenant.owner.id,
      B.tenant.owner.email,
      B.admin.id,
      B.viewer.id,
      ...B.callLogIds,
      ...bAudit.map((e) => e.id),
    ];
    bSeenByB = await readAsB();
    bRows = await rowsOf(B.tenant.id);
    // The "unchanged" comparisons below are only as good as what they compare.
    for (const table of TENANT_TABLES) expect({ table, rows: (bRows[table] as unknown[]).length > 0 }).toEqual({ table, rows: true });
  });
  afterAll(() => t.close());

  /** Every route that takes an id, aimed at B's objects (or mixing A's and B's) from inside A. */
  function attemptsOnB(): { method: Method; path: string; body?: object }[] {
    const g = B.group.id;
    return [
      { method: 'get', path: `/api/v1/groups/${g}` },
      { method: 'patch', path: `/api/v1/groups/${g}`, body: { name: 'taken over', enabled: false } },
      { method: 'delete', path: `/api/v1/groups/${g}` },
      { method: 'get', path: `/api/v1/groups/${g}/tools` },
      { method: 'put', path: `/api/v1/groups/${g}/tools/${A.tool.id}`, body: {} },
      { method: 'put', path: `/api/v1/groups/${A.group.id}/tools/${B.tool.id}`, body: {} },
      { method: 'put', path: `/api/v1/groups/${g}/tools/${B.tool.id}`, body: { alias: 'hijacked', enabled: false } },
      { method: 'delete', path: `/api/v1/groups/${g}/tools/${A.tool.id}` },
      { method: 'delete', path: `/api/v1/groups/${A.group.id}/tools/${B.tool.id}` },
      { method: 'delete', path: `/api/v1/groups/${g}/tools/${B.tool.id}` },
      { method: 'get', path: `/api/v1/groups/${g}/keys` },
      { method: 'post', path: `/api/v1/groups/${g}/keys`, body: { name: 'planted' } },
      { method: 'get', path: `/api/v1/keys/${B.key.id}` },
      { method: 'patch', path: `/api/v1/keys/${B.key.id}`, body: { name: 'renamed', toolAllowlist: [] } },
      { method: 'post', path: `/api/v1/keys/${B.key.id}/revoke` },
      { method: 'post', path: `/api/v1/keys/${B.key.id}/rotate`, body: {} },
      { method: 'post', path: `/api/v1/keys/${B.key.id}/regenerate` },
      { method: 'get', path: `/api/v1/tools/${B.tool.id}` },
      { method: 'patch', path: `/api/v1/tools/${B.tool.id}`, body: { description: 'poisoned', enabled: true } },
      { method: 'delete', path: `/api/v1/tools/${B.tool.id}` },
      { method: 'get', path: `/api/v1/sources/${B.sourceId}` },
      { method: 'patch', path: `/api/v1/sources/${B.sourceId}`, body: { config: { urls: ['http://attacker.test/mcp'] }, secrets: {} } },
      { method: 'post', path: `/api/v1/sources/${B.sourceId}/refresh` },
      { method: 'get', path: `/api/v1/sources/${B.sourceId}/status` },
      { method: 'delete', path: `/api/v1/sources/${B.sourceId}` },
      { method: 'get', path: `/api/v1/sources/${B.builtinSourceId}` },
      { method: 'delete', path: `/api/v1/sources/${B.builtinSourceId}` },
      { method: 'get', path: `/api/v1/tenants/${B.tenant.id}` },
    ];
  }

  function memberAttemptsOnB(): { method: Method; path: string; body?: object }[] {
    return [
      { method: 'patch', path: `/api/v1/members/${B.ownerMembershipId}`, body: { role: 'viewer' } },
      { method: 'patch', path: `/api/v1/members/${B.viewerMembershipId}`, body: { role: 'owner' } },
      { method: 'delete', path: `/api/v1/members/${B.viewerMembershipId}` },
      { method: 'delete', path: `/api/v1/members/${B.ownerMembershipId}` },
      // A user id is not a membership id, B's included.
      { method: 'delete', path: `/api/v1/members/${B.viewer.id}` },
    ];
  }

  async function expectNotFoundEverywhere(user: TestUser, attempts: { method: Method; path: string; body?: object }[]) {
    const wrong: string[] = [];
    for (const a of attempts) {
      const res = await send(a.method, a.path, auth(user.token, A.tenant.id), a.body);
      // Nest's own 404 for a mistyped path says "No such route."; the lookup's says what was not found.
      const lookedUp = res.status === 404 && res.body?.error?.code === 'NOT_FOUND' && /\bnot found$/.test(res.body.error.message);
      if (!lookedUp) wrong.push(`${a.method.toUpperCase()} ${a.path} -> ${res.status} ${JSON.stringify(res.body)}`);
      const leaked = bMarkers.filter((m) => JSON.stringify(res.body).includes(m) && !a.path.includes(m));
      if (leaked.length) wrong.push(`${a.method.toUpperCase()} ${a.path} echoed B's ${leaked.join(', ')}`);
    }
    expect(wrong).toEqual([]);
  }

  it('answers 404 NOT_FOUND to A’s owner for every route aimed at B’s objects, and changes nothing of B’s', async () => {
    const attempts = [...attemptsOnB(), ...memberAttemptsOnB()];
    expect(attempts.length).toBeGreaterThan(25);
    await expectNotFoundEverywhere(A.tenant.owner, attempts);
    expect(await readAsB()).toEqual(bSeenByB);
    expect(await rowsOf(B.tenant.id)).toEqual(bRows);
  });

  it('answers 404 NOT_FOUND to an A admin likewise (members are the owner’s to manage: 403 before any lookup)', async () => {
    await expectNotFoundEverywhere(A.admin, attemptsOnB());
    for (const a of memberAttemptsOnB()) {
      const res = await send(a.method, a.path, auth(A.admin.token, A.tenant.id), a.body);
      expect({ path: a.path, status: res.status, code: res.body.error?.code }).toEqual({ path: a.path, status: 403, code: 'FORBIDDEN' });
    }
    expect(await readAsB()).toEqual(bSeenByB);
    expect(await rowsOf(B.tenant.id)).toEqual(bRows);
  });

  it('aims those attempts at real routes and objects: B’s owner reads the same paths inside B', async () => {
    const reads = [...attemptsOnB(), ...memberAttemptsOnB()].filter((a) => a.method === 'get');
    expect(reads.length).toBeGreaterThan(5);
    for (const a of reads) {
      const res = await send('get', a.path, auth(B.tenant.owner.token, B.tenant.id));
      expect({ path: a.path, status: res.status }).toEqual({ path: a.path, status: 200 });
    }
  });

  it('leaves no trace in the audit log of the refused attempts', async () => {
    const [{ n }] = await t.db.query(`SELECT count(*) AS n FROM audit_events WHERE tenant_id IS DISTINCT FROM $1 AND entity_id LIKE ANY($2)`, [
      B.tenant.id,
      [B.group.id, B.tool.id, B.key.id, B.sourceId, B.builtinSourceId, B.ownerMembershipId, B.viewerMembershipId].map((id) => `%${id}%`),
    ]);
    expect(Number(n)).toBe(0);
  });

  it('refuses to make a tool of A out of B’s source', async () => {
    const before = await rowCounts();
    for (const sourceId of [B.sourceId, B.builtinSourceId]) {
      const res = await t
        .http()
        .post('/api/v1/tools')
        .set(auth(A.tenant.owner.token, A.tenant.id))
        .send({ sourceId, name: `borrowed_${rand()}`, description: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('shows none of B’s rows in any list A can read, while showing A’s own', async () => {
    const lists: { path: string; mine: string[]; ownerOnly?: boolean }[] = [
      { path: '/api/v1/groups', mine: [A.group.id] },
      { path: '/api/v1/keys', mine: [A.key.id] },
      { path: `/api/v1/keys?groupId=${B.group.id}`, mine: [] },
      { path: `/api/v1/groups/${A.group.id}/keys`, mine: [A.key.id] },
      { path: `/api/v1/groups/${A.group.id}/tools`, mine: [A.tool.id] },
      { path: '/api/v1/tools', mine: [A.tool.id] },
      { path: `/api/v1/tools?sourceId=${B.builtinSourceId}`, mine: [] },
      { path: `/api/v1/tools?groupId=${B.group.id}`, mine: [] },
      { path: '/api/v1/sources', mine: [A.sourceId, A.builtinSourceId] },
      { path: '/api/v1/members', mine: [A.ownerMembershipId, A.viewerMembershipId], ownerOnly: true },
      { path: '/api/v1/call-logs', mine: A.callLogIds },
      { path: `/api/v1/call-logs?groupId=${B.group.id}`, mine: [] },
      { path: `/api/v1/call-logs?keyId=${B.key.id}`, mine: [] },
      { path: `/api/v1/call-logs?toolId=${B.tool.id}`, mine: [] },
      { path: '/api/v1/audit-events?limit=500', mine: [A.group.id, A.key.id, A.tool.id, A.sourceId] },
      { path: `/api/v1/audit-events?entityId=${B.group.id}`, mine: [] },
      { path: '/api/v1/tenants', mine: [A.tenant.id] },
      { path: '/api/v1/tenant', mine: [A.tenant.id] },
    ];
    const wrong: string[] = [];
    for (const user of [A.tenant.owner, A.admin]) {
      for (const list of lists) {
        if (list.ownerOnly && user !== A.tenant.owner) continue;
        const res = await t.http().get(list.path).set(auth(user.token, A.tenant.id));
        const text = JSON.stringify(res.body);
        if (res.status !== 200) wrong.push(`${list.path} -> ${res.status} ${text}`);
        const leaked = bMarkers.filter((m) => text.includes(m));
        if (leaked.length) wrong.push(`${list.path} shows B's ${leaked.join(', ')}`);
        const missing = list.mine.filter((m) => !text.includes(m));
        if (missing.length) wrong.push(`${list.path} lacks A's ${missing.join(', ')}`);
        if (text.includes('s3cret')) wrong.push(`${list.path} shows a source secret`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses with 403 A’s owner and admin naming B in X-Tenant-Id, however the header is spelled', async () => {
    const paths = [
      '/api/v1/tenant',
      '/api/v1/groups',
      '/api/v1/keys',
      '/api/v1/tools',
      '/api/v1/sources',
      '/api/v1/call-logs',
      '/api/v1/audit-events',
      `/api/v1/groups/${B.group.id}`,
      `/api/v1/keys/${B.key.id}`,
      `/api/v1/tools/${B.tool.id}`,
      `/api/v1/sources/${B.sourceId}`,
    ];
    const wrong: string[] = [];
    for (const user of [A.tenant.owner, A.admin]) {
      for (const tenantHeader of [B.tenant.id, B.tenant.id.toUpperCase()]) {
        for (const path of paths) {
          const res = await t.http().get(path).set(auth(user.token, tenantHeader));
          if (res.status !== 403 || res.body.error?.code !== 'FORBIDDEN') wrong.push(`${path} with ${tenantHeader} -> ${res.status}`);
          if (bMarkers.some((m) => !path.includes(m) && JSON.stringify(res.body).includes(m))) wrong.push(`${path} echoed B's data`);
        }
      }
      // Both tenants at once is not a tenant id.
      const both = await t.http().get('/api/v1/groups').set(auth(user.token, `${A.tenant.id}, ${B.tenant.id}`));
      expect(both.status).toBe(422);
      expect(JSON.stringify(both.body)).not.toContain(B.group.id);
      const members = await t.http().get('/api/v1/members').set(auth(user.token, B.tenant.id));
      expect(members.status).toBe(403);
    }
    expect(wrong).toEqual([]);
    expect(await rowsOf(B.tenant.id)).toEqual(bRows);
  });

  it('rejects request bodies that carry a tenant, a key hash, an id or an author with 422, and writes nothing', async () => {
    const tenantIdOfB = B.tenant.id;
    const newGroup = () => ({ name: `Group ${rand()}`, serverCode: `g-${rand()}` });
    const newTool = () => ({ sourceId: A.builtinSourceId, name: `tool_${rand()}` });
    const newSource = () => ({ kind: 'mcp_http', name: `Src ${rand()}`, namespace: `ns_${rand()}`, config: { url: 'http://example.test/mcp' } });
    const cases: { method: Method; path: string; body: object; field: string }[] = [
      { method: 'post', path: '/api/v1/groups', body: { ...newGroup(), tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'post', path: '/api/v1/groups', body: { ...newGroup(), id: B.group.id }, field: 'id' },
      { method: 'post', path: '/api/v1/groups', body: { ...newGroup(), createdBy: B.tenant.owner.id }, field: 'createdBy' },
      { method: 'patch', path: `/api/v1/groups/${A.group.id}`, body: { name: 'x', tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'patch', path: `/api/v1/groups/${A.group.id}`, body: { id: B.group.id }, field: 'id' },
      { method: 'patch', path: `/api/v1/groups/${A.group.id}`, body: { createdBy: B.tenant.owner.id }, field: 'createdBy' },
      { method: 'put', path: `/api/v1/groups/${A.group.id}/tools/${A.tool.id}`, body: { enabled: false, tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'put', path: `/api/v1/groups/${A.group.id}/tools/${A.tool.id}`, body: { groupId: B.group.id }, field: 'groupId' },
      { method: 'put', path: `/api/v1/groups/${A.group.id}/tools/${A.tool.id}`, body: { toolId: B.tool.id }, field: 'toolId' },
      { method: 'post', path: `/api/v1/groups/${A.group.id}/keys`, body: { name: 'k', keyHash: '00'.repeat(32) }, field: 'keyHash' },
      { method: 'post', path: `/api/v1/groups/${A.group.id}/keys`, body: { name: 'k', tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'post', path: `/api/v1/groups/${A.group.id}/keys`, body: { name: 'k', serverCode: B.group.serverCode }, field: 'serverCode' },
      { method: 'post', path: `/api/v1/groups/${A.group.id}/keys`, body: { name: 'k', groupId: B.group.id }, field: 'groupId' },
      { method: 'post', path: `/api/v1/groups/${A.group.id}/keys`, body: { name: 'k', id: randomUUID() }, field: 'id' },
      { method: 'post', path: `/api/v1/groups/${A.group.id}/keys`, body: { name: 'k', createdBy: B.tenant.owner.id }, field: 'createdBy' },
      { method: 'patch', path: `/api/v1/keys/${A.key.id}`, body: { keyHash: '00'.repeat(32) }, field: 'keyHash' },
      { method: 'patch', path: `/api/v1/keys/${A.key.id}`, body: { name: 'k', tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'patch', path: `/api/v1/keys/${A.key.id}`, body: { groupId: B.group.id }, field: 'groupId' },
      { method: 'patch', path: `/api/v1/keys/${A.key.id}`, body: { serverCode: B.group.serverCode }, field: 'serverCode' },
      { method: 'patch', path: `/api/v1/keys/${A.key.id}`, body: { createdBy: B.tenant.owner.id }, field: 'createdBy' },
      { method: 'post', path: `/api/v1/keys/${A.key.id}/rotate`, body: { overlapSeconds: 60, tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'post', path: '/api/v1/tools', body: { ...newTool(), tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'post', path: '/api/v1/tools', body: { ...newTool(), id: B.tool.id }, field: 'id' },
      { method: 'patch', path: `/api/v1/tools/${A.tool.id}`, body: { tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'patch', path: `/api/v1/tools/${A.tool.id}`, body: { sourceId: B.sourceId }, field: 'sourceId' },
      { method: 'patch', path: `/api/v1/tools/${A.tool.id}`, body: { id: B.tool.id }, field: 'id' },
      { method: 'post', path: '/api/v1/sources', body: { ...newSource(), tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'post', path: '/api/v1/sources', body: { ...newSource(), id: B.sourceId }, field: 'id' },
      { method: 'patch', path: `/api/v1/sources/${A.sourceId}`, body: { tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'patch', path: `/api/v1/sources/${A.sourceId}`, body: { secretsEncrypted: 'v1:forged' }, field: 'secretsEncrypted' },
      { method: 'patch', path: `/api/v1/sources/${A.sourceId}`, body: { id: B.sourceId }, field: 'id' },
      { method: 'post', path: '/api/v1/members', body: { email: `m-${rand()}@example.com`, role: 'viewer', password: 'long-enough-password', tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'post', path: '/api/v1/members', body: { email: B.viewer.email, role: 'viewer', userId: B.viewer.id }, field: 'userId' },
      { method: 'patch', path: `/api/v1/members/${A.viewerMembershipId}`, body: { role: 'viewer', tenantId: tenantIdOfB }, field: 'tenantId' },
      { method: 'patch', path: `/api/v1/members/${A.viewerMembershipId}`, body: { role: 'viewer', userId: B.tenant.owner.id }, field: 'userId' },
      { method: 'patch', path: '/api/v1/tenant', body: { id: tenantIdOfB }, field: 'id' },
      { method: 'patch', path: '/api/v1/tenant', body: { name: 'x', slug: B.tenant.slug }, field: 'slug' },
    ];
    const aRows = await rowsOf(A.tenant.id);
    const counts = await rowCounts();
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await send(c.method, c.path, auth(A.tenant.owner.token, A.tenant.id), c.body);
      const ok = res.status === 422 && res.body.error?.code === 'VALIDATION_FAILED' && String(res.body.error?.message).includes(`"${c.field}"`);
      if (!ok) wrong.push(`${c.method.toUpperCase()} ${c.path} with ${c.field} -> ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(wrong).toEqual([]);
    expect(await rowCounts()).toEqual(counts);
    expect(await rowsOf(A.tenant.id)).toEqual(aRows);
    expect(await rowsOf(B.tenant.id)).toEqual(bRows);
  });

  it('refuses B’s server code for a group of A (a real field, so 409 rather than 422), and writes nothing', async () => {
    const aRows = await rowsOf(A.tenant.id);
    const counts = await rowCounts();
    const as = auth(A.tenant.owner.token, A.tenant.id);
    const created = await t.http().post('/api/v1/groups').set(as).send({ name: `Group ${rand()}`, serverCode: B.group.serverCode });
    const renamed = await t.http().patch(`/api/v1/groups/${A.group.id}`).set(as).send({ serverCode: B.group.serverCode });
    for (const res of [created, renamed]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('SERVER_CODE_TAKEN');
      expect(JSON.stringify(res.body)).not.toContain(B.group.id);
    }
    expect(await rowCounts()).toEqual(counts);
    expect(await rowsOf(A.tenant.id)).toEqual(aRows);
    expect(await rowsOf(B.tenant.id)).toEqual(bRows);
  });
});
