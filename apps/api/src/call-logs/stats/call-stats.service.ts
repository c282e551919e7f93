// The dashboards' statistics: rollup tables for what the rollup has passed, the call log itself for the rest.
//
// Everything is read in one REPEATABLE READ transaction, so the watermark and both sources come from one snapshot:
// rows with seq <= watermark are in the rollups, rows above it (not rolled up yet: at most a few seconds' worth)
// are aggregated live from call_logs. A call is therefore counted from the moment its row is committed.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { STATS_BUCKET_SECONDS, STATS_MAX_POINTS, StatsBucket, StatsDto, StatsGroup, StatsQuery, StatsTopKey, StatsTopTool } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { AppException } from '../../common/errors/app-exception';
import { addInto, Histogram, percentiles } from './latency-histogram';

const HOUR_MS = 3600_000;

/** The bucket picked for a range when none is asked for: about 60–300 points. */
const AUTO_BUCKETS: [maxRangeMs: number, bucket: StatsBucket][] = [
  [2 * HOUR_MS, '1m'],
  [12 * HOUR_MS, '5m'],
  [48 * HOUR_MS, '15m'],
  [14 * 24 * HOUR_MS, '1h'],
  [90 * 24 * HOUR_MS, '6h'],
];

interface Aggregate {
  calls: number;
  errors: number;
  maxMs: number;
  hist: Histogram;
}

/** The query's resolved range and scope; every SQL below takes these parameters first. */
interface Scope {
  tenantId: string;
  groupId: string | null;
  from: Date;
  to: Date;
  stepSeconds: number;
  watermark: string;
}

@Injectable()
export class CallStatsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async stats(tenantId: string, q: StatsQuery): Promise<StatsDto> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 24 * HOUR_MS);
    if (from >= to) throw new AppException('VALIDATION_FAILED', 'Invalid request: from must be before to');
    const bucket = q.bucket ?? AUTO_BUCKETS.find(([max]) => to.getTime() - from.getTime() <= max)?.[1] ?? '1d';
    const stepMs = STATS_BUCKET_SECONDS[bucket] * 1000;
    const alignedFrom = new Date(Math.floor(from.getTime() / stepMs) * stepMs);
    const alignedTo = new Date(Math.ceil(to.getTime() / stepMs) * stepMs);
    const points = (alignedTo.getTime() - alignedFrom.getTime()) / stepMs;
    if (points > STATS_MAX_POINTS) {
      throw new AppException('VALIDATION_FAILED', `Invalid request: ${points} ${bucket} buckets in the range; at most ${STATS_MAX_POINTS}, pick a larger bucket`);
    }

    return this.db.transaction('REPEATABLE READ', async (m) => {
      // The histogram grouping of a day of minutes (~80,000 groups) spills to disk with the default 4 MB.
      await m.query(`SET LOCAL work_mem = '32MB'`);
      const [{ watermark }] = await m.query(`SELECT watermark::text AS watermark FROM call_stats_rollup_state WHERE id = 1`);
      const s: Scope = { tenantId, groupId: q.groupId ?? null, from: alignedFrom, to: alignedTo, stepSeconds: stepMs / 1000, watermark };
      const { bySeries, byGroup } = await this.aggregate(m, s);
      const { topTools, topKeys } = await this.topLists(m, s, q.top);

      const series = Array.from({ length: points }, (_, i) => {
        const t = alignedFrom.getTime() + i * stepMs;
        const a = bySeries.get(String(t / 1000));
        return { t: new Date(t).toISOString(), calls: a?.calls ?? 0, errors: a?.errors ?? 0, ...percentiles(a?.hist ?? new Map(), a?.maxMs ?? 0) };
      });
      const all = [...bySeries.values()].reduce<Aggregate>(
        (sum, a) => ({ calls: sum.calls + a.calls, errors: sum.errors + a.errors, maxMs: Math.max(sum.maxMs, a.maxMs), hist: addInto(sum.hist, a.hist) }),
        { calls: 0, errors: 0, maxMs: 0, hist: new Map() },
      );
      return {
        from: alignedFrom.toISOString(),
        to: alignedTo.toISOString(),
        bucket,
        bucketSeconds: stepMs / 1000,
        groupId: s.groupId,
        series,
        totals: { calls: all.calls, errors: all.errors, errorRate: rate(all), ...percentiles(all.hist, all.maxMs) },
        topTools,
        topKeys,
        groups: await this.groups(m, tenantId, byGroup),
      };
    });
  }

  /**
   * Calls, errors, largest duration and latency histogram per series bucket (keyed by its start in epoch seconds)
   * and per group (keyed by group id; '' for none), from the minute or hour rollup plus the live rows: one read of
   * each, both groupings at once (GROUPING SETS; GROUPING(t, g) is 1 for a series row, 2 for a group row).
   */
  private async aggregate(m: EntityManager, s: Scope): Promise<{ bySeries: Map<string, Aggregate>; byGroup: Map<string, Aggregate> }> {
    const [table, column] = s.stepSeconds >= 3600 ? ['call_stats_hour', 'hour'] : ['call_stats_minute', 'minute'];
    const bucketOf = (col: string) => `extract(epoch FROM date_bin(make_interval(secs => $6), ${col}, TIMESTAMPTZ 'epoch'))::bigint`;
    const group = s.groupId ? 'AND group_id = $5' : 'AND $5::uuid IS NULL';
    const rows: { gs: number; k: string; calls: string; errors: string; mx: number | null; hist: [number, string][] | null }[] = await m.query(
      `WITH r AS (
         SELECT ${bucketOf(column)} AS t, group_id AS g, calls, errors, duration_max_ms AS mx, latency_hist AS hist
         FROM ${table} WHERE tenant_id = $1 AND ${column} >= $2 AND ${column} < $3 ${group}
       ), l AS (
         SELECT ${bucketOf('created_at')} AS t, group_id AS g, is_error, duration_ms
         FROM call_logs WHERE seq > $4 AND tenant_id = $1 AND created_at >= $2 AND created_at < $3 ${group}
       ), tot AS (
         SELECT GROUPING(t, g) AS gs, coalesce(t::text, g::text, '') AS k, sum(calls) AS calls, sum(errors) AS errors, max(mx) AS mx
         FROM (SELECT t, g, calls, errors, mx FROM r UNION ALL SELECT t, g, 1, is_error::int, duration_ms FROM l) x
         GROUP BY GROUPING SETS ((t), (g))
       ), h AS (
         SELECT GROUPING(t, g) AS gs, coalesce(t::text, g::text, '') AS k, b, sum(c) AS c FROM (
           SELECT r.t, r.g, u.b::int AS b, u.c FROM r CROSS JOIN LATERAL unnest(r.hist) WITH ORDINALITY AS u(c, b) WHERE u.c > 0
           UNION ALL SELECT t, g, toolgate_latency_bucket(duration_ms), 1 FROM l
         ) y GROUP BY GROUPING SETS ((t, b), (g, b))
       ), hj AS (SELECT gs, k, json_agg(json_build_array(b, c)) AS hist FROM h GROUP BY gs, k)
       SELECT tot.gs, tot.k, tot.calls::text AS calls, tot.errors::text AS errors, tot.mx, hj.hist
       FROM tot LEFT JOIN hj ON hj.gs = tot.gs AND hj.k = tot.k`,
      [s.tenantId, s.from, s.to, s.watermark, s.groupId, s.stepSeconds],
    );
    const bySeries = new Map<string, Aggregate>();
    const byGroup = new Map<string, Aggregate>();
    for (const r of rows) {
      const a = { calls: Number(r.calls), errors: Number(r.errors), maxMs: r.mx ?? 0, hist: new Map((r.hist ?? []).map(([b, c]) => [b, Number(c)])) };
      (r.gs === 1 ? bySeries : byGroup).set(r.k, a);
    }
    return { bySeries, byGroup };
  }

  /**
   * Top tools and keys. Whole hours inside the range come from the hourly usage rollup (plus their live rows); the
   * partial hours at either end, which only ranges with buckets under an hour have, straight from call_logs.
   */
  private async topLists(m: EntityManager, s: Scope, top: number): Promise<{ topTools: StatsTopTool[]; topKeys: StatsTopKey[] }> {
    // Without a whole hour inside, the middle is empty and the first edge is the whole range.
    let midFrom = new Date(Math.ceil(s.from.getTime() / HOUR_MS) * HOUR_MS);
    let midTo = new Date(Math.floor(s.to.getTime() / HOUR_MS) * HOUR_MS);
    if (midFrom >= midTo) midFrom = midTo = s.to;
    const group = s.groupId ? 'AND group_id = $5' : 'AND $5::uuid IS NULL';
    const cols = 'group_id, api_key_id, tool_id, tool_name';
    const raw = (range: string) => `SELECT ${cols}, 1 AS calls, is_error::int AS errors FROM call_logs WHERE tenant_id = $1 ${group} AND ${range}`;
    const parts = [
      `SELECT ${cols}, calls, errors FROM call_stats_usage_hour WHERE tenant_id = $1 ${group} AND hour >= $6 AND hour < $7`,
      raw('seq > $4 AND created_at >= $6 AND created_at < $7'),
      raw('created_at >= $2 AND created_at < $6'),
      raw('created_at >= $7 AND created_at < $3'),
    ];
    const rows: { kind: 'tool' | 'key'; id: string | null; name: string | null; extra: string | null; prefix: string | null; calls: string; errors: string }[] = await m.query(
      `WITH src AS MATERIALIZED (${parts.join(' UNION ALL ')}),
       top_tools AS (
         SELECT tool_id, (array_agg(tool_name ORDER BY calls DESC, tool_name))[1] AS asked, sum(calls) AS calls, sum(errors) AS errors
         FROM src GROUP BY tool_id, CASE WHEN tool_id IS NULL THEN tool_name END
         ORDER BY 3 DESC, 4 DESC, 1, 2 LIMIT $8
       ), top_keys AS (
         SELECT api_key_id, (array_agg(group_id))[1] AS group_id, sum(calls) AS calls, sum(errors) AS errors
         FROM src WHERE api_key_id IS NOT NULL GROUP BY api_key_id ORDER BY 3 DESC, 4 DESC, 1 LIMIT $8
       )
       SELECT 'tool' AS kind, x.tool_id::text AS id, coalesce(t.name, x.asked) AS name, NULL AS extra, NULL AS prefix, x.calls::text AS calls, x.errors::text AS errors
       FROM top_tools x LEFT JOIN tools t ON t.tenant_id = $1 AND t.id = x.tool_id
       UNION ALL
       SELECT 'key', x.api_key_id::text, k.name, x.group_id::text, k.key_prefix, x.calls::text, x.errors::text
       FROM top_keys x LEFT JOIN api_keys k ON k.tenant_id = $1 AND k.id = x.api_key_id`,
      [s.tenantId, s.from, s.to, s.watermark, s.groupId, midFrom, midTo, top],
    );
    // Most calls first, then most errors, then by name (unnamed last), then by id.
    const ranked = <T extends { calls: number; errors: number }>(list: T[], name: (x: T) => string | null, id: (x: T) => string) =>
      list.sort(
        (x, y) =>
          y.calls - x.calls ||
          y.errors - x.errors ||
          (name(x) ?? '\uffff').localeCompare(name(y) ?? '\uffff') ||
          id(x).localeCompare(id(y)),
      );
    return {
      topTools: ranked(
        rows.filter((r) => r.kind === 'tool').map((r) => ({ toolId: r.id, toolName: r.name, calls: Number(r.calls), errors: Number(r.errors) })),
        (x) => x.toolName,
        (x) => x.toolId ?? '',
      ),
      topKeys: ranked(
        rows
          .filter((r) => r.kind === 'key')
          .map((r) => ({ keyId: r.id!, groupId: r.extra, name: r.name, prefix: r.prefix, calls: Number(r.calls), errors: Number(r.errors) })),
        (x) => x.name,
        (x) => x.keyId,
      ),
    };
  }

  private async groups(m: EntityManager, tenantId: string, byGroup: Map<string, Aggregate>): Promise<StatsGroup[]> {
    const ids = [...byGroup.keys()].filter((id) => id !== '');
    const names = new Map<string, string>(
      (await m.query(`SELECT id::text AS id, name FROM tool_groups WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids])).map(
        (r: { id: string; name: string }) => [r.id, r.name],
      ),
    );
    return ids
      .map((id) => {
        const a = byGroup.get(id)!;
        return { groupId: id, name: names.get(id) ?? null, calls: a.calls, errors: a.errors, errorRate: rate(a), ...percentiles(a.hist, a.maxMs) };
      })
      .sort((x, y) => y.calls - x.calls || y.errors - x.errors || (x.name ?? '\uffff').localeCompare(y.name ?? '\uffff') || x.groupId.localeCompare(y.groupId));
  }
}

function rate(a: { calls: number; errors: number }): number {
  return a.calls === 0 ? 0 : a.errors / a.calls;
}
