// Turns a source row into what the code that talks to the upstream needs: its checked config, its decrypted
// secrets and the tenant's network allowlist. Cached briefly so calls do no query; dropped at once when the
// source changes on this replica (other replicas pick the change up within the cache time).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../common/events/domain-events';
import { AppException } from '../common/errors/app-exception';
import { AppConfigService } from '../config/app-config.service';
import { isUpstreamKind, parseSourceConfig } from './source-config';
import { SourcesService } from './sources.service';
import { StdioCommandsService } from './stdio-commands/stdio-commands.service';
import type { ResolvedSource } from './upstream/upstream.types';

interface Entry {
  tenantId: string;
  source: Promise<ResolvedSource>;
  at: number;
}

@Injectable()
export class SourceResolver {
  private readonly cache = new Map<string, Entry>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sources: SourcesService,
    private readonly stdioCommands: StdioCommandsService,
    private readonly config: AppConfigService,
    events: DomainEvents,
  ) {
    events.on('source.changed', ({ sourceId }) => this.cache.delete(sourceId));
    events.on('tenant.changed', ({ tenantId }) => {
      for (const [id, entry] of this.cache) if (entry.tenantId === tenantId) this.cache.delete(id);
    });
  }

  /** `fresh` skips the cache (discovery reads the row as it is now). */
  async resolve(tenantId: string, sourceId: string, options: { fresh?: boolean } = {}): Promise<ResolvedSource> {
    const hit = options.fresh ? undefined : this.cache.get(sourceId);
    if (hit && Date.now() - hit.at < this.config.env.MCP_AUTH_CACHE_MS) {
      const source = await hit.source;
      if (source.tenantId === tenantId) return source;
    }
    const pending = this.load(tenantId, sourceId);
    this.cache.set(sourceId, { tenantId, source: pending, at: Date.now() });
    pending.catch(() => this.cache.delete(sourceId));
    return pending;
  }

  private async load(tenantId: string, sourceId: string): Promise<ResolvedSource> {
    const rows: { kind: string; name: string; namespace: string; config: Record<string, unknown>; enabled: boolean; network_allowlist: string[] }[] =
      await this.db.query(
        `SELECT s.kind, s.name, s.namespace, s.config, s.enabled, t.network_allowlist
           FROM tool_sources s JOIN tenants t ON t.id = s.tenant_id
          WHERE s.id = $1 AND s.tenant_id = $2`,
        [sourceId, tenantId],
      );
    const row = rows[0];
    if (!row) throw AppException.notFound('Source');
    if (!isUpstreamKind(row.kind)) throw new AppException('VALIDATION_FAILED', `Source "${row.name}" holds builtin tools; it has no upstream.`);
    if (!row.enabled) throw new AppException('SOURCE_UNAVAILABLE', `Source "${row.name}" is disabled.`);
    const config = parseSourceConfig(row.kind, row.config);
    // Checked on every (re)connect too: a command taken off the allowlist stops working for existing sources.
    if (row.kind === 'mcp_stdio') await this.stdioCommands.assertAllowed(String(config.command));
    return {
      id: sourceId,
      tenantId,
      kind: row.kind,
      namespace: row.namespace,
      name: row.name,
      config,
      secrets: await this.sources.secretsOf(tenantId, sourceId),
      networkAllowlist: row.network_allowlist,
    };
  }
}
