import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateGroup, CreateGroupSchema, GroupToolAssignment, GroupToolAssignmentSchema, UpdateGroup, UpdateGroupSchema } from '@toolgate/contracts';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodBody, zod } from '../common/http/zod.pipe';
import { ToolGroupsService } from './tool-groups.service';

@ApiTags('groups')
@Controller('api/v1/groups')
export class ToolGroupsController {
  constructor(private readonly groups: ToolGroupsService) {}

  @Get()
  @RequirePermission('readConfig')
  async list(@CurrentScope() scope: TenantScope) {
    return { items: await this.groups.list(scope.tenantId) };
  }

  @Get(':id')
  @RequirePermission('readConfig')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.groups.getById(scope.tenantId, id);
  }

  @Post()
  @RequirePermission('writeConfig')
  @ApiZodBody(CreateGroupSchema)
  create(@CurrentScope() scope: TenantScope, @Body(zod(CreateGroupSchema)) body: CreateGroup) {
    return this.groups.create(scope, body);
  }

  @Patch(':id')
  @RequirePermission('writeConfig')
  @ApiZodBody(UpdateGroupSchema)
  update(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(UpdateGroupSchema)) body: UpdateGroup) {
    return this.groups.update(scope, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('writeConfig')
  async remove(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    await this.groups.remove(scope, id);
  }

  @Get(':id/tools')
  @RequirePermission('readConfig')
  async listTools(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return { items: await this.groups.listTools(scope.tenantId, id) };
  }

  @Put(':id/tools/:toolId')
  @RequirePermission('writeConfig')
  @ApiZodBody(GroupToolAssignmentSchema)
  assignTool(
    @CurrentScope() scope: TenantScope,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('toolId', ParseUUIDPipe) toolId: string,
    @Body(zod(GroupToolAssignmentSchema)) body: GroupToolAssignment,
  ) {
    return this.groups.assignTool(scope, id, toolId, body);
  }

  @Delete(':id/tools/:toolId')
  @HttpCode(204)
  @RequirePermission('writeConfig')
  async unassignTool(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Param('toolId', ParseUUIDPipe) toolId: string) {
    await this.groups.unassignTool(scope, id, toolId);
  }
}
