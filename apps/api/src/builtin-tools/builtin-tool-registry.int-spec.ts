import { randomUUID } from 'node:crypto';
import { createApp } from '../app.factory';
import { createGroup, createTenant } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';
import { ToolGroupsService } from '../tool-groups/tool-groups.service';
import { schemaHash } from '../tools/schema-hash';
import { BuiltinCatalogService, CatalogSyncCounts } from './builtin-catalog.service';
import { BuiltinToolRegistry } from './builtin-tool-registry';
import { McpToolDefinition } from './mcp-tool.decorator';
import { testToolContext } from './tool-context.testing';

/** What agents see of a definition, as the catalog stores and hashes it. */
const faceOf = (d: McpToolDefinition) => ({
  name: d.name,
  title: d.title ?? null,
  description: d.description,
  inputSchema: d.inputSchema,
  outputSchema: d.outputSchema ?? null,
  annotations: d.annotations ?? {},
});

const CRM_TOOLS = ['create_task', 'get_conversation_messages', 'get_customer_profile', 'get_task', 'get_user_profile', 'update_task_status'];

interface ToolRow {
  id: string;
  name: string;
  source_kind: string;
  title: string | null;
  description: string;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown> | null;
  annotations: Record<string, unknown>;
  version: number;
  schema_hash: string;
  timeout_seconds: number;
  config_data: Record<string, unknown>;
  redaction_paths: string[];
  enabled: boolean;
  status: string;
  updated_at: Date;
}

describe('builtin tools: discovery and the per-tenant catalog (real PostgreSQL)', () => {
  let t: TestApp;
  let registry: BuiltinToolRegistry;
  let catalog: BuiltinCatalogService;
  let defs: McpToolDefinition[];

  beforeAll(async () => {
    t = await createTestApp();
    registry = t.app.get(BuiltinToolRegistry);
    catalog = t.app.get(BuiltinCatalogService);
    defs = registry.definitions();
  });
  afterAll(() => t.close());

  const builtinRows = async (tenantId: string): Promise<ToolRow[]> =>
    t.db.query(
      `SELECT t.*, s.kind AS source_kind FROM tools t JOIN tool_sources s ON s.id = t.source_id
       WHERE t.tenant_id = $1 AND s.kind = 'builtin' ORDER BY t.name`,
      [tenantId],
    );
  const rowNamed = async (tenantId: string, name: string): Promise<ToolRow> => (await builtinRows(tenantId)).find((r) => r.name === name)!;
  const withDescription = (name: string, description: string) => defs.map((d) => (d.name === name ? { ...d, description } : d));
  const counts = (c: Partial<CatalogSyncCounts>): CatalogSyncCounts => ({ tenants: 1, inserted: 0, updated: 0, removed: 0, unchanged: 0, shadowed: 0, failed: 0, ...c });

  it('discovers echo and the six crm tools, each with an object input schema, an output schema and annotations', () => {
    const names = defs.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['echo', ...CRM_TOOLS]));
    for (const name of ['echo', ...CRM_TOOLS]) {
      const d = registry.get(name)!.definition;
      expect({ name, type: d.inputSchema.type, output: d.outputSchema?.type, readOnly: typeof d.annotations?.readOnlyHint }).toEqual({
        name,
        type: 'object',
        output: 'object',
        readOnly: 'boolean',
      });
    }
    expect(registry.get('echo')!.definition.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    expect(registry.get('create_task')!.definition.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(registry.get('update_task_status')!.definition.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: true });
  });

  it('echo returns its text as structured content and as text', async () => {
    const result = await registry.get('echo')!.invoke({ text: '你好, agent' }, testToolContext(randomUUID()));
    expect(result).toEqual({ content: [{ type: 'text', text: '{"text":"你好, agent"}' }], structuredContent: { text: '你好, agent' } });
  });

  it('a new tenant has every builtin tool in its catalog at once: builtin source, enabled, version 1, the hash of its face', async () => {
    const tenant = await createTenant(t);
    const rows = await builtinRows(tenant.id);
    expect(rows.map((r) => r.name)).toEqual(defs.map((d) => d.name));
    for (const d of defs) {
      const row = rows.find((r) => r.name === d.name)!;
      const face = faceOf(d);
      expect(row).toMatchObject({
        source_kind: 'builtin',
        title: face.title,
        description: d.description,
        input_schema: d.inputSchema,
        output_schema: face.outputSchema,
        annotations: face.annotations,
        version: 1,
        schema_hash: schemaHash(face),
        timeout_seconds: d.timeoutSeconds ?? 30,
        redaction_paths: d.redactionPaths ?? [],
        enabled: true,
        status: 'active',
      });
    }
    // Nothing leaks into other tenants: each has its own rows.
    const other = await createTenant(t);
    const otherIds = new Set((await builtinRows(other.id)).map((r) => r.id));
    expect(rows.some((r) => otherIds.has(r.id))).toBe(false);
  });

  it('syncing again changes nothing', async () => {
    const tenant = await createTenant(t);
    const before = await builtinRows(tenant.id);
    expect(await catalog.syncCatalog(undefined, tenant.id)).toEqual(counts({ unchanged: defs.length }));
    expect(await builtinRows(tenant.id)).toEqual(before);
  });

  it('a changed definition bumps the version and hash but keeps what the admin set (enabled, timeout, config)', async () => {
    const tenant = await createTenant(t);
    await t.db.query(`UPDATE tools SET enabled = false, timeout_seconds = 99, config_data = '{"region":"cn"}' WHERE tenant_id = $1 AND name = 'echo'`, [tenant.id]);
    const changed = withDescription('echo', 'Echoes, version two.');

    expect(await catalog.syncCatalog(undefined, tenant.id, changed)).toEqual(counts({ updated: 1, unchanged: defs.length - 1 }));
    const echo = await rowNamed(tenant.id, 'echo');
    expect(echo).toMatchObject({ description: 'Echoes, version two.', version: 2, enabled: false, timeout_seconds: 99, config_data: { region: 'cn' } });
    expect(echo.schema_hash).toBe(schemaHash(faceOf(changed.find((d) => d.name === 'echo')!)));
    expect(echo.schema_hash).not.toBe(schemaHash(faceOf(registry.get('echo')!.definition)));

    // The same definitions again: no second bump.
    expect(await catalog.syncCatalog(undefined, tenant.id, changed)).toEqual(counts({ unchanged: defs.length }));
    expect((await rowNamed(tenant.id, 'echo')).version).toBe(2);
  });

  it('a tool gone from the code is marked removed, never deleted, keeps its group places, and comes back when it returns', async () => {
    const tenant = await createTenant(t);
    const group = await createGroup(t, tenant);
    const echo = await rowNamed(tenant.id, 'echo');
    const scope = { userId: tenant.owner.id, email: tenant.owner.email, name: 'Owner', isPlatformAdmin: false, sessionId: 's', ip: null, requestId: 'r', tenantId: tenant.id, role: 'owner' as const };
    await t.app.get(ToolGroupsService).assignTool(scope, group.id, echo.id, {});

    expect(await catalog.syncCatalog(undefined, tenant.id, defs.filter((d) => d.name !== 'echo'))).toEqual(counts({ removed: 1, unchanged: defs.length - 1 }));
    expect(await rowNamed(tenant.id, 'echo')).toMatchObject({ id: echo.id, status: 'removed', version: 1 });
    expect(await t.db.query(`SELECT 1 FROM tool_group_tools WHERE group_id = $1 AND tool_id = $2`, [group.id, echo.id])).toHaveLength(1);

    expect(await catalog.syncCatalog(undefined, tenant.id)).toEqual(counts({ updated: 1, unchanged: defs.length - 1 }));
    expect(await rowNamed(tenant.id, 'echo')).toMatchObject({ id: echo.id, status: 'active', version: 1 });
  });

  it('leaves a tool of another source alone when it already has a builtin name', async () => {
    const tenant = await createTenant(t);
    const [source] = await t.db.query(
      `INSERT INTO tool_sources (tenant_id, kind, name, namespace) VALUES ($1, 'http', 'Orders API', 'orders') RETURNING id`,
      [tenant.id],
    );
    await t.db.query(`INSERT INTO tools (tenant_id, source_id, name, description, schema_hash) VALUES ($1, $2, 'lookup_order', 'upstream', 'h')`, [
      tenant.id,
      source.id,
    ]);
    const extra: McpToolDefinition = { name: 'lookup_order', description: 'builtin', inputSchema: { type: 'object' } };

    expect(await catalog.syncCatalog(undefined, tenant.id, [...defs, extra])).toEqual(counts({ shadowed: 1, unchanged: defs.length }));
    const [row] = await t.db.query(`SELECT source_id, description FROM tools WHERE tenant_id = $1 AND name = 'lookup_order'`, [tenant.id]);
    expect(row).toEqual({ source_id: source.id, description: 'upstream' });
  });

  it('replicas syncing every tenant at the same moment all succeed, and each tool exists once', async () => {
    const tenants = [await createTenant(t), await createTenant(t)];
    await t.db.query(`DELETE FROM tools WHERE tenant_id = ANY($1::uuid[])`, [tenants.map((x) => x.id)]);

    const results = await Promise.all([1, 2, 3, 4].map(() => catalog.syncCatalog()));
    expect(results.every((r) => r.failed === 0)).toBe(true);
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(2 * defs.length);
    for (const tenant of tenants) {
      expect((await builtinRows(tenant.id)).map((r) => r.name)).toEqual(defs.map((d) => d.name));
    }
  });

  it('syncing every tenant touches only those out of step, and then nothing', async () => {
    const inStep = await createTenant(t);
    const outOfStep = await createTenant(t);
    // A builtin tool an earlier version of the code had.
    await t.db.query(
      `INSERT INTO tools (tenant_id, source_id, name, description, schema_hash, enabled)
       SELECT $1, id, 'retired_tool', 'gone from the code', 'h', true FROM tool_sources WHERE tenant_id = $1 AND kind = 'builtin'`,
      [outOfStep.id],
    );
    const before = await builtinRows(inStep.id);

    const first = await catalog.syncCatalog();
    expect(first).toMatchObject({ failed: 0, inserted: 0 });
    expect(first.removed).toBeGreaterThanOrEqual(1);
    expect(await rowNamed(outOfStep.id, 'retired_tool')).toMatchObject({ status: 'removed' });
    expect(await builtinRows(inStep.id)).toEqual(before);

    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tenants`);
    expect(await catalog.syncCatalog()).toMatchObject({ tenants: n, inserted: 0, updated: 0, removed: 0, failed: 0 });
  });

  it('at bootstrap each replica syncs the tenants that exist; two booting together do not fail', async () => {
    const [tenant] = await t.db.query(`INSERT INTO tenants (slug, name) VALUES ($1, 'Made without the catalog') RETURNING id`, [`boot-${Date.now()}`]);
    await t.db.query(`INSERT INTO tool_sources (tenant_id, kind, name, namespace, status) VALUES ($1, 'builtin', 'Built-in tools', 'builtin', 'healthy')`, [tenant.id]);
    expect(await builtinRows(tenant.id)).toEqual([]);

    const replicas = await Promise.all(
      [1, 2].map(async () => {
        const app = await createApp(t.env);
        await app.init();
        return app;
      }),
    );
    try {
      expect((await builtinRows(tenant.id)).map((r) => [r.name, r.version, r.status])).toEqual(defs.map((d) => [d.name, 1, 'active']));
    } finally {
      await Promise.all(replicas.map((a) => a.close()));
    }
  });
});
