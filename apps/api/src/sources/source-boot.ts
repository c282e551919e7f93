// At boot, starts the stdio sources marked `startOnBoot` (the others start on their first call), so their first
// call does not pay for the process start. Failures are logged by the pool; the next call tries again.
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SourceResolver } from './source-resolver';
import { UpstreamClientPool } from './upstream/upstream-client-pool';
import type { ResolvedSource } from './upstream/upstream.types';

@Injectable()
export class StdioBootStarter implements OnApplicationBootstrap {
  private readonly logger = new Logger(StdioBootStarter.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resolver: SourceResolver,
    private readonly pool: UpstreamClientPool,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: a slow process start must not hold up readiness.
    void this.start().catch((err: Error) => this.logger.warn({ err: err.message }, 'stdio sources were not started at boot'));
  }

  async start(): Promise<void> {
    const rows: { id: string; tenant_id: string }[] = await this.db.query(
      `SELECT id, tenant_id FROM tool_sources WHERE kind = 'mcp_stdio' AND enabled AND (config->>'startOnBoot')::boolean IS TRUE`,
    );
    const sources: ResolvedSource[] = [];
    for (const row of rows) {
      try {
        sources.push(await this.resolver.resolve(row.tenant_id, row.id));
      } catch (err) {
        this.logger.warn({ sourceId: row.id, err: (err as Error).message }, 'stdio source not started at boot');
      }
    }
    await this.pool.startAtBoot(sources);
  }
}
