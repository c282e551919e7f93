// The login route's guards, in order: a well-formed body, the per-IP throttle, then passport-local.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { LoginRequestSchema } from '@toolgate/contracts';
import type { Request } from 'express';
import { AppException } from '../common/errors/app-exception';
import { clientIp } from '../common/http/client-ip';
import { ZodPipe } from '../common/http/zod.pipe';
import { AppConfigService } from '../config/app-config.service';

@Injectable()
export class LoginBodyGuard implements CanActivate {
  private readonly pipe = new ZodPipe(LoginRequestSchema);

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    req.body = this.pipe.transform(req.body);
    return true;
  }
}

/**
 * Fixed one-minute window per client IP. Per replica by design: the account lockout,
 * kept in PostgreSQL, is the cluster-wide protection; this one blunts password spraying.
 */
@Injectable()
export class LoginThrottleGuard implements CanActivate {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly config: AppConfigService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const ip = clientIp(ctx.switchToHttp().getRequest<Request>()) ?? 'unknown';
    const now = Date.now();
    if (this.windows.size > 10_000) this.sweep(now);
    const w = this.windows.get(ip);
    if (!w || now - w.start >= 60_000) {
      this.windows.set(ip, { start: now, count: 1 });
      return true;
    }
    w.count += 1;
    if (w.count > this.config.env.LOGIN_IP_LIMIT_PER_MINUTE) {
      const retryAfter = Math.ceil((w.start + 60_000 - now) / 1000);
      throw new AppException('RATE_LIMITED', `Too many sign-in attempts from this address; try again in ${retryAfter} s.`, undefined, {
        'Retry-After': String(retryAfter),
      });
    }
    return true;
  }

  private sweep(now: number): void {
    for (const [ip, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(ip);
  }
}

@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {}
