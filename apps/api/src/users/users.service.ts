import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import { EntityManager, Repository } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly config: AppConfigService,
  ) {}

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.env.BCRYPT_ROUNDS);
  }

  async create(manager: EntityManager, input: { email: string; name: string; password: string; isPlatformAdmin?: boolean }): Promise<User> {
    const user = manager.create(User, {
      email: input.email.toLowerCase(),
      name: input.name,
      passwordHash: await this.hashPassword(input.password),
      isPlatformAdmin: input.isPlatformAdmin ?? false,
      failedLoginCount: 0,
    });
    return manager.save(user);
  }

  /** Counts a failed sign-in atomically; at `maxFailures` the account locks for `lockSeconds`. Returns the lock end, if locked now. */
  async recordFailedLogin(id: string, maxFailures: number, lockSeconds: number): Promise<Date | null> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount].
    const [rows]: [{ locked_until: Date | null }[], number] = await this.users.query(
      `UPDATE users SET
         failed_login_count = CASE WHEN failed_login_count + 1 >= $2 THEN 0 ELSE failed_login_count + 1 END,
         locked_until = CASE WHEN failed_login_count + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
       WHERE id = $1 RETURNING locked_until`,
      [id, maxFailures, lockSeconds],
    );
    const lockedUntil = rows[0]?.locked_until ?? null;
    return lockedUntil && new Date(lockedUntil) > new Date() ? new Date(lockedUntil) : null;
  }

  async recordSuccessfulLogin(id: string): Promise<void> {
    await this.users.update({ id }, { failedLoginCount: 0, lockedUntil: null, lastLoginAt: new Date() });
  }
}
