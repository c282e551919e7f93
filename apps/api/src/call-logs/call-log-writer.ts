// Group commit of call-log rows: a call is answered only once its row is committed, or durably spooled while
// PostgreSQL is unreachable and replayed, exactly once, when it returns.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import type { CallLogRow } from './call-log-row';
import { CallLogSpool, RejectedRow, stringifyJson } from './call-log-spool';

/** A pool connection this slow to come means the database is not there for us: spool instead of holding calls. */
const CONNECT_TIMEOUT_MS = 5_000;
const INSERT_TIMEOUT_MS = 10_000;
const REPLAY_FIRST_DELAY_MS = 500;
const REPLAY_MAX_DELAY_MS = 5_000;

// One statement whatever the batch size, so PostgreSQL parses and plans it once per connection.
const INSERT_STATEMENT = 'toolgate_call_logs_insert';
const INSERT_SQL = `
  INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments, result_summary, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id)
  SELECT id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments::jsonb, result_summary::jsonb, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id
  FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[],
    $11::text[], $12::text[], $13::text[], $14::text[], $15::boolean[], $16::text[], $17::text[], $18::integer[], $19::integer[], $20::text[])
    AS u(id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments, result_summary, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id)
  ON CONFLICT (created_at, id) DO NOTHING`;

/** The INSERT's parameters: one array per column, in INSERT_SQL's order. */
type Columns = unknown[][];

interface Batch {
  rows: CallLogRow[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** PostgreSQL cannot take rows now; `pending` are the rows not known to be committed. */
class DatabaseUnavailable extends Error {
  constructor(
    readonly reason: unknown,
    readonly pending: CallLogRow[],
  ) {
    super('database unavailable');
  }
}

@Injectable()
export class CallLogWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallLogWriter.name);
  private readonly batchSize: number;
  private readonly flushMs: number;

  private open?: Batch;
  private readonly ready: Batch[] = [];
  private inFlight?: Batch;
  private timer?: NodeJS.Timeout | NodeJS.Immediate;
  private queued = 0;

  private databaseUp = true;
  private closed = false;
  private replayTimer?: NodeJS.Timeout;
  private replaying?: Promise<void>;
  private replayDelay = REPLAY_FIRST_DELAY_MS;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly spool: CallLogSpool,
    config: AppConfigService,
  ) {
    this.batchSize = config.env.CALL_LOG_BATCH_SIZE;
    this.flushMs = config.env.CALL_LOG_FLUSH_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.spool.init();
    } catch (err) {
      this.logger.error({ dir: this.spool.dir, err: describe(err) }, 'call-log spool is not usable');
      return;
    }
    const { rows, segments } = this.spool.size();
    if (rows > 0) {
      this.logger.warn({ rows, segments }, 'replaying call-log rows spooled by an earlier run');
      this.scheduleReplay(0);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    await this.flush();
    await this.replaying;
    await this.spool.close().catch((err) => this.logger.error({ err: describe(err) }, 'could not close the call-log spool'));
  }

  /**
   * Resolves once the row is committed in PostgreSQL or durably spooled; rejects only when even the spool
   * failed (e.g. disk full), and then the call must be treated as failed. Rows of one batch share one promise.
   */
  write(row: CallLogRow): Promise<void> {
    let batch = this.open;
    if (!batch) {
      batch = this.open = newBatch();
      this.timer = this.flushMs === 0 ? setImmediate(this.onDue) : setTimeout(this.onDue, this.flushMs);
    }
    batch.rows.push(row);
    this.queued++;
    if (batch.rows.length >= this.batchSize) this.closeOpenBatch();
    return batch.done;
  }

  /** Waits until every row written so far is committed or spooled (failures are reported to their writers). */
  async flush(): Promise<void> {
    this.closeOpenBatch();
    const waiting = [...this.ready, ...(this.inFlight ? [this.inFlight] : [])].map((b) => b.done);
    await Promise.allSettled(waiting);
  }

  stats(): { queued: number; spooledRows: number; databaseUp: boolean } {
    return { queued: this.queued, spooledRows: this.spool.size().rows, databaseUp: this.databaseUp };
  }

  private readonly onDue = (): void => {
    this.timer = undefined;
    this.closeOpenBatch();
  };

  private closeOpenBatch(): void {
    if (this.timer) {
      // Each clear function only for its own kind: clearImmediate on a Timeout corrupts Node's immediate count.
      if (this.flushMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
      else clearTimeout(this.timer as NodeJS.Timeout);
      this.timer = undefined;
    }
    if (this.open) {
      this.ready.push(this.open);
      this.open = undefined;
    }
    this.pump();
  }

  /** Starts the next ready batch unless one is in flight: one flush at a time, the next batch forms meanwhile. */
  private pump(): void {
    if (this.inFlight) return;
    const batch = this.ready.shift();
    if (!batch) return;
    this.inFlight = batch;
    void this.flushBatch(batch).finally(() => {
      this.inFlight = undefined;
      this.pump();
    });
  }

  private async flushBatch(batch: Batch): Promise<void> {
    try {
      let toSpool = batch.rows;
      if (this.databaseUp) {
        try {
          await this.commit(batch.rows);
          this.settle(batch);
          return;
        } catch (err) {
          if (!(err instanceof DatabaseUnavailable)) throw err;
          this.markDown(err.reason, err.pending.length);
          toSpool = err.pending;
        }
      } else {
        toSpool = await this.screen(batch.rows);
      }
      await this.spool.append(toSpool);
      this.scheduleReplay(this.replayDelay);
      this.settle(batch);
    } catch (err) {
      // Neither committed nor spooled: the callers must fail their calls.
      this.logger.error({ rows: batch.rows.length, err: describe(err) }, 'call-log rows could not be committed nor spooled');
      this.settle(batch, err);
    }
  }

  private settle(batch: Batch, err?: unknown): void {
    this.queued -= batch.rows.length;
    if (err === undefined) batch.resolve();
    else batch.reject(err);
  }

  /**
   * Commits the rows. A batch refused for its values is retried row by row; a row still refused goes to the
   * rejected file. Throws DatabaseUnavailable when PostgreSQL cannot take rows at all.
   */
  private async commit(rows: CallLogRow[]): Promise<void> {
    const rejected: RejectedRow[] = [];
    const columns = encode(rows, rejected);
    const good = encodable(rows, rejected);
    try {
      try {
        if (good.length > 0) await this.insertRows(columns);
      } catch (err) {
        if (isConnectionError(err)) throw new DatabaseUnavailable(err, good);
        await this.commitOneByOne(good, rejected);
      }
    } finally {
      // Also on the way out with DatabaseUnavailable: these rows are not in `pending`, so they are stored here.
      if (rejected.length > 0) await this.rejectRows(rejected);
    }
  }

  private async commitOneByOne(rows: CallLogRow[], rejected: RejectedRow[]): Promise<void> {
    const before = rejected.length;
    for (let i = 0; i < rows.length; i++) {
      // One NUL character (which PostgreSQL cannot store) should not cost a row its place in the log.
      const columns = encode([withoutNul(rows[i])], rejected);
      if (columns[0].length === 0) continue;
      try {
        await this.insertRows(columns);
      } catch (err) {
        if (isConnectionError(err)) throw new DatabaseUnavailable(err, rows.slice(i));
        rejected.push({ row: rows[i], error: errorOf(err) });
      }
    }
    this.logger.warn({ rows: rows.length, rejected: rejected.length - before }, 'call-log batch refused; retried row by row');
  }

  /** While PostgreSQL is down: rows that cannot even be encoded go to the rejected file, the rest to the spool. */
  private async screen(rows: CallLogRow[]): Promise<CallLogRow[]> {
    const rejected: RejectedRow[] = [];
    encode(rows, rejected);
    if (rejected.length > 0) await this.rejectRows(rejected);
    return encodable(rows, rejected);
  }

  private async rejectRows(rejected: RejectedRow[]): Promise<void> {
    await this.spool.reject(rejected);
    // Codes only: PostgreSQL's messages can quote the offending value.
    const codes = [...new Set(rejected.map((r) => r.error.code ?? 'encode'))];
    this.logger.error({ rows: rejected.length, codes, dir: this.spool.dir }, 'call-log rows refused by PostgreSQL kept in the rejected spool file');
  }

  /** The one INSERT statement per batch (tests count its calls). */
  private async insertRows(columns: Columns): Promise<void> {
    const query: QueryConfig & { query_timeout: number } = { name: INSERT_STATEMENT, text: INSERT_SQL, values: columns, query_timeout: INSERT_TIMEOUT_MS };
    await this.run(query);
  }

  private async run(query: QueryConfig & { query_timeout: number }): Promise<void> {
    const client = await this.connect();
    let failure: unknown;
    // A checked-out client whose socket dies emits 'error' besides failing the query: without a listener it would
    // crash the process (the pool listens only while the client is idle).
    const onSocketError = (err: unknown) => (failure ??= err);
    client.on('error', onSocketError);
    try {
      await client.query(query);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      client.removeListener('error', onSocketError);
      // A connection that failed or timed out may still be busy with the statement: discard it, never reuse it.
      client.release(failure !== undefined && (isConnectionError(failure) || !sqlState(failure)) ? (failure as Error) : undefined);
    }
  }

  private connect(): Promise<PoolClient> {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) return Promise.reject(new Error('Connection pool is closed'));
    return new Promise<PoolClient>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`Connection timeout: no pool connection within ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      pool.connect().then(
        (client) => {
          clearTimeout(timer);
          // Late arrival after we gave up: hand it straight back.
          if (timedOut) client.release();
          else resolve(client);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private markDown(cause: unknown, rows: number): void {
    if (this.databaseUp) this.logger.warn({ rows, err: describe(cause) }, 'PostgreSQL unreachable: spooling call-log rows until it returns');
    this.databaseUp = false;
    // The replay loop is also the probe that notices PostgreSQL is back, even if nothing could be spooled.
    this.scheduleReplay(this.replayDelay);
  }

  private scheduleReplay(delay: number): void {
    if (this.closed || this.replayTimer || this.replaying) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      this.replaying = this.replay().finally(() => {
        this.replaying = undefined;
        // Rows spooled while this pass ran, or a failed pass: go again (after the backoff).
        if (!this.databaseUp || this.spool.size().rows > 0) this.scheduleReplay(this.replayDelay);
      });
    }, delay);
  }

  /** Moves the sealed spool segments into PostgreSQL; a segment is removed only once all its rows are committed. */
  private async replay(): Promise<void> {
    let replayed = 0;
    try {
      if (!this.databaseUp) {
        await this.run({ text: 'SELECT 1', query_timeout: CONNECT_TIMEOUT_MS }).catch((err: unknown) => {
          throw new DatabaseUnavailable(err, []);
        });
        this.logger.log({ pending: this.spool.size().rows }, 'PostgreSQL reachable again: replaying spooled call-log rows');
      }
      this.databaseUp = true;
      await this.spool.seal();
      for (const segment of await this.spool.segments()) {
        const rows = await this.spool.read(segment);
        for (let i = 0; i < rows.length; i += this.batchSize) {
          if (this.closed) return;
          await this.commit(rows.slice(i, i + this.batchSize));
          replayed += Math.min(this.batchSize, rows.length - i);
        }
        await this.spool.remove(segment);
      }
      this.replayDelay = REPLAY_FIRST_DELAY_MS;
    } catch (err) {
      if (err instanceof DatabaseUnavailable) {
        if (this.databaseUp) this.logger.warn({ err: describe(err.reason) }, 'call-log replay interrupted: PostgreSQL unreachable again');
        this.databaseUp = false;
      } else {
        this.logger.error({ dir: this.spool.dir, err: describe(err) }, 'call-log replay failed; will retry');
      }
      this.replayDelay = Math.min(this.replayDelay * 2, REPLAY_MAX_DELAY_MS);
    } finally {
      if (replayed > 0) this.logger.log({ rows: replayed, pending: this.spool.size().rows }, 'replayed spooled call-log rows');
    }
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The writers hold this promise; a disk-full failure is logged here even if one of them never awaits it.
  done.catch(() => undefined);
  return { rows: [], done, resolve, reject };
}

/**
 * Rows into the INSERT's column arrays. A row that cannot be encoded (an invalid date, a cyclic argument) is
 * added to `rejected` instead. Dates go as ISO text and JSON as text, so pg does no per-value conversion.
 */
function encode(rows: readonly CallLogRow[], rejected: RejectedRow[]): Columns {
  const c: Columns = Array.from({ length: 20 }, () => new Array(rows.length));
  let n = 0;
  for (const r of rows) {
    let createdAt: string;
    let args: string | null;
    let result: string | null;
    try {
      createdAt = (r.createdAt instanceof Date ? r.createdAt : new Date(r.createdAt)).toISOString();
      args = jsonText(r.arguments);
      result = jsonText(r.resultSummary);
    } catch (err) {
      rejected.push({ row: r, error: { message: err instanceof Error ? err.message : String(err) } });
      continue;
    }
    c[0][n] = r.id;
    c[1][n] = createdAt;
    c[2][n] = r.tenantId;
    c[3][n] = r.groupId;
    c[4][n] = r.apiKeyId;
    c[5][n] = r.toolId;
    c[6][n] = r.toolName;
    c[7][n] = r.method;
    c[8][n] = r.sessionId;
    c[9][n] = r.clientName;
    c[10][n] = r.clientVersion;
    c[11][n] = r.callerIp;
    c[12][n] = args;
    c[13][n] = result;
    c[14][n] = r.isError === true;
    c[15][n] = r.outcome;
    c[16][n] = r.errorCode;
    c[17][n] = Math.round(r.durationMs ?? 0);
    c[18][n] = r.upstreamDurationMs == null ? null : Math.round(r.upstreamDurationMs);
    c[19][n] = r.requestId;
    n++;
  }
  if (n < rows.length) for (const col of c) col.length = n;
  return c;
}

function encodable(rows: CallLogRow[], rejected: readonly RejectedRow[]): CallLogRow[] {
  if (rejected.length === 0) return rows;
  const bad = new Set(rejected.map((r) => r.row));
  return rows.filter((r) => !bad.has(r));
}

function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return stringifyJson(value) ?? null;
}

/** PostgreSQL text and jsonb cannot hold U+0000: the retry replaces it rather than lose the row. */
function withoutNul(row: CallLogRow): CallLogRow {
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v;
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), clean(x)]));
    return v;
  };
  return clean(row) as CallLogRow;
}

function driverError(err: unknown): { code?: unknown; message?: unknown } {
  return ((err instanceof QueryFailedError ? err.driverError : err) ?? {}) as { code?: unknown; message?: unknown };
}

/** PostgreSQL's SQLSTATE, told apart from Node's errno codes (EPIPE is five capitals too): no class starts with E. */
function sqlState(err: unknown): string | undefined {
  const code = driverError(err).code;
  return typeof code === 'string' && /^([0-9]{2}|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code) ? code : undefined;
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /connection terminated|timeout|not queryable|cannot use a pool|pool is closed|connection refused|socket hang up|terminating connection/i;

/**
 * PostgreSQL cannot take rows now, whatever the rows: the network, SQLSTATE classes 08 (connection), 53 (out of
 * disk, memory or connections), 57 (shutdown, restart, cancelled), 58 (system error), 25006 (a read-only standby
 * during failover), timeouts and a closed pool. Such batches are spooled and replayed; any other failure is
 * about the rows and is retried row by row.
 */
export function isConnectionError(err: unknown): boolean {
  const e = driverError(err);
  const state = sqlState(err);
  if (state) return /^(08|53|57|58)/.test(state) || state === '25006';
  if (typeof e.code === 'string' && NETWORK_ERRORS.has(e.code)) return true;
  return CONNECTION_MESSAGES.test(String(e.message ?? ''));
}

function errorOf(err: unknown): { code?: string; message: string } {
  const e = driverError(err);
  return { ...(typeof e.code === 'string' ? { code: e.code } : {}), message: String(e.message ?? err) };
}

/** For logs: a SQLSTATE alone (its message may quote values), or a network error's code and message. */
function describe(err: unknown): { code?: string; message?: string } {
  const e = driverError(err);
  const state = sqlState(err);
  if (state) return { code: state };
  const code = typeof e.code === 'string' ? e.code : undefined;
  return { ...(code ? { code } : {}), message: String(e.message ?? err).slice(0, 200) };
}
