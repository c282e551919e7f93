// S5's data: many call-log rows for one tenant, generated inside PostgreSQL with generate_series (the
// gateway's own writer would take hours for ten million). The rows look like the gateway's: a few groups
// with a few keys each, a set of tools, mostly `ok` outcomes with a tail of failures, spread evenly over
// the last `days` days.
//
// Fast path: each month's rows go into a plain table without indexes, which is then attached as that
// month's partition of call_logs; ATTACH builds the partition's indexes in one sorted pass instead of
// ten million index insertions (about 3× faster). A month whose partition already exists (the current
// one, holding the live rows of the other scenarios) has those rows copied into the new table, and the
// old partition is swapped out in one transaction. The result has the same partitions, names and
// indexes as the migrations and the API create; it assumes nothing writes call logs meanwhile.
import { randomUUID } from 'node:crypto';

/** Outcome mix (cumulative thresholds over random()): 90% ok, then a tail of refusals and failures. */
export const OUTCOME_MIX = [
  ['ok', 0.9],
  ['tool_error', 0.95],
  ['invalid_arguments', 0.97],
  ['rate_limited', 0.98],
  ['denied', 0.987],
  ['not_found', 0.993],
  ['upstream_error', 0.997],
  ['cancelled', 0.998],
  ['timeout', 1],
];

const outcomeCase = () =>
  `CASE ${OUTCOME_MIX.slice(0, -1)
    .map(([o, t]) => `WHEN r3 < ${t} THEN '${o}'`)
    .join(' ')} ELSE '${OUTCOME_MIX.at(-1)[0]}' END`;

// Row i of n is created at from + i/n × span; rows outside the target month's bounds are skipped, so
// the months' (slightly overlapping) i ranges put every row in exactly one month.
const insertSql = (table) => `
  INSERT INTO ${table} (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id,
                        client_name, client_version, caller_ip, arguments, result_summary, is_error, outcome,
                        error_code, duration_ms, upstream_duration_ms, request_id)
  SELECT gen_random_uuid(), s.created_at, $4::uuid,
         ($5::uuid[])[1 + s.gi],
         ($6::uuid[])[1 + s.gi * $7::int + s.ki],
         ($8::uuid[])[1 + s.ti],
         ($9::text[])[1 + s.ti],
         'tools/call', NULL, 'bench-seed', '1.0.0', '10.0.' || (s.i % 200) || '.' || (s.i % 250),
         jsonb_build_object('customerId', 'c-' || (s.i % 100000)),
         CASE WHEN s.outcome = 'ok'
              THEN '{"content":[{"type":"text","text":"seeded result"}],"structuredContent":{"ok":true}}'::jsonb
              ELSE '{"content":[{"type":"text","text":"seeded failure"}],"isError":true}'::jsonb END,
         s.outcome <> 'ok', s.outcome,
         CASE WHEN s.outcome = 'ok' THEN NULL ELSE upper(s.outcome) END,
         (s.r3 * 1000)::int % 40, NULL, 'seed-' || s.i
  FROM (
    SELECT i, $1::timestamptz + make_interval(secs => (i::float8 / $2::float8) * $3::float8) AS created_at,
           floor(r1 * $10::int)::int AS gi, floor(r2 * $7::int)::int AS ki, floor(r4 * $11::int)::int AS ti, r3,
           ${outcomeCase()} AS outcome
    FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4 FROM generate_series($12::bigint, $13::bigint) AS i) AS r
  ) AS s
  WHERE s.created_at >= $14::timestamptz AND s.created_at < $15::timestamptz`;

/**
 * Inserts `rows` rows (chunks of `chunk`, `concurrency` at a time), attaches them as monthly partitions,
 * then VACUUM ANALYZEs call_logs. Resolves to the dimensions and the time range used, and timings.
 */
export async function seedCallLogs(pool, { tenantId, rows, days = 30, groups = 20, keysPerGroup = 5, tools = 50, chunk = 250_000, concurrency = 2, onProgress = () => {} }) {
  const groupIds = Array.from({ length: groups }, () => randomUUID());
  const keyIds = Array.from({ length: groups * keysPerGroup }, () => randomUUID());
  const toolIds = Array.from({ length: tools }, () => randomUUID());
  const toolNames = toolIds.map((_, i) => `seeded_tool_${String(i).padStart(3, '0')}`);
  const [{ now }] = (await pool.query('SELECT now() AS now')).rows;
  const to = new Date(now.getTime() - 60_000); // a minute back: the newest seeded rows are not mixed with live ones
  const from = new Date(to.getTime() - days * 86_400_000);
  const spanSeconds = (to - from) / 1000;

  // The months the range touches, with the bounds PostgreSQL uses (the API names them call_logs_YYYY_MM).
  const { rows: months } = await pool.query(
    `SELECT to_char(m, 'YYYY_MM') AS suffix, m::date::text AS lo_date, (m + interval '1 month')::date::text AS hi_date,
            m::date::timestamptz AS lo, (m + interval '1 month')::date::timestamptz AS hi
       FROM generate_series(date_trunc('month', $1::timestamptz), date_trunc('month', $2::timestamptz), interval '1 month') AS m`,
    [from, to],
  );
  const jobs = [];
  for (const m of months) {
    m.stage = `call_logs_seed_${m.suffix}`;
    m.final = `call_logs_${m.suffix}`;
    await pool.query(`DROP TABLE IF EXISTS ${m.stage}`);
    await pool.query(`CREATE TABLE ${m.stage} (LIKE call_logs INCLUDING DEFAULTS)`);
    const position = (t) => ((t - from) / 1000 / spanSeconds) * rows;
    const lo = Math.max(0, Math.floor(position(m.lo)) - 2);
    const hi = Math.min(rows - 1, Math.ceil(position(m.hi)) + 2);
    for (let a = lo; a <= hi; a += chunk) jobs.push({ month: m, lo: a, hi: Math.min(hi, a + chunk - 1) });
  }

  const started = performance.now();
  let done = 0;
  const worker = async () => {
    const client = await pool.connect();
    try {
      await client.query('SET synchronous_commit = off');
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const params = [from, rows, spanSeconds, tenantId, groupIds, keyIds, keysPerGroup, toolIds, toolNames, groups, tools, job.lo, job.hi, job.month.lo, job.month.hi];
        await client.query(insertSql(job.month.stage), params);
        done = Math.min(rows, done + (job.hi - job.lo + 1));
        onProgress(done, rows, (performance.now() - started) / 1000);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const insertSeconds = (performance.now() - started) / 1000;

  // Swap each month in: live rows copied over, old partition out, new one in (its indexes built here).
  const attachStarted = performance.now();
  for (const m of months) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
      await client.query('LOCK TABLE call_logs IN ACCESS EXCLUSIVE MODE');
      const [{ existing }] = (await client.query('SELECT to_regclass($1) IS NOT NULL AS existing', [m.final])).rows;
      if (existing) {
        await client.query(`INSERT INTO ${m.stage} SELECT * FROM ${m.final}`);
        await client.query(`ALTER TABLE call_logs DETACH PARTITION ${m.final}`);
        await client.query(`DROP TABLE ${m.final}`);
      }
      await client.query(`ALTER TABLE ${m.stage} RENAME TO ${m.final}`);
      await client.query(`ALTER TABLE call_logs ATTACH PARTITION ${m.final} FOR VALUES FROM ('${m.lo_date}') TO ('${m.hi_date}')`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
  const attachSeconds = (performance.now() - attachStarted) / 1000;

  const vacuumStarted = performance.now();
  await pool.query('VACUUM (ANALYZE) call_logs');
  const analyzeSeconds = (performance.now() - vacuumStarted) / 1000;
  const [{ count }] = (await pool.query('SELECT count(*)::bigint AS count FROM call_logs WHERE tenant_id = $1', [tenantId])).rows;
  if (Number(count) !== rows) throw new Error(`seeded ${count} rows instead of ${rows}`);
  return { groupIds, keyIds, keysPerGroup, toolIds, from, to, rows, insertSeconds, attachSeconds, analyzeSeconds };
}
