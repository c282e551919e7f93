import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { LoginResponse, MeResponse } from '@toolgate/contracts';
import * as bcrypt from 'bcrypt';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { AppException } from '../common/errors/app-exception';
import { AppConfigService } from '../config/app-config.service';
import { TenantsService } from '../tenants/tenants.service';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AdminSession } from './admin-session.entity';

@Injectable()
export class AuthService {
  /** Compared against when the email is unknown, so a miss costs as long as a wrong password. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    private readonly jwt: JwtService,
    private readonly config: AppConfigService,
    @InjectRepository(AdminSession) private readonly sessions: Repository<AdminSession>,
  ) {}

  /** Checks a password with lockout: N failures lock the account for a while, even for the right password. */
  async verifyCredentials(email: string, password: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    this.dummyHash ??= bcrypt.hash('not-a-password', this.config.env.BCRYPT_ROUNDS);
    const ok = await bcrypt.compare(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user) throw invalidCredentials();
    if (user.lockedUntil && user.lockedUntil > new Date()) throw locked(user.lockedUntil);
    if (!ok) {
      const lockedUntil = await this.users.recordFailedLogin(user.id, this.config.env.LOGIN_MAX_FAILURES, this.config.env.LOGIN_LOCKOUT_SECONDS);
      if (lockedUntil) throw locked(lockedUntil);
      throw invalidCredentials();
    }
    await this.users.recordSuccessfulLogin(user.id);
    return user;
  }

  async startSession(user: User, meta: { ip: string | null; userAgent: string | null }): Promise<LoginResponse & { expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.config.env.SESSION_TTL_HOURS * 3600_000);
    const session = await this.sessions.save(
      this.sessions.create({ userId: user.id, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null, expiresAt }),
    );
    const token = await this.jwt.signAsync(
      { sub: user.id, sid: session.id },
      { expiresIn: this.config.env.SESSION_TTL_HOURS * 3600, issuer: 'toolgate', algorithm: 'HS256' },
    );
    return { ...(await this.me(user)), token, expiresAt };
  }

  /** The user behind a live (not revoked, not expired) session, or null. */
  async activeSessionUser(sessionId: string, userId: string): Promise<User | null> {
    const live = await this.sessions.existsBy({ id: sessionId, userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) });
    return live ? this.users.findById(userId) : null;
  }

  async endSession(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async me(user: Pick<User, 'id' | 'email' | 'name' | 'isPlatformAdmin'>): Promise<MeResponse> {
    return {
      user: { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin },
      memberships: await this.tenants.membershipsOf(user.id),
    };
  }
}

function invalidCredentials(): AppException {
  return new AppException('INVALID_CREDENTIALS', 'Wrong email or password.');
}

function locked(until: Date): AppException {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppException('ACCOUNT_LOCKED', `Too many failed sign-ins: this account is locked for ${Math.ceil(seconds / 60)} more minute(s).`, undefined, {
    'Retry-After': String(seconds),
  });
}
