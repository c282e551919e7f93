// S5's data: many call-log rows for one tenant, written straight into PostgreSQL with generate_series
// (the gateway's own writer would take hours for ten million). The rows look like the gateway's: a few
// groups with a few keys each, a set of tools, mostly `ok` outcomes with a tail of failures, spread
// evenly over the last `days` days.
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

/**
 * Creates the monthly partitions the range needs (as a deployment running for months would have:
 * the API only creates the current month and the ones ahead), then inserts `rows` rows in chunks,
 * `concurrency` chunks at a time, then ANALYZEs. Resolves to the dimensions and range used.
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

  const daysInt = Math.ceil(days) + 1;
  await pool.query(`
    DO $$
    DECLARE m date;
    BEGIN
      FOR m IN SELECT generate_series(date_trunc('month', now() - interval '${daysInt} days'), date_trunc('month', now()), interval '1 month')::date LOOP
        IF to_regclass('call_logs_' || to_char(m, 'YYYY_MM')) IS NULL THEN
          EXECUTE format('CREATE TABLE %I PARTITION OF call_logs FOR VALUES FROM (%L) TO (%L)',
                         'call_logs_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
        END IF;
      END LOOP;
    END $$`);

  const sql = `
    INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id,
                           client_name, client_version, caller_ip, arguments, result_summary, is_error, outcome,
                           error_code, duration_ms, upstream_duration_ms, request_id)
    SELECT gen_random_uuid(),
           $1::timestamptz + make_interval(secs => (s.i::float8 / $2::float8) * $3::float8),
           $4::uuid,
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
      SELECT i, floor(r1 * $10::int)::int AS gi, floor(r2 * $7::int)::int AS ki, floor(r4 * $11::int)::int AS ti, r3,
             ${outcomeCase()} AS outcome
      FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4 FROM generate_series($12::bigint, $13::bigint) AS i) AS r
    ) AS s`;

  const chunks = [];
  for (let lo = 0; lo < rows; lo += chunk) chunks.push([lo, Math.min(rows, lo + chunk) - 1]);
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    const client = await pool.connect();
    try {
      await client.query('SET synchronous_commit = off');
      for (let next = chunks.shift(); next; next = chunks.shift()) {
        const [lo, hi] = next;
        await client.query(sql, [from, rows, spanSeconds, tenantId, groupIds, keyIds, keysPerGroup, toolIds, toolNames, groups, tools, lo, hi]);
        done += hi - lo + 1;
        onProgress(done, rows, (performance.now() - started) / 1000);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const insertSeconds = (performance.now() - started) / 1000;
  const analyzeStarted = performance.now();
  await pool.query('VACUUM (ANALYZE) call_logs');
  const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
  return { groupIds, keyIds, keysPerGroup, toolIds, from, to, rows, insertSeconds, analyzeSeconds };
}
