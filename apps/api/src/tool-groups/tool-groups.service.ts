import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CreateGroup, GroupDto, GroupToolAssignment, GroupToolDto, UpdateGroup } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import type { TenantScope } from '../auth/access.types';
import { AuditService } from '../audit/audit.service';
import { DomainEvents } from '../common/events/domain-events';
import { AppException } from '../common/errors/app-exception';
import { mapUniqueViolation } from '../database/pg-errors';
import { ToolsService } from '../tools/tools.service';
import { GroupTool } from './group-tool.entity';
import { ToolGroup } from './tool-group.entity';

const GROUP_CONFLICTS = {
  tool_groups_server_code_key: ['SERVER_CODE_TAKEN', 'That server_code is already in use; pick another.'],
  tool_groups_tenant_name_key: ['GROUP_NAME_TAKEN', 'A group with that name already exists.'],
} as const;

@Injectable()
export class ToolGroupsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tools: ToolsService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  /** Running gateways drop cached state and tell connected agents (after the change commits). */
  private changed(tenantId: string, groupId: string, settings: boolean): void {
    if (settings) this.events.emit('group.changed', { groupId });
    this.events.emit('catalog.changed', { tenantId, groupIds: [groupId] });
  }

  async list(tenantId: string): Promise<GroupDto[]> {
    return (await this.db.getRepository(ToolGroup).find({ where: { tenantId }, order: { name: 'ASC' } })).map(toGroupDto);
  }

  async getById(tenantId: string, id: string): Promise<GroupDto> {
    return toGroupDto(await this.find(this.db.manager, tenantId, id));
  }

  async create(scope: TenantScope, input: CreateGroup): Promise<GroupDto> {
    try {
      return await this.db.transaction(async (m) => {
        const group = await m.save(m.create(ToolGroup, { ...input, tenantId: scope.tenantId, createdBy: scope.userId }));
        const dto = toGroupDto(group);
        await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'group.create', entityType: 'group', entityId: group.id, after: dto });
        return dto;
      });
    } catch (err) {
      mapUniqueViolation(err, GROUP_CONFLICTS as never);
    }
  }

  async update(scope: TenantScope, id: string, input: UpdateGroup): Promise<GroupDto> {
    try {
      const dto = await this.db.transaction(async (m) => {
        const group = await this.find(m, scope.tenantId, id, true);
        const before = toGroupDto(group);
        m.merge(ToolGroup, group, input);
        const after = toGroupDto(await m.save(group));
        await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'group.update', entityType: 'group', entityId: id, before, after });
        return after;
      });
      this.changed(scope.tenantId, id, true);
      return dto;
    } catch (err) {
      mapUniqueViolation(err, GROUP_CONFLICTS as never);
    }
  }

  async remove(scope: TenantScope, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const group = await this.find(m, scope.tenantId, id, true);
      await m.delete(ToolGroup, { id, tenantId: scope.tenantId });
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'group.delete', entityType: 'group', entityId: id, before: toGroupDto(group) });
    });
    this.changed(scope.tenantId, id, true);
  }

  async listTools(tenantId: string, groupId: string): Promise<GroupToolDto[]> {
    await this.find(this.db.manager, tenantId, groupId);
    const rows: GroupToolRow[] = await this.db.query(
      `SELECT gt.*, t.name AS tool_name FROM tool_group_tools gt JOIN tools t ON t.id = gt.tool_id AND t.tenant_id = gt.tenant_id
       WHERE gt.tenant_id = $1 AND gt.group_id = $2 ORDER BY coalesce(gt.alias, t.name)`,
      [tenantId, groupId],
    );
    return rows.map((r) => toGroupToolDto(r, r.tool_name));
  }

  /** Adds a tool to a group, or changes its overrides there. */
  async assignTool(scope: TenantScope, groupId: string, toolId: string, input: GroupToolAssignment): Promise<GroupToolDto> {
    try {
      const dto = await this.db.transaction(async (m) => {
        await this.find(m, scope.tenantId, groupId, true);
        const tool = await this.tools.find(m, scope.tenantId, toolId);
        const existing = await m.findOneBy(GroupTool, { groupId, toolId, tenantId: scope.tenantId });
        const before = existing ? toGroupToolDto(existing, tool.name) : undefined;
        const row = existing ?? m.create(GroupTool, { groupId, toolId, tenantId: scope.tenantId, alias: null, description: null, enabled: true, timeoutSeconds: null });
        m.merge(GroupTool, row, input);
        await this.assertExposedNameFree(m, scope.tenantId, groupId, toolId, row.alias ?? tool.name);
        const after = toGroupToolDto(await m.save(row), tool.name);
        await this.audit.record(m, scope, {
          tenantId: scope.tenantId,
          action: existing ? 'group.tool.update' : 'group.tool.add',
          entityType: 'group_tool',
          entityId: `${groupId}:${toolId}`,
          before,
          after,
        });
        return after;
      });
      this.changed(scope.tenantId, groupId, false);
      return dto;
    } catch (err) {
      mapUniqueViolation(err, { tool_group_tools_alias_key: ['ALIAS_TAKEN', `The alias "${input.alias}" is already used in this group.`] });
    }
  }

  async unassignTool(scope: TenantScope, groupId: string, toolId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await m.findOneBy(GroupTool, { groupId, toolId, tenantId: scope.tenantId });
      if (!row) throw AppException.notFound('Tool in this group');
      const tool = await this.tools.find(m, scope.tenantId, toolId);
      await m.delete(GroupTool, { groupId, toolId, tenantId: scope.tenantId });
      await this.audit.record(m, scope, {
        tenantId: scope.tenantId,
        action: 'group.tool.remove',
        entityType: 'group_tool',
        entityId: `${groupId}:${toolId}`,
        before: toGroupToolDto(row, tool.name),
      });
    });
    this.changed(scope.tenantId, groupId, false);
  }

  /** Two tools of a group must never be exposed under the same name, whether by alias or by their own name. */
  private async assertExposedNameFree(m: EntityManager, tenantId: string, groupId: string, toolId: string, exposed: string): Promise<void> {
    const clash: unknown[] = await m.query(
      `SELECT 1 FROM tool_group_tools gt JOIN tools t ON t.id = gt.tool_id
       WHERE gt.tenant_id = $1 AND gt.group_id = $2 AND gt.tool_id <> $3 AND coalesce(gt.alias, t.name) = $4 LIMIT 1`,
      [tenantId, groupId, toolId, exposed],
    );
    if (clash.length) throw new AppException('ALIAS_TAKEN', `Another tool of this group is already exposed as "${exposed}"; set a different alias.`);
  }

  private async find(m: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<ToolGroup> {
    const group = await m.findOne(ToolGroup, { where: { id, tenantId }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!group) throw AppException.notFound('Tool group');
    return group;
  }

  /** For the api-keys feature: 404 unless the group is the tenant's. */
  async assertExists(m: EntityManager, tenantId: string, id: string): Promise<void> {
    await this.find(m, tenantId, id);
  }
}

interface GroupToolRow {
  group_id: string;
  tool_id: string;
  alias: string | null;
  description: string | null;
  enabled: boolean;
  timeout_seconds: number | null;
  tool_name: string;
}

function toGroupToolDto(r: GroupTool | GroupToolRow, toolName: string): GroupToolDto {
  const row = 'group_id' in r ? { groupId: r.group_id, toolId: r.tool_id, timeoutSeconds: r.timeout_seconds } : r;
  return {
    groupId: row.groupId,
    toolId: row.toolId,
    toolName,
    alias: r.alias,
    description: r.description,
    enabled: r.enabled,
    timeoutSeconds: row.timeoutSeconds,
    exposedName: r.alias ?? toolName,
  };
}

export function toGroupDto(g: ToolGroup): GroupDto {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    serverCode: g.serverCode,
    enabled: g.enabled,
    allowedRoles: g.allowedRoles,
    allowedUserTiers: g.allowedUserTiers,
    rateLimit: g.rateLimit,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}
