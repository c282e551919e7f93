// What a group exposes right now: its enabled tools with the group's overrides applied. Cached per group
// for MCP_AUTH_CACHE_MS so the hot path does no query; dropped at once on local admin changes. A catalog
// in use is reloaded in the background in the last quarter of that period, so calls do not wait for it.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SourceKind } from '@toolgate/contracts';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../../common/events/domain-events';
import { AppConfigService } from '../../config/app-config.service';
import type { ToolFaceRow } from '../../tools/schema-hash';

export interface ExposedTool {
  toolId: string;
  /** The name agents see and call: the group's alias, else the tool's own name. */
  name: string;
  originalName: string;
  title: string | null;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
  annotations: Record<string, unknown>;
  schemaHash: string;
  timeoutSeconds: number;
  configData: Record<string, unknown>;
  redactionPaths: string[];
  sourceId: string;
  sourceKind: SourceKind;
  /** The source's cap on calls in flight (config.resilience.maxConcurrent); null = none. */
  sourceMaxConcurrent: number | null;
  /** The name the source knows the tool by (upstream tools); the tool's own name otherwise. */
  upstreamName: string;
  /** HTTP tools: the request a call becomes. */
  binding: Record<string, unknown> | null;
}

export interface GroupCatalog {
  tools: ExposedTool[];
  byName: Map<string, ExposedTool>;
  fingerprint: string;
}

interface Entry {
  catalog: GroupCatalog;
  fetchedAt: number;
}

interface Load {
  promise: Promise<GroupCatalog>;
  /** The group's generation when the load began: a change since then makes its answer stale. */
  generation: number;
}

/** Served stale while PostgreSQL is unreachable, so a database outage does not stop calls. */
const STALE_IF_ERROR_MS = 5 * 60_000;

@Injectable()
export class GroupCatalogService {
  private readonly logger = new Logger(GroupCatalogService.name);
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Load>();
  /** Bumped on every change of a group: a load that began before it never lands in the cache. */
  private readonly generations = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfigService,
    events: DomainEvents,
  ) {
    events.on('catalog.changed', ({ groupIds }) => groupIds.forEach((id) => this.invalidate(id)));
    events.on('group.changed', ({ groupId }) => this.invalidate(groupId));
  }

  async get(groupId: string): Promise<GroupCatalog> {
    const entry = this.cache.get(groupId);
    const now = Date.now();
    const ttl = this.config.env.MCP_AUTH_CACHE_MS;
    if (entry && now - entry.fetchedAt < ttl) {
      // Refresh ahead: the calls keep the cached catalog while the next one loads.
      if (now - entry.fetchedAt >= ttl * 0.75) this.refreshAhead(groupId);
      return entry.catalog;
    }
    try {
      return await this.loading(groupId);
    } catch (err) {
      if (entry && now - entry.fetchedAt < STALE_IF_ERROR_MS) {
        this.logger.warn({ groupId }, 'serving a cached tool catalog: the database is unreachable');
        return entry.catalog;
      }
      throw err;
    }
  }

  private invalidate(groupId: string): void {
    this.generations.set(groupId, (this.generations.get(groupId) ?? 0) + 1);
    this.cache.delete(groupId);
    this.inflight.delete(groupId);
  }

  /** The load in flight for the group, or a new one; callers arriving meanwhile share it. */
  private loading(groupId: string): Promise<GroupCatalog> {
    const current = this.inflight.get(groupId);
    if (current) return current.promise;
    const generation = this.generations.get(groupId) ?? 0;
    const load: Load = { generation, promise: this.load(groupId, generation) };
    this.inflight.set(groupId, load);
    const done = () => {
      if (this.inflight.get(groupId) === load) this.inflight.delete(groupId);
    };
    load.promise.then(done, done);
    return load.promise;
  }

  private refreshAhead(groupId: string): void {
    if (this.inflight.has(groupId)) return;
    this.loading(groupId).catch((err: unknown) => {
      // The cached catalog stays until its period ends; the next call after that tries again and says why.
      this.logger.warn({ groupId, err: err instanceof Error ? err.message : String(err) }, 'refreshing a tool catalog ahead of expiry failed');
    });
  }

  private async load(groupId: string, generation: number): Promise<GroupCatalog> {
    const rows: CatalogRow[] = await this.db.query(
      `SELECT t.id, t.name, t.title, t.description, t.input_schema, t.output_schema, t.annotations, t.schema_hash,
              t.timeout_seconds, t.config_data, t.redaction_paths, t.source_id, s.kind AS source_kind,
              (s.config->'resilience'->>'maxConcurrent')::int AS source_max_concurrent,
              coalesce(t.upstream_name, t.name) AS upstream_name, t.binding,
              gt.alias, gt.description AS description_override, gt.timeout_seconds AS timeout_override
         FROM tool_group_tools gt
         JOIN tools t ON t.id = gt.tool_id AND t.tenant_id = gt.tenant_id
         JOIN tool_sources s ON s.id = t.source_id AND s.tenant_id = t.tenant_id
        WHERE gt.group_id = $1 AND gt.enabled AND t.enabled AND t.status = 'active' AND s.enabled
        ORDER BY coalesce(gt.alias, t.name)`,
      [groupId],
    );
    const tools = rows.map(toExposed);
    const catalog: GroupCatalog = {
      tools,
      byName: new Map(tools.map((t) => [t.name, t])),
      fingerprint: tools.map((t) => `${t.name}:${t.schemaHash}:${t.description.length}`).join('|'),
    };
    // A change during the query (an admin edit, an event from another replica) wins: this answer is not kept.
    if ((this.generations.get(groupId) ?? 0) === generation) this.cache.set(groupId, { catalog, fetchedAt: Date.now() });
    return catalog;
  }
}

interface CatalogRow extends ToolFaceRow {
  id: string;
  timeout_seconds: number;
  config_data: Record<string, unknown>;
  redaction_paths: string[];
  source_id: string;
  source_kind: SourceKind;
  source_max_concurrent: number | null;
  upstream_name: string;
  binding: Record<string, unknown> | null;
  alias: string | null;
  description_override: string | null;
  timeout_override: number | null;
}

function toExposed(r: CatalogRow): ExposedTool {
  return {
    toolId: r.id,
    name: r.alias ?? r.name,
    originalName: r.name,
    title: r.title,
    description: r.description_override ?? r.description,
    inputSchema: r.input_schema,
    outputSchema: r.output_schema,
    annotations: r.annotations,
    schemaHash: r.schema_hash,
    timeoutSeconds: r.timeout_override ?? r.timeout_seconds,
    configData: r.config_data,
    redactionPaths: r.redaction_paths,
    sourceId: r.source_id,
    sourceKind: r.source_kind,
    sourceMaxConcurrent: r.source_max_concurrent,
    upstreamName: r.upstream_name,
    binding: r.binding,
  };
}
