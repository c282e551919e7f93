import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CreateTool, ToolDto, UpdateTool, ToolQuerySchema } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { TenantScope } from '../auth/access.types';
import { AuditService } from '../audit/audit.service';
import { DomainEvents } from '../common/events/domain-events';
import { AppException } from '../common/errors/app-exception';
import { mapUniqueViolation } from '../database/pg-errors';
import { SourcesService } from '../sources/sources.service';
import { schemaHash } from './schema-hash';
import { Tool } from './tool.entity';

@Injectable()
export class ToolsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sources: SourcesService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  /** The groups that expose a tool: their agents must hear when it changes. */
  private async groupsOf(m: EntityManager, tenantId: string, toolId: string): Promise<string[]> {
    const rows: { group_id: string }[] = await m.query('SELECT group_id FROM tool_group_tools WHERE tenant_id = $1 AND tool_id = $2', [tenantId, toolId]);
    return rows.map((r) => r.group_id);
  }

  async list(tenantId: string, q: z.infer<typeof ToolQuerySchema>): Promise<ToolDto[]> {
    const qb = this.db.getRepository(Tool).createQueryBuilder('t').where('t.tenant_id = :tenantId', { tenantId });
    if (q.sourceId) qb.andWhere('t.source_id = :sourceId', { sourceId: q.sourceId });
    if (q.enabled !== undefined) qb.andWhere('t.enabled = :enabled', { enabled: q.enabled });
    if (q.groupId) {
      qb.andWhere('EXISTS (SELECT 1 FROM tool_group_tools gt WHERE gt.tool_id = t.id AND gt.group_id = :groupId AND gt.tenant_id = :tenantId)', {
        groupId: q.groupId,
      });
    }
    if (q.q) qb.andWhere('(t.name ILIKE :q OR t.description ILIKE :q OR t.title ILIKE :q)', { q: `%${escapeLike(q.q)}%` });
    return (await qb.orderBy('t.name', 'ASC').getMany()).map(toToolDto);
  }

  async getById(tenantId: string, id: string): Promise<ToolDto> {
    return toToolDto(await this.find(this.db.manager, tenantId, id));
  }

  async create(scope: TenantScope, input: CreateTool): Promise<ToolDto> {
    const source = await this.sources.getById(scope.tenantId, input.sourceId); // 404 when the source is not the tenant's
    if (source.kind !== 'builtin') {
      throw new AppException('SOURCE_MANAGED', `Tools of source "${source.name}" come from its upstream; refresh the source (POST /api/v1/sources/${source.id}/refresh) instead of creating them.`);
    }
    try {
      return await this.db.transaction(async (m) => {
        const tool = m.create(Tool, {
          ...input,
          tenantId: scope.tenantId,
          title: input.title ?? null,
          outputSchema: input.outputSchema ?? null,
          version: 1,
          status: 'active',
        });
        tool.schemaHash = schemaHash(tool);
        const dto = toToolDto(await m.save(tool));
        await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'tool.create', entityType: 'tool', entityId: dto.id, after: dto });
        return dto;
      });
    } catch (err) {
      mapUniqueViolation(err, { tools_tenant_name_key: ['TOOL_NAME_TAKEN', `A tool named "${input.name}" already exists.`] });
    }
  }

  async update(scope: TenantScope, id: string, input: UpdateTool): Promise<ToolDto> {
    try {
      const [dto, groupIds] = await this.db.transaction(async (m) => {
        const tool = await this.find(m, scope.tenantId, id, true);
        assertEditable(tool, input);
        const before = toToolDto(tool);
        if (input.name !== undefined && input.name !== tool.name) await this.assertRenameKeepsGroupNamesUnique(m, scope.tenantId, id, input.name);
        m.merge(Tool, tool, input);
        const hash = schemaHash(tool);
        if (hash !== tool.schemaHash) {
          tool.schemaHash = hash;
          tool.version += 1;
        }
        const after = toToolDto(await m.save(tool));
        await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'tool.update', entityType: 'tool', entityId: id, before, after });
        return [after, await this.groupsOf(m, scope.tenantId, id)] as const;
      });
      if (groupIds.length) this.events.emit('catalog.changed', { tenantId: scope.tenantId, groupIds });
      return dto;
    } catch (err) {
      mapUniqueViolation(err, { tools_tenant_name_key: ['TOOL_NAME_TAKEN', `A tool named "${input.name}" already exists.`] });
    }
  }

  async remove(scope: TenantScope, id: string): Promise<void> {
    const groupIds = await this.db.transaction(async (m) => {
      const tool = await this.find(m, scope.tenantId, id, true);
      const groups = await this.groupsOf(m, scope.tenantId, id);
      await m.delete(Tool, { id, tenantId: scope.tenantId });
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'tool.delete', entityType: 'tool', entityId: id, before: toToolDto(tool) });
      return groups;
    });
    if (groupIds.length) this.events.emit('catalog.changed', { tenantId: scope.tenantId, groupIds });
  }

  /**
   * In every group where agents see this tool under its own name, no other tool may already be exposed as `name`
   * (the rule group assignment enforces, seen from the tool's side).
   */
  private async assertRenameKeepsGroupNamesUnique(m: EntityManager, tenantId: string, toolId: string, name: string): Promise<void> {
    const clash: unknown[] = await m.query(
      `SELECT 1 FROM tool_group_tools mine
       JOIN tool_group_tools gt ON gt.group_id = mine.group_id AND gt.tool_id <> mine.tool_id
       JOIN tools t ON t.id = gt.tool_id
       WHERE mine.tenant_id = $1 AND mine.tool_id = $2 AND mine.alias IS NULL AND coalesce(gt.alias, t.name) = $3 LIMIT 1`,
      [tenantId, toolId, name],
    );
    if (clash.length) {
      throw new AppException('ALIAS_TAKEN', `Another tool is already exposed as "${name}" in a group of this tool; give this tool an alias there first.`);
    }
  }

  /** For other features (group assignment): the tool, or 404 when it is not the tenant's. */
  async find(m: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<Tool> {
    const tool = await m.findOne(Tool, { where: { id, tenantId }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!tool) throw AppException.notFound('Tool');
    return tool;
  }
}

/** What agents see of a discovered tool comes from its upstream (changes go through drift review); the rest is the admin's. */
const UPSTREAM_OWNED = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;

function assertEditable(tool: Tool, input: UpdateTool): void {
  if (tool.upstreamName === null) return;
  const owned = UPSTREAM_OWNED.filter((field) => input[field] !== undefined);
  if (owned.length) {
    throw new AppException(
      'SOURCE_MANAGED',
      `${owned.join(', ')} of "${tool.name}" come from its upstream source; change them there (or set a description override in the group). Here you can change enabled, timeoutSeconds, configData and redactionPaths.`,
    );
  }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function toToolDto(t: Tool): ToolDto {
  return {
    id: t.id,
    sourceId: t.sourceId,
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema,
    outputSchema: t.outputSchema,
    annotations: t.annotations,
    version: t.version,
    schemaHash: t.schemaHash,
    timeoutSeconds: t.timeoutSeconds,
    configData: t.configData,
    enabled: t.enabled,
    status: t.status,
    upstreamName: t.upstreamName ?? null,
    redactionPaths: t.redactionPaths,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
