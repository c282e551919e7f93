// Tool sources: where tools come from. Secret settings are sealed with AES-GCM and never leave this service.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CreateSource, SourceDto, UpdateSourceSchema } from '@toolgate/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { TenantScope } from '../auth/access.types';
import { AuditService } from '../audit/audit.service';
import { EncryptionService } from '../common/crypto/encryption.service';
import { DomainEvents } from '../common/events/domain-events';
import { AppException } from '../common/errors/app-exception';
import { mapUniqueViolation } from '../database/pg-errors';
import { isUpstreamKind, parseSourceConfig } from './source-config';
import { StdioCommandsService } from './stdio-commands/stdio-commands.service';
import { ToolSource } from './tool-source.entity';

export const BUILTIN_NAMESPACE = 'builtin';

@Injectable()
export class SourcesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly encryption: EncryptionService,
    private readonly audit: AuditService,
    private readonly stdioCommands: StdioCommandsService,
    private readonly events: DomainEvents,
  ) {}

  async list(tenantId: string): Promise<SourceDto[]> {
    const rows = await this.db.getRepository(ToolSource).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
    return rows.map(toSourceDto);
  }

  async getById(tenantId: string, id: string): Promise<SourceDto> {
    return toSourceDto(await this.find(this.db.manager, tenantId, id));
  }

  /** Every tenant has one builtin source, home of the code-defined tools. */
  async createBuiltin(m: EntityManager, tenantId: string): Promise<ToolSource> {
    return m.save(
      m.create(ToolSource, {
        id: randomUUID(),
        tenantId,
        kind: 'builtin',
        name: 'Built-in tools',
        namespace: BUILTIN_NAMESPACE,
        config: {},
        secretsEncrypted: null,
        secretNames: [],
        enabled: true,
        status: 'healthy',
      }),
    );
  }

  async builtinSourceId(tenantId: string): Promise<string> {
    const source = await this.db.getRepository(ToolSource).findOneBy({ tenantId, kind: 'builtin' });
    if (!source) throw AppException.notFound('Builtin source');
    return source.id;
  }

  async create(scope: TenantScope, input: CreateSource): Promise<SourceDto> {
    if (!isUpstreamKind(input.kind)) {
      throw new AppException('VALIDATION_FAILED', 'Builtin sources are created with the tenant; add mcp_stdio, mcp_http, mcp_sse or http sources.');
    }
    const config = await this.checkConfig(input.kind, input.config);
    try {
      return await this.db.transaction(async (m) => {
        const id = randomUUID();
        const source = await m.save(
          m.create(ToolSource, {
            id,
            tenantId: scope.tenantId,
            kind: input.kind,
            name: input.name,
            namespace: input.namespace,
            config,
            ...this.seal(scope.tenantId, id, input.secrets),
            enabled: input.enabled,
            status: 'unknown',
          }),
        );
        const dto = toSourceDto(source);
        await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'source.create', entityType: 'source', entityId: id, after: dto });
        return dto;
      });
    } catch (err) {
      mapUniqueViolation(err, { tool_sources_namespace_key: ['NAMESPACE_TAKEN', `Another source already uses the namespace "${input.namespace}".`] });
    }
  }

  async update(scope: TenantScope, id: string, input: z.infer<typeof UpdateSourceSchema>): Promise<SourceDto> {
    let groupIds: string[] = [];
    const dto = await this.db.transaction(async (m) => {
      const source = await this.find(m, scope.tenantId, id, true);
      const before = toSourceDto(source);
      // Disabling a source takes its tools out of every group at once; enabling brings them back.
      if (input.enabled !== undefined && input.enabled !== source.enabled) groupIds = await this.groupsServing(m, scope.tenantId, id);
      const { secrets, ...plain } = input;
      if (plain.config !== undefined) {
        if (!isUpstreamKind(source.kind)) throw new AppException('VALIDATION_FAILED', 'The builtin source has no settings.');
        plain.config = await this.checkConfig(source.kind, plain.config);
      }
      m.merge(ToolSource, source, plain);
      if (secrets) Object.assign(source, this.seal(scope.tenantId, id, secrets));
      const after = toSourceDto(await m.save(source));
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'source.update', entityType: 'source', entityId: id, before, after });
      return after;
    });
    this.events.emit('source.changed', { tenantId: scope.tenantId, sourceId: id });
    if (groupIds.length) this.events.emit('catalog.changed', { tenantId: scope.tenantId, groupIds });
    return dto;
  }

  async remove(scope: TenantScope, id: string): Promise<void> {
    const groupIds = await this.db.transaction(async (m) => {
      const source = await this.find(m, scope.tenantId, id, true);
      if (source.kind === 'builtin') throw new AppException('VALIDATION_FAILED', 'The builtin source cannot be removed.');
      const serving = await this.groupsServing(m, scope.tenantId, id);
      await m.delete(ToolSource, { id, tenantId: scope.tenantId });
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'source.delete', entityType: 'source', entityId: id, before: toSourceDto(source) });
      return serving;
    });
    this.events.emit('source.changed', { tenantId: scope.tenantId, sourceId: id });
    if (groupIds.length) this.events.emit('catalog.changed', { tenantId: scope.tenantId, groupIds });
  }

  /** The groups holding tools of this source: their agents must hear when the source comes or goes. */
  private async groupsServing(m: EntityManager, tenantId: string, sourceId: string): Promise<string[]> {
    const rows: { group_id: string }[] = await m.query(
      `SELECT DISTINCT gt.group_id FROM tool_group_tools gt JOIN tools t ON t.id = gt.tool_id AND t.tenant_id = gt.tenant_id
        WHERE t.tenant_id = $1 AND t.source_id = $2`,
      [tenantId, sourceId],
    );
    return rows.map((r) => r.group_id);
  }

  /** The kind's schema, and for stdio the platform's command allowlist. */
  private async checkConfig(kind: Parameters<typeof parseSourceConfig>[0], config: unknown): Promise<Record<string, unknown>> {
    const parsed = parseSourceConfig(kind, config);
    if (kind === 'mcp_stdio') await this.stdioCommands.assertAllowed(String(parsed.command));
    return parsed;
  }

  /** The decrypted secret settings, for the code that connects to the upstream. Never for API responses. */
  async secretsOf(tenantId: string, id: string): Promise<Record<string, string>> {
    const source = await this.find(this.db.manager, tenantId, id);
    if (!source.secretsEncrypted) return {};
    return JSON.parse(this.encryption.decrypt(source.secretsEncrypted, aad(tenantId, id))) as Record<string, string>;
  }

  private seal(tenantId: string, id: string, secrets: Record<string, string>): Pick<ToolSource, 'secretsEncrypted' | 'secretNames'> {
    const names = Object.keys(secrets).sort();
    return {
      secretNames: names,
      secretsEncrypted: names.length ? this.encryption.encrypt(JSON.stringify(secrets), aad(tenantId, id)) : null,
    };
  }

  private async find(m: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<ToolSource> {
    const source = await m.findOne(ToolSource, { where: { id, tenantId }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!source) throw AppException.notFound('Source');
    return source;
  }
}

const aad = (tenantId: string, id: string) => `tool_sources:${tenantId}:${id}`;

function toSourceDto(s: ToolSource): SourceDto {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    namespace: s.namespace,
    config: s.config,
    secretNames: s.secretNames,
    enabled: s.enabled,
    status: s.status,
    lastError: s.lastError,
    lastRefreshedAt: s.lastRefreshedAt?.toISOString() ?? null,
    toolCount: s.toolCount ?? 0,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
