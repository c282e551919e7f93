// Auditors' queries over the partitioned call log: tenant first, keyset pages, newest first.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CallLogCountDto, CallLogDto, CallLogFacets, CallLogFilter, CallLogPage, CallLogQuery, CallOutcome } from '@toolgate/contracts';
import { DataSource } from 'typeorm';
import { AppException } from '../common/errors/app-exception';
import { encodeCursor, newestFirstPage, toPage, WhereBuilder } from '../common/pagination/cursor';
import { AppConfigService } from '../config/app-config.service';

interface CallLogRow {
  id: string;
  created_at: Date;
  created_at_text: string;
  group_id: string | null;
  api_key_id: string | null;
  tool_id: string | null;
  tool_name: string | null;
  method: string;
  session_id: string | null;
  client_name: string | null;
  client_version: string | null;
  caller_ip: string | null;
  arguments: unknown;
  result_summary: unknown;
  is_error: boolean;
  outcome: CallOutcome;
  error_code: string | null;
  duration_ms: number;
  upstream_duration_ms: number | null;
  request_id: string | null;
}

/** Exact counting stops here; beyond it the count is the planner's estimate. */
const EXACT_COUNT_CAP = 1_000_000;

@Injectable()
export class CallLogsService {
  private readonly searchScanRows: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfigService,
  ) {
    this.searchScanRows = config.env.CALL_LOG_SEARCH_SCAN_ROWS;
  }

  /** One newest-first keyset page. With `q`, the page scans at most CALL_LOG_SEARCH_SCAN_ROWS rows (see searchPage). */
  async query(tenantId: string, q: CallLogQuery): Promise<CallLogPage> {
    const where = filterWhere(tenantId, q).after(q.cursor);
    const page =
      q.q === undefined
        ? await newestFirstPage<CallLogRow>(this.db, 'call_logs', where, q.limit)
        : await this.searchPage(where, argumentsPattern(q.q), q.limit);
    return { items: page.rows.map(toCallLogDto), nextCursor: page.nextCursor };
  }

  async getById(tenantId: string, id: string): Promise<CallLogDto> {
    const [row] = await this.db.query(`SELECT *, created_at::text AS created_at_text FROM call_logs WHERE tenant_id = $1 AND id = $2 LIMIT 1`, [tenantId, id]);
    if (!row) throw AppException.notFound('Call log');
    return toCallLogDto(row as CallLogRow);
  }

  /**
   * Exact up to a cap, else an estimate: without `q`, 1,000,000 rows; with `q`, the matches among the first
   * CALL_LOG_SEARCH_SCAN_ROWS rows of the other filters (one page's scan), scaled up to their count beyond.
   */
  async count(tenantId: string, filter: CallLogFilter): Promise<CallLogCountDto> {
    const where = filterWhere(tenantId, filter);
    if (filter.q === undefined) return this.countCapped(where);
    const pattern = pushParam(where, argumentsPattern(filter.q));
    const sample = this.searchScanRows;
    const [row] = await this.db.query(
      `SELECT count(*)::int AS scanned, count(*) FILTER (WHERE hit)::int AS hits
       FROM (SELECT coalesce(arguments::text ILIKE ${pattern}, false) AS hit FROM call_logs ${where.sql} LIMIT ${sample + 1}) s`,
      where.params,
    );
    if (row.scanned <= sample) return { count: row.hits, exact: true };
    const all = await this.countCapped(filterWhere(tenantId, { ...filter, q: undefined }));
    return { count: Math.max(row.hits, Math.round((all.count * row.hits) / row.scanned)), exact: false };
  }

  /** Every page of the filtered set, newest first, `batch` rows at a time (fewer with `q`): for the export. */
  async *pages(tenantId: string, filter: CallLogFilter, batch: number): AsyncGenerator<CallLogDto[]> {
    let cursor: string | undefined;
    do {
      const page = await this.query(tenantId, { ...filter, cursor, limit: batch });
      if (page.items.length > 0) yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Creates the monthly partitions ahead of time; returns how many were created. */
  async ensurePartitions(monthsAhead: number): Promise<number> {
    const [row] = await this.db.query('SELECT toolgate_ensure_call_log_partitions($1) AS created', [monthsAhead]);
    return Number(row.created);
  }

  /**
   * A text search page that costs a bounded scan, however rare the text: the rows of the other filters are read
   * newest first (through their index) and stop at the page's limit + 1 matches or after `searchScanRows` rows.
   * In the second case the cursor points at the last row scanned, so the next page goes on from there, and this
   * page may be short, even empty.
   */
  private async searchPage(where: WhereBuilder, pattern: string, limit: number): Promise<{ rows: CallLogRow[]; nextCursor: string | null }> {
    const p = pushParam(where, pattern);
    const budget = this.searchScanRows;
    const rows: (CallLogRow & { hit: boolean; scan_n: string })[] = await this.db.query(
      `SELECT * FROM (
         SELECT c.*, c.created_at::text AS created_at_text, coalesce(c.arguments::text ILIKE ${p}, false) AS hit,
                row_number() OVER (ORDER BY c.created_at DESC, c.id DESC) AS scan_n
         FROM call_logs c ${where.sql} ORDER BY c.created_at DESC, c.id DESC LIMIT ${budget}
       ) s WHERE s.hit OR s.scan_n = ${budget} LIMIT ${limit + 1}`,
      where.params,
    );
    const hits = rows.filter((r) => r.hit);
    if (hits.length > limit) return toPage(hits, limit);
    const last = rows[rows.length - 1];
    const stopped = last !== undefined && Number(last.scan_n) === budget;
    return { rows: hits, nextCursor: stopped ? encodeCursor({ createdAt: last.created_at_text, id: last.id }) : null };
  }

  /**
   * Names of the tenant's groups, keys and tools: auditors may not read configuration, but must be able to pick
   * "which group, key, tool" in the explorer and read them in its rows. Names only: no settings, no secrets.
   */
  async facets(tenantId: string): Promise<CallLogFacets> {
    const [groups, keys, tools] = await Promise.all([
      this.db.query(`SELECT id, name, server_code AS "serverCode" FROM tool_groups WHERE tenant_id = $1 ORDER BY name`, [tenantId]),
      this.db.query(
        `SELECT k.id, k.name, k.key_prefix AS prefix, k.group_id AS "groupId", k.revoked_at IS NOT NULL AS revoked
           FROM api_keys k WHERE k.tenant_id = $1 ORDER BY k.name, k.created_at`,
        [tenantId],
      ),
      this.db.query(`SELECT id, name, status FROM tools WHERE tenant_id = $1 ORDER BY name`, [tenantId]),
    ]);
    return { groups, keys, tools };
  }

  private async countCapped(where: WhereBuilder): Promise<CallLogCountDto> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM call_logs ${where.sql} LIMIT ${EXACT_COUNT_CAP + 1}) s`, where.params);
    if (row.n <= EXACT_COUNT_CAP) return { count: row.n, exact: true };
    const [plan] = await this.db.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM call_logs ${where.sql}`, where.params);
    const estimate = Number(plan['QUERY PLAN'][0].Plan['Plan Rows']);
    return { count: Math.max(row.n, Math.round(estimate)), exact: false };
  }
}

/** The filters other than `q` and the cursor, tenant first. */
function filterWhere(tenantId: string, f: CallLogFilter): WhereBuilder {
  return new WhereBuilder()
    .add('tenant_id = ?', tenantId)
    .add('group_id = ?', f.groupId)
    .add('api_key_id = ?', f.keyId)
    .add('tool_id = ?', f.toolId)
    .add('tool_name = ?', f.toolName)
    .add('outcome = ?', f.outcome)
    .add('request_id = ?', f.requestId)
    .add('created_at >= ?', f.from)
    .add('created_at < ?', f.to);
}

/** Adds a parameter the WHERE clause does not use (the search pattern) and returns its placeholder. */
function pushParam(where: WhereBuilder, value: unknown): string {
  where.params.push(value);
  return `$${where.params.length}`;
}

/**
 * The ILIKE pattern finding `text` in jsonb's text form: escaped as JSON escapes it inside a string (so `"` and `\`
 * match their stored form), then LIKE's own `\`, `%` and `_` escaped so they match themselves.
 */
export function argumentsPattern(text: string): string {
  const json = JSON.stringify(text).slice(1, -1);
  return `%${json.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toCallLogDto(r: CallLogRow): CallLogDto {
  return {
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    groupId: r.group_id,
    apiKeyId: r.api_key_id,
    toolId: r.tool_id,
    toolName: r.tool_name,
    method: r.method,
    sessionId: r.session_id,
    clientName: r.client_name,
    clientVersion: r.client_version,
    callerIp: r.caller_ip,
    arguments: r.arguments,
    resultSummary: r.result_summary,
    isError: r.is_error,
    outcome: r.outcome,
    errorCode: r.error_code,
    durationMs: r.duration_ms,
    upstreamDurationMs: r.upstream_duration_ms,
    requestId: r.request_id,
  };
}
