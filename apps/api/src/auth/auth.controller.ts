import { Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LoginRequestSchema } from '@toolgate/contracts';
import type { Request, Response } from 'express';
import { clientIp } from '../common/http/client-ip';
import { ApiZodBody } from '../common/http/zod.pipe';
import { AppConfigService } from '../config/app-config.service';
import type { User } from '../users/user.entity';
import { Authenticated, CurrentActor, Public } from './access.decorators';
import type { Actor } from './access.types';
import { AuthService } from './auth.service';
import { LocalAuthGuard, LoginBodyGuard, LoginThrottleGuard } from './login.guards';
import { SESSION_COOKIE } from './session-token';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfigService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(LoginBodyGuard, LoginThrottleGuard, LocalAuthGuard)
  @ApiZodBody(LoginRequestSchema)
  async login(@Req() req: Request & { user: User }, @Res({ passthrough: true }) res: Response) {
    const { expiresAt, ...body } = await this.auth.startSession(req.user, { ip: clientIp(req), userAgent: req.headers['user-agent'] ?? null });
    res.cookie(SESSION_COOKIE, body.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.cookieSecure,
      path: '/',
      expires: expiresAt,
    });
    return body;
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  async logout(@CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    await this.auth.endSession(actor.sessionId);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.config.cookieSecure, path: '/' });
  }

  @Get('me')
  @Authenticated()
  me(@CurrentActor() actor: Actor) {
    return this.auth.me({ id: actor.userId, email: actor.email, name: actor.name, isPlatformAdmin: actor.isPlatformAdmin });
  }
}
