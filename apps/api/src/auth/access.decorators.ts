// Every route declares exactly one access rule; a route without one is refused (see AccessGuard).
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Permission } from '@toolgate/contracts';
import type { AccessRule, Actor, TenantScope } from './access.types';

export const ACCESS_RULE = 'toolgate:access-rule';

const rule = (r: AccessRule) => SetMetadata(ACCESS_RULE, r);

/** No sign-in needed (login, health probes, docs). */
export const Public = () => rule({ kind: 'public' });
/** Any signed-in user; no tenant involved. */
export const Authenticated = () => rule({ kind: 'authenticated' });
/** Platform administrators only. */
export const PlatformAdminOnly = () => rule({ kind: 'platform-admin' });
/** A member of the request's tenant whose role carries the permission. */
export const RequirePermission = (permission: Permission) => rule({ kind: 'permission', permission });

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest().user as Actor;
});

export const CurrentScope = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantScope => {
  return ctx.switchToHttp().getRequest().scope as TenantScope;
});
