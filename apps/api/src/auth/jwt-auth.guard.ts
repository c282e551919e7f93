import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException } from '../common/errors/app-exception';
import { ACCESS_RULE } from './access.decorators';
import type { AccessRule } from './access.types';
import { bearerToken } from './session-token';

/** Authenticates every non-public route with the admin session (cookie or Bearer JWT). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext) {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [ctx.getHandler(), ctx.getClass()]);
    if (rule?.kind === 'public') return true;
    return super.canActivate(ctx);
  }

  override handleRequest<T>(err: unknown, user: T, _info: unknown, ctx: ExecutionContext): T {
    if (err || !user) {
      const token = bearerToken(ctx.switchToHttp().getRequest());
      const message = token?.startsWith('tg_')
        ? 'Tool-group API keys only work on /mcp endpoints; the admin API needs an admin sign-in.'
        : 'Sign in first: send the session cookie, or an admin token as "Authorization: Bearer <token>".';
      throw new AppException('UNAUTHENTICATED', message, undefined, { 'WWW-Authenticate': 'Bearer realm="toolgate-admin"' });
    }
    return user;
  }
}
