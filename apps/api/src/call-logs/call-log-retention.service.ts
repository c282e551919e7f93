// Drops call-log months and dashboard rollups older than CALL_LOG_RETENTION_MONTHS: at boot and twice a day, one
// replica at a time, one audit event per month dropped. Unset, it never runs.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfigService } from '../config/app-config.service';

const TWELVE_HOURS = 12 * 3600_000;
/** Session advisory lock held for a whole run (see database/migrator.ts for the other fixed keys). */
const RETENTION_LOCK = 7_342_003;
/**
 * DETACH takes call_logs' ACCESS EXCLUSIVE lock, and while it waits the gateway's inserts queue behind it: give up
 * soon and try again at the next run rather than stall the gateway behind a long explorer query.
 */
const LOCK_TIMEOUT = '5s';
const SHUTDOWN_WAIT_MS = 5_000;
/** Rollup tables and their time column: every row of a bucket starting before the cutoff lies wholly before it. */
const ROLLUPS = [
  ['call_stats_minute', 'minute'],
  ['call_stats_hour', 'hour'],
  ['call_stats_usage_hour', 'hour'],
] as const;

export interface DroppedPartition {
  name: string;
  from: Date;
  to: Date;
  rows: number;
}

export interface RetentionResult {
  /** False when retention is unset or another replica's run held the lock. */
  ran: boolean;
  cutoff: Date | null;
  dropped: DroppedPartition[];
  /** Rollup rows deleted, per table. */
  rollupRows: Record<string, number>;
}

/** The first instant kept: the start (UTC) of the month `months` months before the one `now` is in. */
export function retentionCutoff(now: Date, months: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
}

@Injectable()
export class CallLogRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallLogRetentionService.name);
  private readonly months: number | undefined;
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    config: AppConfigService,
  ) {
    this.months = config.env.CALL_LOG_RETENTION_MONTHS;
  }

  onApplicationBootstrap(): void {
    if (this.months === undefined) return;
    // Not awaited: a first run may wait on locks or delete a backlog of rollups, and boot should not wait for that.
    this.start();
    this.timer = setInterval(() => this.start(), TWELVE_HOURS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // A run in flight commits or rolls back on its own; shutdown waits for it, but not forever.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.whenIdle(), new Promise((r) => (bound = setTimeout(r, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(bound);
  }

  /** Resolves when the scheduled run in flight, if any, has finished. */
  whenIdle(): Promise<void> {
    return this.running.then(() => undefined);
  }

  /**
   * One run as of `now`: drops every monthly partition whose range ends at or before the cutoff, then the rollup
   * rows before it. Never touches the default partition, whose range is not a month.
   */
  async enforce(now = new Date()): Promise<RetentionResult> {
    if (this.months === undefined) return { ran: false, cutoff: null, dropped: [], rollupRows: {} };
    const cutoff = retentionCutoff(now, this.months);
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK]);
      if (!locked) return { ran: false, cutoff, dropped: [], rollupRows: {} };
      try {
        const dropped: DroppedPartition[] = [];
        for (const partition of await this.expiredPartitions(runner, cutoff)) dropped.push(await this.drop(runner, partition, cutoff));
        const rollupRows = await this.purgeRollups(runner, cutoff);
        return { ran: true, cutoff, dropped, rollupRows };
      } finally {
        // Fails only on a broken connection, whose session (and lock) ends with it.
        await runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  private start(): void {
    this.running = this.enforce().then(
      (result) => {
        if (result.ran) {
          this.logger.log({ cutoff: result.cutoff, partitionsDropped: result.dropped.length, rollupRows: result.rollupRows }, 'call-log retention run done');
        }
      },
      (err: unknown) => this.logger.error({ err }, 'call-log retention run failed; what it had not done is retried at the next run (12 h)'),
    );
  }

  /** Monthly partitions (by name and by bound) whose whole range lies before the cutoff, oldest first. */
  private async expiredPartitions(runner: QueryRunner, cutoff: Date): Promise<Omit<DroppedPartition, 'rows'>[]> {
    return runner.query(
      `SELECT name, bounds[1]::timestamptz AS "from", bounds[2]::timestamptz AS "to"
       FROM (
         SELECT c.relname AS name, regexp_match(pg_get_expr(c.relpartbound, c.oid), '^FOR VALUES FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)$') AS bounds
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'call_logs'::regclass AND c.relname ~ '^call_logs_[0-9]{4}_[0-9]{2}$'
       ) p
       WHERE bounds IS NOT NULL AND bounds[2]::timestamptz <= $1
       ORDER BY 3`,
      [cutoff],
    );
  }

  /** Detaches and drops one month, with its audit event, in one transaction: dropped and audited, or neither. */
  private async drop(runner: QueryRunner, partition: Omit<DroppedPartition, 'rows'>, cutoff: Date): Promise<DroppedPartition> {
    const table = `"${partition.name}"`;
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      // SHARE keeps late (replayed) rows out while counting, yet lets readers of the month go on until the DETACH.
      await runner.query(`LOCK TABLE ${table} IN SHARE MODE`);
      const [{ rows }] = await runner.query(`SELECT count(*)::int AS rows FROM ${table}`);
      await runner.query(`ALTER TABLE call_logs DETACH PARTITION ${table}`);
      await runner.query(`DROP TABLE ${table}`);
      const dropped = { ...partition, rows: Number(rows) };
      await this.audit.record(runner.manager, null, {
        tenantId: null,
        action: 'call_logs.partition_drop',
        entityType: 'call_log_partition',
        entityId: partition.name,
        // ISO text: audit payloads are copied key by key (redaction), which would turn a Date into {}.
        before: { from: partition.from.toISOString(), to: partition.to.toISOString(), rows: dropped.rows },
        after: { retentionMonths: this.months, cutoff: cutoff.toISOString() },
      });
      await runner.commitTransaction();
      this.logger.log(
        { partition: partition.name, from: partition.from, to: partition.to, rows: dropped.rows, retentionMonths: this.months, cutoff },
        'call-log retention: dropped a monthly partition',
      );
      return dropped;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw new Error(`could not drop call-log partition ${partition.name}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async purgeRollups(runner: QueryRunner, cutoff: Date): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    await runner.startTransaction();
    try {
      for (const [table, column] of ROLLUPS) {
        const [, count] = await runner.query(`DELETE FROM ${table} WHERE ${column} < $1`, [cutoff]);
        deleted[table] = Number(count);
      }
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) {
        await this.audit.record(runner.manager, null, {
          tenantId: null,
          action: 'call_stats.purge',
          entityType: 'call_stats',
          entityId: null,
          before: deleted,
          after: { retentionMonths: this.months, cutoff: cutoff.toISOString() },
        });
      }
      await runner.commitTransaction();
      if (total > 0) this.logger.log({ rollupRows: deleted, retentionMonths: this.months, cutoff }, 'call-log retention: deleted old statistics');
      return deleted;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw new Error(`could not delete call statistics before ${cutoff.toISOString()}: ${(err as Error).message}`, { cause: err });
    }
  }
}
