import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { clientIp } from '../common/http/client-ip';
import { requestIdOf } from '../common/http/request-id';
import { SecretKeysService } from '../common/crypto/secret-keys.service';
import type { Actor } from './access.types';
import { AuthService } from './auth.service';
import { sessionTokenFrom } from './session-token';

interface JwtPayload {
  sub: string;
  sid: string;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: SecretKeysService,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: sessionTokenFrom,
      secretOrKey: keys.key('jwt'),
      algorithms: ['HS256'],
      issuer: 'toolgate',
      passReqToCallback: true,
    });
  }

  async validate(req: Request, payload: JwtPayload): Promise<Actor | false> {
    const user = await this.auth.activeSessionUser(payload.sid, payload.sub);
    if (!user) return false;
    return {
      userId: user.id,
      email: user.email,
      name: user.name,
      isPlatformAdmin: user.isPlatformAdmin,
      sessionId: payload.sid,
      ip: clientIp(req),
      requestId: requestIdOf(req),
    };
  }
}
