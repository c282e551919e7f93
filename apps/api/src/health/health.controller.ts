import { Controller, Get, HttpCode, Inject, Optional, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators';
import { RedisService } from '../common/redis/redis.service';
import { ShutdownState } from './shutdown-state';

const NO_REDIS_NOTE = 'REDIS_URL is not set: this replica works alone, with its own rate limits, quotas and sessions';

/** Liveness and readiness probes for load balancers and orchestrators. */
@ApiExcludeController()
@Controller()
export class HealthController {
  /** Migrations never un-apply while the process runs, so once seen applied it is not asked again. */
  private migrationsApplied = false;
  /** Present only with REDIS_URL. */
  @Optional() @Inject(RedisService) private readonly redis?: RedisService;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @Public()
  alive() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  async ready(@Res({ passthrough: true }) res: Response) {
    // First thing a shutdown changes, so the load balancer stops sending work while in-flight calls finish.
    const shuttingDown = this.shutdown.shuttingDown;
    if (shuttingDown) {
      res.status(503);
      return { status: 'shutting_down', reason: shuttingDown };
    }
    const checks: Record<string, string> = {};
    try {
      await this.db.query('SELECT 1');
      checks.database = 'ok';
      this.migrationsApplied ||= !(await this.db.showMigrations());
      checks.migrations = this.migrationsApplied ? 'ok' : 'pending';
    } catch {
      checks.database = 'unreachable';
    }
    checks.redis = this.redis ? await this.redis.check() : 'absent';
    const ready = checks.database === 'ok' && checks.migrations === 'ok';
    res.status(ready ? 200 : 503);
    // Redis down is not unready: the replica keeps serving with in-process limits, so the balancer keeps it.
    const status = !ready ? 'not_ready' : checks.redis === 'down' ? 'degraded' : 'ready';
    return { status, checks, ...(this.redis ? {} : { note: NO_REDIS_NOTE }) };
  }
}
