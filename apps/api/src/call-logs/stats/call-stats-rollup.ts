// Rolls new call-log rows up into the dashboards' statistics, following call_logs.seq, off the gateway's hot path.
//
// Every row gets `seq` from a sequence when it is inserted (a column default: the writer is untouched), so rows
// replayed late from the spool, with their old created_at, are new rows to the rollup and land in their old minute.
// A pass adds the rows with watermark < seq <= target to the rollup tables and moves the watermark, in one
// transaction: counted exactly once. One pass at a time across replicas: the state row is locked with SKIP LOCKED,
// so a second replica skips instead of waiting.
//
// Sequence numbers are taken before commit, so a row with a lower seq can become visible after a higher one. The
// target is therefore a seq known to be final: `seen_seq` is the sequence's last value read at one pass; at a later
// pass (SETTLE_MS on, by when every transaction holding a number up to seen_seq has an xid) it becomes pending with
// that pass's snapshot xmax; once the oldest running transaction is newer than that xmax (pg_current_snapshot's
// xmin), every transaction that could hold such a number has committed or aborted, and the pending seq is the target.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service';

/** Least time between reading the sequence and trusting the snapshot that makes the read seq pending. */
const SETTLE_MS = 250;
/** Longest a pass may run; it is retried at the next interval. */
const PASS_TIMEOUT = '60s';
const SHUTDOWN_WAIT_MS = 5_000;
/** Sequence numbers rolled up per transaction, so a large backlog is taken in bounded steps. */
const MAX_SEQ_PER_PASS = 50_000;

interface State {
  watermark: string;
  seen_seq: string | null;
  seen_ms: number | null;
  pending_seq: string | null;
  pending_xmax: string | null;
}

export interface PassResult {
  /** False when another replica's pass held the state row. */
  ran: boolean;
  watermark: bigint;
  rows: number;
  /** More rows are ready to be rolled up right away. */
  more: boolean;
}

const ROLLUP_SQL = `
  WITH src AS MATERIALIZED (
    SELECT tenant_id, group_id, api_key_id, tool_id, tool_name, created_at, is_error, duration_ms
    FROM call_logs WHERE seq > $1 AND seq <= $2 AND tenant_id IS NOT NULL
  ), per_bucket AS MATERIALIZED (
    SELECT tenant_id, group_id, date_bin('1 minute', created_at, TIMESTAMPTZ 'epoch') AS minute, toolgate_latency_bucket(duration_ms) AS b,
           count(*) AS n, count(*) FILTER (WHERE is_error) AS e, sum(duration_ms) AS s, max(duration_ms) AS mx
    FROM src GROUP BY 1, 2, 3, 4
  ), minutes AS (
    INSERT INTO call_stats_minute AS t (tenant_id, minute, group_id, calls, errors, duration_sum_ms, duration_max_ms, latency_hist)
    SELECT tenant_id, minute, group_id, sum(n), sum(e), sum(s), max(mx), toolgate_histogram(array_agg(b), array_agg(n))
    FROM per_bucket GROUP BY tenant_id, minute, group_id
    ON CONFLICT (tenant_id, minute, group_id) DO UPDATE SET
      calls = t.calls + EXCLUDED.calls, errors = t.errors + EXCLUDED.errors, duration_sum_ms = t.duration_sum_ms + EXCLUDED.duration_sum_ms,
      duration_max_ms = greatest(t.duration_max_ms, EXCLUDED.duration_max_ms), latency_hist = toolgate_histogram_add(t.latency_hist, EXCLUDED.latency_hist)
    RETURNING 1
  ), hours AS (
    INSERT INTO call_stats_hour AS t (tenant_id, hour, group_id, calls, errors, duration_sum_ms, duration_max_ms, latency_hist)
    SELECT tenant_id, date_bin('1 hour', minute, TIMESTAMPTZ 'epoch'), group_id, sum(n), sum(e), sum(s), max(mx), toolgate_histogram(array_agg(b), array_agg(n))
    FROM per_bucket GROUP BY 1, 2, 3
    ON CONFLICT (tenant_id, hour, group_id) DO UPDATE SET
      calls = t.calls + EXCLUDED.calls, errors = t.errors + EXCLUDED.errors, duration_sum_ms = t.duration_sum_ms + EXCLUDED.duration_sum_ms,
      duration_max_ms = greatest(t.duration_max_ms, EXCLUDED.duration_max_ms), latency_hist = toolgate_histogram_add(t.latency_hist, EXCLUDED.latency_hist)
    RETURNING 1
  ), usage AS (
    INSERT INTO call_stats_usage_hour AS t (tenant_id, hour, group_id, api_key_id, tool_id, tool_name, calls, errors)
    SELECT tenant_id, date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch'), group_id, api_key_id, tool_id, tool_name, count(*), count(*) FILTER (WHERE is_error)
    FROM src GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tenant_id, hour, group_id, api_key_id, tool_id, tool_name) DO UPDATE SET calls = t.calls + EXCLUDED.calls, errors = t.errors + EXCLUDED.errors
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM src)::int AS rows`;

@Injectable()
export class CallStatsRollup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallStatsRollup.name);
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfigService,
  ) {
    this.intervalMs = config.env.ROLLUP_INTERVAL_MS;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs > 0) this.schedule(this.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A pass in flight commits or rolls back on its own; shutdown waits for it, but not forever.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.running?.catch(() => undefined), new Promise((r) => (bound = setTimeout(r, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(bound);
  }

  /** One pass: advances the commit-order guard and rolls up what is known final (at most MAX_SEQ_PER_PASS numbers). */
  async runPass(): Promise<PassResult> {
    return this.db.transaction(async (m) => {
      const [state]: State[] = await m.query(
        `SELECT watermark, seen_seq, (extract(epoch FROM seen_at) * 1000)::float8 AS seen_ms, pending_seq, pending_xmax::text AS pending_xmax
         FROM call_stats_rollup_state WHERE id = 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!state) return { ran: false, watermark: 0n, rows: 0, more: false };
      await m.query(`SET LOCAL statement_timeout = '${PASS_TIMEOUT}'`);
      const [now] = await m.query(
        `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
                (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM call_logs_seq)::text AS last_seq,
                (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms`,
      );
      let watermark = BigInt(state.watermark);
      let pendingSeq = state.pending_seq === null ? null : BigInt(state.pending_seq);
      let pendingXmax = state.pending_xmax;
      let rows = 0;
      let rolled = false;

      if (pendingSeq !== null && pendingXmax !== null && BigInt(now.xmin) >= BigInt(pendingXmax)) {
        const target = pendingSeq - watermark > MAX_SEQ_PER_PASS ? watermark + BigInt(MAX_SEQ_PER_PASS) : pendingSeq;
        rows = await this.rollUp(m, watermark, target);
        rolled = true;
        watermark = target;
        if (watermark >= pendingSeq) pendingSeq = pendingXmax = null;
      }
      let seenSeq = state.seen_seq === null ? null : BigInt(state.seen_seq);
      let seenMs = state.seen_ms;
      if (pendingSeq === null && seenSeq !== null && seenSeq > watermark && seenMs !== null && now.now_ms - seenMs >= SETTLE_MS) {
        pendingSeq = seenSeq;
        pendingXmax = now.xmax;
        seenSeq = null;
      }
      // A fresh read only once the previous one is pending (or was nothing new), so it gets its full settle time.
      if (seenSeq === null || seenSeq <= watermark) {
        seenSeq = BigInt(now.last_seq);
        seenMs = now.now_ms;
      }
      await m.query(
        `UPDATE call_stats_rollup_state SET watermark = $1, seen_seq = $2, seen_at = to_timestamp($3 / 1000.0), pending_seq = $4,
           pending_xmax = $5::xid8, updated_at = now() WHERE id = 1`,
        [watermark.toString(), seenSeq.toString(), seenMs, pendingSeq?.toString() ?? null, pendingXmax],
      );
      const more = rolled && pendingSeq !== null && pendingSeq > watermark;
      return { ran: true, watermark, rows, more };
    });
  }

  /**
   * Passes until every row committed before the call is rolled up (tests, and operators after an outage).
   * Resolves with the watermark; rejects after `timeoutMs`.
   */
  async catchUp(timeoutMs = 10_000): Promise<bigint> {
    const [{ last }] = await this.db.query(`SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS last FROM call_logs_seq`);
    const target = BigInt(last);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pass = await this.runPass();
      if (pass.ran && pass.watermark >= target) return pass.watermark;
      if (Date.now() > deadline) throw new Error(`call-stats rollup did not reach seq ${target} within ${timeoutMs} ms`);
      if (!pass.more) await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async rollUp(m: EntityManager, from: bigint, to: bigint): Promise<number> {
    const [{ rows }] = await m.query(ROLLUP_SQL, [from.toString(), to.toString()]);
    return rows;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runPass()
        .then((pass) => this.schedule(pass.more ? 0 : this.intervalMs))
        .catch((err: unknown) => {
          this.logger.error({ err }, 'call-stats rollup pass failed; will retry');
          this.schedule(this.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }
}
