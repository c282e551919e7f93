import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators';

/** Liveness and readiness probes for load balancers and orchestrators. */
@ApiExcludeController()
@Controller()
export class HealthController {
  /** Migrations never un-apply while the process runs, so once seen applied it is not asked again. */
  private migrationsApplied = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('healthz')
  @HttpCode(200)
  @Public()
  alive() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks: Record<string, string> = {};
    try {
      await this.db.query('SELECT 1');
      checks.database = 'ok';
      this.migrationsApplied ||= !(await this.db.showMigrations());
      checks.migrations = this.migrationsApplied ? 'ok' : 'pending';
    } catch {
      checks.database = 'unreachable';
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
