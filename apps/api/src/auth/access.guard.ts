// Authorization for every admin route: the route's declared rule, the caller's role in the request's tenant.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PERMISSIONS } from '@toolgate/contracts';
import type { Request } from 'express';
import { AppException } from '../common/errors/app-exception';
import { TenantsService } from '../tenants/tenants.service';
import { ACCESS_RULE } from './access.decorators';
import type { AccessRule, Actor, TenantScope } from './access.types';

export const TENANT_HEADER = 'x-tenant-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: TenantsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [ctx.getHandler(), ctx.getClass()]);
    // Secure by default: a route that forgot to declare its rule is closed, not open.
    if (!rule) throw new AppException('FORBIDDEN', 'This route has no access rule.');
    if (rule.kind === 'public') return true;

    const req = ctx.switchToHttp().getRequest<Request & { user?: Actor; scope?: TenantScope }>();
    const actor = req.user;
    if (!actor) throw new AppException('UNAUTHENTICATED', 'Sign in first.');
    if (rule.kind === 'authenticated') return true;
    if (rule.kind === 'platform-admin') {
      if (actor.isPlatformAdmin) return true;
      throw new AppException('FORBIDDEN', 'Only platform administrators may do this.');
    }

    const scope = await this.resolveScope(req, actor);
    const allowed: readonly string[] = PERMISSIONS[rule.permission];
    if (!actor.isPlatformAdmin && !allowed.includes(scope.role)) {
      throw new AppException('FORBIDDEN', `Your role "${scope.role}" may not do this; it needs one of: ${allowed.join(', ')}.`);
    }
    req.scope = scope;
    return true;
  }

  private async resolveScope(req: Request, actor: Actor): Promise<TenantScope> {
    const header = req.headers[TENANT_HEADER];
    const requested = typeof header === 'string' && header.length > 0 ? header : null;
    if (requested && !UUID.test(requested)) {
      throw new AppException('VALIDATION_FAILED', 'X-Tenant-Id must be a tenant id (a UUID).');
    }
    const memberships = await this.tenants.membershipsOf(actor.userId);
    if (requested) {
      const m = memberships.find((x) => x.tenantId === requested);
      if (m) return { ...actor, tenantId: m.tenantId, role: m.role };
      if (actor.isPlatformAdmin && (await this.tenants.exists(requested))) return { ...actor, tenantId: requested, role: 'owner' };
      throw new AppException('FORBIDDEN', 'You are not a member of that tenant.');
    }
    if (memberships.length === 1) return { ...actor, tenantId: memberships[0].tenantId, role: memberships[0].role };
    throw new AppException('TENANT_REQUIRED', 'Name the tenant to act in with the X-Tenant-Id header (you belong to several, or none).');
  }
}
