// Keeps each tenant's `tools` rows for the builtin source in step with the @McpTool definitions in the code.
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { schemaHash, type ToolFaceRow } from '../tools/schema-hash';
import { BuiltinToolRegistry } from './builtin-tool-registry';
import { McpToolDefinition } from './mcp-tool.decorator';

export const DEFAULT_TIMEOUT_SECONDS = 30;

/** First key of the per-tenant advisory lock that serialises catalog syncs (the second is the tenant's hash). */
const CATALOG_LOCK = 7_342_002;

export interface CatalogSyncCounts {
  tenants: number;
  inserted: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Builtin names a tool of another source already holds in a tenant: that tool is left alone. */
  shadowed: number;
  /** Tenants whose sync failed (all-tenant runs only; the error is logged). */
  failed: number;
}

const ZERO: CatalogSyncCounts = { tenants: 0, inserted: 0, updated: 0, removed: 0, unchanged: 0, shadowed: 0, failed: 0 };

@Injectable()
export class BuiltinCatalogService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BuiltinCatalogService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: BuiltinToolRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      this.logger.log(await this.syncCatalog(), 'builtin tool catalog synced');
    } catch (err) {
      // The catalog rows from the last sync still serve; a replica should not refuse to start over this.
      this.logger.error({ err }, 'builtin tool catalog sync failed');
    }
  }

  /**
   * Upserts the builtin definitions into one tenant's catalog (inside `manager`'s transaction when given, e.g. the
   * tenant's creation), or into every tenant's, one transaction per tenant. `definitions` defaults to the code's.
   */
  async syncCatalog(manager?: EntityManager, tenantId?: string, definitions: readonly McpToolDefinition[] = this.registry.definitions()): Promise<CatalogSyncCounts> {
    if (tenantId) return this.inTransaction(manager, (m) => this.syncTenant(m, tenantId, definitions));

    const tenants = await this.tenantsInStep(manager ?? this.db.manager, definitions.map(toCatalogRow));
    // Tenants already in step are only counted: every replica checks at boot, so the usual cost is this one query.
    const inStep = tenants.filter((t) => t.in_step).length;
    const total = { ...ZERO, tenants: inStep, unchanged: inStep * definitions.length };
    for (const { id } of tenants.filter((t) => !t.in_step)) {
      try {
        add(total, await this.inTransaction(manager, (m) => this.syncTenant(m, id, definitions)));
      } catch (err) {
        // One tenant's failure must not keep the others' catalogs stale; the gateway still serves the old rows.
        total.failed += 1;
        this.logger.error({ err, tenantId: id }, 'builtin tool catalog sync failed for a tenant');
      }
    }
    return total;
  }

  private async syncTenant(m: EntityManager, tenantId: string, definitions: readonly McpToolDefinition[]): Promise<CatalogSyncCounts> {
    // Replicas booting together sync the same tenant at once: the lock makes them take turns (the second finds nothing
    // to do), and ON CONFLICT keeps even an unlocked writer from failing on the unique name.
    await m.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CATALOG_LOCK, tenantId]);
    const [source]: { id: string }[] = await m.query(
      `SELECT id FROM tool_sources WHERE tenant_id = $1 AND kind = 'builtin' ORDER BY created_at LIMIT 1`,
      [tenantId],
    );
    if (!source) {
      this.logger.warn({ tenantId }, 'tenant has no builtin source; builtin tools not synced');
      return { ...ZERO, tenants: 1 };
    }

    const rows = definitions.map(toCatalogRow);
    // Sorted, so concurrent writers lock rows in the same order. Admin-owned fields (enabled, timeout_seconds,
    // config_data) are set on insert only; the face changes bump the version only when the hash changes.
    const written: { name: string; inserted: boolean }[] = await m.query(
      `INSERT INTO tools (tenant_id, source_id, name, title, description, input_schema, output_schema, annotations,
                          version, schema_hash, timeout_seconds, redaction_paths, enabled, status)
       SELECT $1, $2, d.name, d.title, d.description, d.input_schema, d.output_schema, d.annotations,
              1, d.schema_hash, d.timeout_seconds, d.redaction_paths, true, 'active'
       FROM jsonb_to_recordset($3::jsonb) AS d(name text, title text, description text, input_schema jsonb, output_schema jsonb,
                                                annotations jsonb, schema_hash text, timeout_seconds integer, redaction_paths jsonb)
       ORDER BY d.name
       ON CONFLICT (tenant_id, name) DO UPDATE SET
         title = EXCLUDED.title,
         description = EXCLUDED.description,
         input_schema = EXCLUDED.input_schema,
         output_schema = EXCLUDED.output_schema,
         annotations = EXCLUDED.annotations,
         redaction_paths = EXCLUDED.redaction_paths,
         version = tools.version + CASE WHEN tools.schema_hash = EXCLUDED.schema_hash THEN 0 ELSE 1 END,
         schema_hash = EXCLUDED.schema_hash,
         status = 'active',
         updated_at = now()
       WHERE tools.source_id = EXCLUDED.source_id
         AND (tools.schema_hash <> EXCLUDED.schema_hash OR tools.status <> 'active' OR tools.redaction_paths <> EXCLUDED.redaction_paths)
       RETURNING name, (xmax = 0) AS inserted`,
      [tenantId, source.id, JSON.stringify(rows)],
    );

    // Never deleted: call logs and group assignments keep pointing at the row, and the tool may come back.
    // (Wrapped in a SELECT because TypeORM answers a bare UPDATE with [rows, count] instead of the rows.)
    const removed: { name: string }[] = await m.query(
      `WITH removed AS (
         UPDATE tools SET status = 'removed', updated_at = now()
         WHERE tenant_id = $1 AND source_id = $2 AND status = 'active' AND NOT (name = ANY($3::text[]))
         RETURNING name
       )
       SELECT name FROM removed`,
      [tenantId, source.id, rows.map((r) => r.name)],
    );

    const shadowed: { name: string }[] = await m.query(`SELECT name FROM tools WHERE tenant_id = $1 AND source_id <> $2 AND name = ANY($3::text[])`, [
      tenantId,
      source.id,
      rows.map((r) => r.name),
    ]);
    if (shadowed.length) {
      this.logger.warn({ tenantId, names: shadowed.map((s) => s.name) }, 'builtin tools not synced: another source already has tools with these names');
    }

    const inserted = written.filter((w) => w.inserted).length;
    const updated = written.length - inserted;
    return {
      ...ZERO,
      tenants: 1,
      inserted,
      updated,
      removed: removed.length,
      shadowed: shadowed.length,
      unchanged: rows.length - written.length - shadowed.length,
    };
  }

  /**
   * Every tenant, and whether its builtin catalog already matches `rows`. It does not when a tool is missing, has
   * another hash or redaction paths, is not active, or is active but gone from the code. (A tenant where another
   * source holds a builtin name never matches; its sync is cheap.)
   */
  private async tenantsInStep(m: EntityManager, rows: CatalogRow[]): Promise<{ id: string; in_step: boolean }[]> {
    return m.query(
      `WITH expected AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(name text, schema_hash text, redaction_paths jsonb)
       ), builtin AS (
         SELECT tl.tenant_id, tl.name, tl.schema_hash, tl.redaction_paths FROM tools tl
         JOIN tool_sources s ON s.id = tl.source_id AND s.tenant_id = tl.tenant_id AND s.kind = 'builtin'
         WHERE tl.status = 'active'
       )
       SELECT t.id, NOT (
                EXISTS (
                  SELECT 1 FROM expected e WHERE NOT EXISTS (
                    SELECT 1 FROM builtin b WHERE b.tenant_id = t.id AND b.name = e.name AND b.schema_hash = e.schema_hash AND b.redaction_paths = e.redaction_paths))
                OR EXISTS (SELECT 1 FROM builtin b WHERE b.tenant_id = t.id AND NOT EXISTS (SELECT 1 FROM expected e WHERE e.name = b.name))
              ) AS in_step
       FROM tenants t ORDER BY t.created_at, t.id`,
      [JSON.stringify(rows.map(({ name, schema_hash, redaction_paths }) => ({ name, schema_hash, redaction_paths })))],
    );
  }

  /** Joins the caller's transaction when there is one; otherwise opens one. */
  private inTransaction<T>(manager: EntityManager | undefined, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    if (manager?.queryRunner?.isTransactionActive) return fn(manager);
    return (manager ?? this.db.manager).transaction(fn);
  }
}

interface CatalogRow extends ToolFaceRow {
  timeout_seconds: number;
  redaction_paths: string[];
}

function toCatalogRow(d: McpToolDefinition): CatalogRow {
  const face = {
    name: d.name,
    title: d.title ?? null,
    description: d.description,
    inputSchema: d.inputSchema,
    outputSchema: d.outputSchema ?? null,
    annotations: { ...d.annotations },
  };
  return {
    name: face.name,
    title: face.title,
    description: face.description,
    input_schema: face.inputSchema,
    output_schema: face.outputSchema,
    annotations: face.annotations,
    schema_hash: schemaHash(face),
    timeout_seconds: d.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    redaction_paths: d.redactionPaths ?? [],
  };
}

function add(total: CatalogSyncCounts, c: CatalogSyncCounts): void {
  for (const key of Object.keys(total) as (keyof CatalogSyncCounts)[]) total[key] += c[key];
}
