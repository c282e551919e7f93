// Scheduled refreshes: every tick, this replica claims a few sources whose refresh is due and refreshes them. The
// claim (an UPDATE with SKIP LOCKED) keeps two replicas from refreshing the same source at once.
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service';
import { SourceDiscoveryService } from './source-discovery.service';

export const DEFAULT_REFRESH_INTERVAL_SECONDS = 3600;
/** How long a claim holds: a replica that died mid-refresh frees the source after this. */
const CLAIM_SECONDS = 120;
const SOURCES_PER_TICK = 5;

@Injectable()
export class SourceRefreshScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly discovery: SourceDiscoveryService,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.env.SOURCE_REFRESH_TICK_MS;
    if (every > 0) this.timer = setInterval(() => void this.tick(), every).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** Claims the due sources and refreshes them one after another. */
  tick(): Promise<void> {
    this.ticking ??= this.claimAndRefresh().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async claimAndRefresh(): Promise<void> {
    let due: { id: string }[];
    try {
      [due] = await this.db.query(
        `UPDATE tool_sources SET refresh_claimed_until = now() + make_interval(secs => $1)
          WHERE id IN (
            SELECT id FROM tool_sources
             WHERE enabled AND kind <> 'builtin'
               AND coalesce((config->>'refreshIntervalSeconds')::int, $2) > 0
               AND coalesce(last_refreshed_at, created_at) < now() - make_interval(secs => coalesce((config->>'refreshIntervalSeconds')::int, $2))
               AND (refresh_claimed_until IS NULL OR refresh_claimed_until < now())
             ORDER BY coalesce(last_refreshed_at, created_at)
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
          RETURNING id`,
        [CLAIM_SECONDS, DEFAULT_REFRESH_INTERVAL_SECONDS, SOURCES_PER_TICK],
      );
    } catch {
      return; // the database is away; the next tick tries again
    }
    for (const { id } of due) await this.discovery.refreshById(id, 'schedule');
  }
}
