// Group commit of call-log rows: a call is answered only once its row is committed, or durably spooled while
// PostgreSQL is unreachable and replayed, exactly once, when it returns.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { CallLogRow, JsonText } from './call-log-row';
import { CallLogSpool, RejectedRow, stringifyJson } from './call-log-spool';

/** A pool connection this slow to come means the database is not there for us: spool instead of holding calls. */
const CONNECT_TIMEOUT_MS = 5_000;
const INSERT_TIMEOUT_MS = 10_000;
const REPLAY_FIRST_DELAY_MS = 500;
const REPLAY_MAX_DELAY_MS = 5_000;

/**
 * INSERTs at once: one normally, while the next batch gathers; a second beside it only for rows that have waited
 * CALL_LOG_FLUSH_MS behind a slow one (or a full batch), so a slow INSERT does not hold every call.
 */
const MAX_IN_FLIGHT = 2;

// One statement whatever the batch size, so PostgreSQL parses and plans it once per connection. The rows travel as
// one JSON array: one parameter that pg sends as it is, instead of twenty arrays it would escape value by value.
const INSERT_COLUMNS = `
  INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments, result_summary, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id)
  SELECT id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments, result_summary, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id
  FROM json_to_recordset($1::json) AS u(id uuid, created_at timestamptz, tenant_id uuid, group_id uuid, api_key_id uuid, tool_id uuid,
    tool_name text, method text, session_id text, client_name text, client_version text, caller_ip text, arguments jsonb,
    result_summary jsonb, is_error boolean, outcome text, error_code text, duration_ms integer, upstream_duration_ms integer, request_id text)`;
/**
 * Rows written for the first time cannot be in the table: they go without ON CONFLICT, whose speculative insertion
 * costs PostgreSQL about a fifth of such an INSERT. Rows that may be there already (a replay of the spool, a row
 * written twice) go with it, so each is stored once.
 */
const INSERT = {
  fresh: { name: 'toolgate_call_logs_insert', text: INSERT_COLUMNS },
  skipExisting: { name: 'toolgate_call_logs_insert_skip_existing', text: `${INSERT_COLUMNS}\n  ON CONFLICT (created_at, id) DO NOTHING` },
} as const;
const UNIQUE_VIOLATION = '23505';

/** The INSERT's parameter: the rows as one JSON array, and how many it holds. */
interface EncodedRows {
  json: string;
  rows: number;
}

interface Batch {
  rows: CallLogRow[];
  /** When its first row came (ms since epoch). */
  openedAt: number;
  /** May start beside an INSERT in flight: it is full, or has waited CALL_LOG_FLUSH_MS. */
  due: boolean;
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

  /** Gathering rows. */
  private open?: Batch;
  /** Full batches waiting for an INSERT slot. */
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Set<Batch>();
  private timer?: { kind: 'immediate'; handle: NodeJS.Immediate } | { kind: 'timeout'; handle: NodeJS.Timeout };
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
   *
   * Group commit: when no INSERT is running, the row is inserted at the end of the current event-loop turn,
   * together with whatever else this turn writes; while one runs, rows gather and go in the next INSERT as soon as
   * it ends, or beside it once they have waited CALL_LOG_FLUSH_MS. A batch holds at most CALL_LOG_BATCH_SIZE rows.
   * So an idle gateway adds no wait to a call, and a busy one inserts in batches as large as its concurrency.
   */
  write(row: CallLogRow): Promise<void> {
    let batch = this.open;
    if (!batch) {
      batch = this.open = newBatch();
      this.arm(this.inFlight.size === 0 || this.flushMs === 0 ? 0 : this.flushMs);
    }
    batch.rows.push(row);
    this.queued++;
    if (batch.rows.length >= this.batchSize) this.closeOpenBatch();
    return batch.done;
  }

  /** Waits until every row written so far is committed or spooled (failures are reported to their writers). */
  async flush(): Promise<void> {
    this.closeOpenBatch();
    const waiting = [...this.ready, ...this.inFlight].map((b) => b.done);
    await Promise.allSettled(waiting);
  }

  /**
   * Shutdown out of time: every row not yet known to be committed or spooled is appended to the spool, for the next
   * run to replay. Rows of an INSERT still under way may get committed as well; replays skip stored rows, so each is
   * stored once. Resolves to the number of rows spooled.
   */
  async spoolUnsettled(): Promise<number> {
    this.disarm();
    const rows = [this.open, ...this.ready, ...this.inFlight].flatMap((b) => b?.rows ?? []);
    await this.spool.append(rows);
    return rows.length;
  }

  stats(): { queued: number; spooledRows: number; databaseUp: boolean } {
    return { queued: this.queued, spooledRows: this.spool.size().rows, databaseUp: this.databaseUp };
  }

  /** Looks at the open batch again after `ms` (0: at the end of this event-loop turn). */
  private arm(ms: number): void {
    this.disarm();
    this.timer = ms === 0 ? { kind: 'immediate', handle: setImmediate(this.onDue) } : { kind: 'timeout', handle: setTimeout(this.onDue, ms) };
  }

  private disarm(): void {
    const timer = this.timer;
    if (!timer) return;
    // Each clear function only for its own kind: clearImmediate on a Timeout corrupts Node's immediate count.
    if (timer.kind === 'immediate') clearImmediate(timer.handle);
    else clearTimeout(timer.handle);
    this.timer = undefined;
  }

  private readonly onDue = (): void => {
    this.timer = undefined;
    const batch = this.open;
    if (!batch) return;
    const waited = Date.now() - batch.openedAt;
    if (this.inFlight.size > 0 && waited < this.flushMs) return this.arm(this.flushMs - waited);
    batch.due = true;
    this.pump();
  };

  /** The open batch stops gathering: it is full, or everything must go now (flush, shutdown). */
  private closeOpenBatch(): void {
    const batch = this.open;
    if (batch) {
      this.disarm();
      this.open = undefined;
      batch.due = true;
      this.ready.push(batch);
    }
    this.pump();
  }

  /** Starts what may start: full batches while a slot is free, then the open one when nothing runs or it is due. */
  private pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT) {
      let batch = this.ready.shift();
      if (!batch) {
        const open = this.open;
        if (!open || (this.inFlight.size > 0 && !open.due)) return;
        this.disarm();
        this.open = undefined;
        batch = open;
      }
      this.start(batch);
    }
  }

  private start(batch: Batch): void {
    this.inFlight.add(batch);
    void this.flushBatch(batch).finally(() => {
      this.inFlight.delete(batch);
      this.pump();
    });
  }

  private async flushBatch(batch: Batch): Promise<void> {
    try {
      let toSpool = batch.rows;
      if (this.databaseUp) {
        try {
          await this.commit(batch.rows, 'fresh');
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
   * Commits the rows. Fresh rows that meet one already stored (the same row written twice) are inserted again
   * skipping it; a batch refused for its values is retried row by row; a row still refused goes to the rejected
   * file. Throws DatabaseUnavailable when PostgreSQL cannot take rows at all.
   */
  private async commit(rows: CallLogRow[], kind: keyof typeof INSERT): Promise<void> {
    const rejected: RejectedRow[] = [];
    const encoded = encode(rows, rejected);
    const good = encodable(rows, rejected);
    try {
      try {
        if (good.length > 0) {
          try {
            await this.insertRows(encoded, kind);
          } catch (err) {
            if (kind !== 'fresh' || sqlState(err) !== UNIQUE_VIOLATION) throw err;
            await this.insertRows(encoded, 'skipExisting');
          }
        }
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
      const encoded = encode([withoutNul(rows[i])], rejected);
      if (encoded.rows === 0) continue;
      try {
        await this.insertRows(encoded, 'skipExisting');
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
  private async insertRows(encoded: EncodedRows, kind: keyof typeof INSERT): Promise<void> {
    const query: QueryConfig & { query_timeout: number } = { ...INSERT[kind], values: [encoded.json], query_timeout: INSERT_TIMEOUT_MS };
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
          await this.commit(rows.slice(i, i + this.batchSize), 'skipExisting');
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
  return { rows: [], openedAt: Date.now(), due: false, done, resolve, reject };
}

/**
 * Rows into the INSERT's JSON array. A row that cannot be encoded (an invalid date, a cyclic argument) is added to
 * `rejected` instead. Values the recorder already serialised (JsonText) are spliced in as they are.
 */
function encode(rows: readonly CallLogRow[], rejected: RejectedRow[]): EncodedRows {
  let json = '';
  let n = 0;
  for (const r of rows) {
    let text: string;
    try {
      text = rowJson(r);
    } catch (err) {
      rejected.push({ row: r, error: { message: err instanceof Error ? err.message : String(err) } });
      continue;
    }
    json += n === 0 ? text : `,${text}`;
    n++;
  }
  return { json: `[${json}]`, rows: n };
}

/** One row as a JSON object with the column names of INSERT_COLUMNS; throws when a value cannot be encoded. */
function rowJson(r: CallLogRow): string {
  const createdAt = (r.createdAt instanceof Date ? r.createdAt : new Date(r.createdAt)).toISOString();
  return (
    `{"id":${text(r.id)},"created_at":"${createdAt}","tenant_id":${text(r.tenantId)},"group_id":${text(r.groupId)},` +
    `"api_key_id":${text(r.apiKeyId)},"tool_id":${text(r.toolId)},"tool_name":${text(r.toolName)},"method":${text(r.method)},` +
    `"session_id":${text(r.sessionId)},"client_name":${text(r.clientName)},"client_version":${text(r.clientVersion)},` +
    `"caller_ip":${text(r.callerIp)},"arguments":${jsonText(r.arguments)},"result_summary":${jsonText(r.resultSummary)},` +
    `"is_error":${r.isError === true},"outcome":${text(r.outcome)},"error_code":${text(r.errorCode)},` +
    `"duration_ms":${JSON.stringify(Math.round(r.durationMs ?? 0))},` +
    `"upstream_duration_ms":${r.upstreamDurationMs == null ? 'null' : JSON.stringify(Math.round(r.upstreamDurationMs))},` +
    `"request_id":${text(r.requestId)}}`
  );
}

/** A text (or uuid) column's value as JSON. */
function text(value: string | null | undefined): string {
  return value === null || value === undefined ? 'null' : JSON.stringify(value);
}

function encodable(rows: CallLogRow[], rejected: readonly RejectedRow[]): CallLogRow[] {
  if (rejected.length === 0) return rows;
  const bad = new Set(rejected.map((r) => r.row));
  return rows.filter((r) => !bad.has(r));
}

/** A jsonb column's value as JSON: SQL NULL for null and undefined. */
function jsonText(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof JsonText) return value.text;
  return stringifyJson(value) ?? 'null';
}

/** PostgreSQL text and jsonb cannot hold U+0000: the retry replaces it rather than lose the row. */
function withoutNul(row: CallLogRow): CallLogRow {
  const clean = (v: unknown): unknown => {
    if (v instanceof JsonText) return clean(JSON.parse(v.text));
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
