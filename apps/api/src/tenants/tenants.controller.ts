import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AddMemberSchema, CreateTenantSchema, UpdateMemberSchema, UpdatePlatformTenantSchema, UpdateTenantSchema } from '@toolgate/contracts';
import { z } from 'zod';
import { Authenticated, CurrentActor, CurrentScope, PlatformAdminOnly, RequirePermission } from '../auth/access.decorators';
import type { Actor, TenantScope } from '../auth/access.types';
import { AppException } from '../common/errors/app-exception';
import { ApiZodBody, zod } from '../common/http/zod.pipe';
import { MembersService } from './members.service';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('api/v1')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly members: MembersService,
  ) {}

  @Get('tenants')
  @Authenticated()
  async list(@CurrentActor() actor: Actor) {
    return { items: await this.tenants.listVisible(actor) };
  }

  @Get('tenants/:id')
  @Authenticated()
  async get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string) {
    const visible = await this.tenants.listVisible(actor);
    const tenant = visible.find((t) => t.id === id);
    if (!tenant) throw AppException.notFound('Tenant');
    return tenant;
  }

  @Post('tenants')
  @PlatformAdminOnly()
  @ApiZodBody(CreateTenantSchema)
  create(@CurrentActor() actor: Actor, @Body(zod(CreateTenantSchema)) body: z.infer<typeof CreateTenantSchema>) {
    return this.tenants.create(actor, body);
  }

  /** Platform admins: what only they may set on a tenant (its platform quota). */
  @Patch('platform/tenants/:id')
  @PlatformAdminOnly()
  @ApiZodBody(UpdatePlatformTenantSchema)
  updateAsPlatform(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body(zod(UpdatePlatformTenantSchema)) body: z.infer<typeof UpdatePlatformTenantSchema>,
  ) {
    return this.tenants.updateAsPlatform(actor, id, body);
  }

  /** The tenant named by X-Tenant-Id. */
  @Get('tenant')
  @RequirePermission('readConfig')
  current(@CurrentScope() scope: TenantScope) {
    return this.tenants.getById(scope.tenantId);
  }

  @Patch('tenant')
  @RequirePermission('manageTenant')
  @ApiZodBody(UpdateTenantSchema)
  update(@CurrentScope() scope: TenantScope, @Body(zod(UpdateTenantSchema)) body: z.infer<typeof UpdateTenantSchema>) {
    return this.tenants.update(scope, body);
  }

  @Get('members')
  @RequirePermission('manageTenant')
  async listMembers(@CurrentScope() scope: TenantScope) {
    return { items: await this.members.list(scope.tenantId) };
  }

  @Post('members')
  @RequirePermission('manageTenant')
  @ApiZodBody(AddMemberSchema)
  addMember(@CurrentScope() scope: TenantScope, @Body(zod(AddMemberSchema)) body: z.infer<typeof AddMemberSchema>) {
    return this.members.add(scope, body);
  }

  @Patch('members/:id')
  @RequirePermission('manageTenant')
  @ApiZodBody(UpdateMemberSchema)
  changeRole(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(UpdateMemberSchema)) body: z.infer<typeof UpdateMemberSchema>) {
    return this.members.changeRole(scope, id, body.role);
  }

  @Delete('members/:id')
  @HttpCode(204)
  @RequirePermission('manageTenant')
  async removeMember(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    await this.members.remove(scope, id);
  }
}
