// Rollups of the call log for the dashboards, fed by an insertion sequence on call_logs (no change to the writer).
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Latency histogram bounds in milliseconds: 1, 2, 3, then four steps per power of two (x, 1.25x, 1.5x, 1.75x) up to
 * 2^20. Bucket 1 holds 0 ms, bucket k (2..76) [bound k-1, bound k), bucket 77 everything from 2^20 ms. Fixed forever:
 * stored histograms are only comparable under the same bounds (apps/api/src/call-logs/stats/latency-histogram.ts
 * holds the same list; a test checks they agree).
 */
const LATENCY_BOUNDS =
  '{1,2,3,4,5,6,7,8,10,12,14,16,20,24,28,32,40,48,56,64,80,96,112,128,160,192,224,256,320,384,448,512,640,768,896,1024,' +
  '1280,1536,1792,2048,2560,3072,3584,4096,5120,6144,7168,8192,10240,12288,14336,16384,20480,24576,28672,32768,40960,49152,' +
  '57344,65536,81920,98304,114688,131072,163840,196608,229376,262144,327680,393216,458752,524288,655360,786432,917504,1048576}';
const BUCKETS = 77;

export class CallStats1763780000000 implements MigrationInterface {
  name = 'CallStats1763780000000';

  async up(q: QueryRunner): Promise<void> {
    // The order rows were committed in is unknowable from created_at (replayed rows keep their old time), so every
    // row gets a number from a sequence when it is inserted; the rollup follows that number. Adding a nullable
    // column and then a default rewrites nothing: existing rows keep seq NULL and are rolled up below, at once.
    // CACHE 1 (the default) matters: numbers must be handed out in time order across connections.
    await q.query(`CREATE SEQUENCE call_logs_seq AS bigint CACHE 1`);
    await q.query(`ALTER TABLE call_logs ADD COLUMN seq bigint`);
    await q.query(`ALTER TABLE call_logs ALTER COLUMN seq SET DEFAULT nextval('call_logs_seq')`);
    await q.query(`CREATE INDEX call_logs_seq_idx ON call_logs (seq)`);

    await q.query(`
      CREATE FUNCTION toolgate_latency_bucket(ms integer) RETURNS integer
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT width_bucket(ms, '${LATENCY_BOUNDS}'::integer[]) + 1 $$`);
    // A dense histogram from sparse (bucket, count) pairs.
    await q.query(`
      CREATE FUNCTION toolgate_histogram(buckets integer[], counts bigint[]) RETURNS integer[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$
        SELECT array_agg(coalesce(u.c, 0)::integer ORDER BY g.i)
        FROM generate_series(1, ${BUCKETS}) AS g(i)
        LEFT JOIN (SELECT b, sum(c) AS c FROM unnest(buckets, counts) AS x(b, c) GROUP BY b) AS u ON u.b = g.i
      $$`);
    await q.query(`
      CREATE FUNCTION toolgate_histogram_add(a integer[], b integer[]) RETURNS integer[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i) $$`);

    // Calls, errors and latency per tenant, group and minute (and hour, for long ranges). Group ids are never null
    // for a tenant's rows today; NULLS NOT DISTINCT keeps one row per key even if one ever is.
    for (const [table, column] of [
      ['call_stats_minute', 'minute'],
      ['call_stats_hour', 'hour'],
    ]) {
      await q.query(`
        CREATE TABLE ${table} (
          tenant_id uuid NOT NULL,
          ${column} timestamptz NOT NULL,
          group_id uuid,
          calls integer NOT NULL,
          errors integer NOT NULL,
          duration_sum_ms bigint NOT NULL,
          duration_max_ms integer NOT NULL,
          latency_hist integer[] NOT NULL,
          CONSTRAINT ${table}_key UNIQUE NULLS NOT DISTINCT (tenant_id, ${column}, group_id)
        )`);
    }
    // Calls and errors per key and tool and hour: the top lists. Tool name is the name the calls asked for.
    await q.query(`
      CREATE TABLE call_stats_usage_hour (
        tenant_id uuid NOT NULL,
        hour timestamptz NOT NULL,
        group_id uuid,
        api_key_id uuid,
        tool_id uuid,
        tool_name text,
        calls integer NOT NULL,
        errors integer NOT NULL,
        CONSTRAINT call_stats_usage_hour_key UNIQUE NULLS NOT DISTINCT (tenant_id, hour, group_id, api_key_id, tool_id, tool_name)
      )`);

    // One row: every call_logs row with seq <= watermark is in the rollups. The other columns carry the rollup's
    // commit-order guard across passes (see CallStatsRollup).
    await q.query(`
      CREATE TABLE call_stats_rollup_state (
        id integer PRIMARY KEY CHECK (id = 1),
        watermark bigint NOT NULL,
        seen_seq bigint,
        seen_at timestamptz,
        pending_seq bigint,
        pending_xmax xid8,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO call_stats_rollup_state (id, watermark) VALUES (1, 0)`);

    // Rows from before this migration (seq NULL): rolled up here, in the migration's transaction, which holds
    // call_logs locked since the ALTER TABLE, so no row can slip between the two sets.
    await q.query(`
      WITH per_bucket AS (
        SELECT tenant_id, group_id, date_bin('1 minute', created_at, TIMESTAMPTZ 'epoch') AS minute,
               toolgate_latency_bucket(duration_ms) AS b, count(*) AS n, count(*) FILTER (WHERE is_error) AS e,
               sum(duration_ms) AS s, max(duration_ms) AS mx
        FROM call_logs WHERE tenant_id IS NOT NULL GROUP BY 1, 2, 3, 4
      ), per_minute AS (
        INSERT INTO call_stats_minute (tenant_id, minute, group_id, calls, errors, duration_sum_ms, duration_max_ms, latency_hist)
        SELECT tenant_id, minute, group_id, sum(n), sum(e), sum(s), max(mx), toolgate_histogram(array_agg(b), array_agg(n))
        FROM per_bucket GROUP BY tenant_id, minute, group_id
      )
      INSERT INTO call_stats_hour (tenant_id, hour, group_id, calls, errors, duration_sum_ms, duration_max_ms, latency_hist)
      SELECT tenant_id, date_bin('1 hour', minute, TIMESTAMPTZ 'epoch'), group_id, sum(n), sum(e), sum(s), max(mx), toolgate_histogram(array_agg(b), array_agg(n))
      FROM per_bucket GROUP BY 1, 2, 3`);
    await q.query(`
      INSERT INTO call_stats_usage_hour (tenant_id, hour, group_id, api_key_id, tool_id, tool_name, calls, errors)
      SELECT tenant_id, date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch'), group_id, api_key_id, tool_id, tool_name, count(*), count(*) FILTER (WHERE is_error)
      FROM call_logs WHERE tenant_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS call_stats_rollup_state`);
    await q.query(`DROP TABLE IF EXISTS call_stats_usage_hour`);
    await q.query(`DROP TABLE IF EXISTS call_stats_hour`);
    await q.query(`DROP TABLE IF EXISTS call_stats_minute`);
    await q.query(`DROP FUNCTION IF EXISTS toolgate_histogram_add(integer[], integer[])`);
    await q.query(`DROP FUNCTION IF EXISTS toolgate_histogram(integer[], bigint[])`);
    await q.query(`DROP FUNCTION IF EXISTS toolgate_latency_bucket(integer)`);
    await q.query(`DROP INDEX IF EXISTS call_logs_seq_idx`);
    await q.query(`ALTER TABLE call_logs DROP COLUMN IF EXISTS seq`);
    await q.query(`DROP SEQUENCE IF EXISTS call_logs_seq`);
  }
}
