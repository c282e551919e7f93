#!/usr/bin/env node
// Measures the console's call-log explorer and dashboards on a tenant with a million call logs (a benchmark, not a
// test): builds the API into .data/perf-build, migrates a throwaway database, seeds the demo tenant, inserts the rows
// with generate_series, starts the API, waits for the rollup and times the HTTP endpoints. Prints a Markdown table.
//
//   node scripts/perf/stats-1m.mjs [--rows 1000000] [--runs 5] [--no-build] [--keep]
//
// PERF_DATABASE_URL names a PostgreSQL server to create the throwaway database on (any database of it, e.g.
// postgres://postgres@127.0.0.1:5432/postgres); without it an embedded PostgreSQL is started in a temp directory.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../lib/embedded-pg.mjs';
import { findFreePort } from '../lib/free-port.mjs';
import { DATA_DIR, ROOT, say } from '../lib/workspace.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROWS = Number(option('rows', 1_000_000));
const RUNS = Number(option('runs', 5));
const BUILD_DIR = path.join(DATA_DIR, 'perf-build');
const SECRET = randomBytes(32).toString('base64');
const PASSWORD = `perf-${randomBytes(8).toString('hex')}`;

const results = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function record(what, ms, note = '') {
  results.push({ what, ms, note });
  say(`${what}: ${ms.toFixed(0)} ms ${note}`);
}

async function main() {
  if (!args.includes('--no-build')) {
    say('building the API into .data/perf-build…');
    const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'apps/api/tsconfig.build.json', '--outDir', BUILD_DIR], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('build failed');
  }
  const cli = path.join(BUILD_DIR, 'apps/api/src/cli.js');
  const main = path.join(BUILD_DIR, 'apps/api/src/main.js');

  let server;
  let adminUrl = process.env.PERF_DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbeddedPostgres({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'toolgate-perf-')), persistent: false, handleSignals: false });
    adminUrl = server.url;
  }
  const dbName = `toolgate_perf_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const env = { ...process.env, DATABASE_URL: url.toString(), TOOLGATE_SECRET: SECRET, SEED_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' };
  let api;
  const db = new pg.Client({ connectionString: url.toString() });
  try {
    for (const command of ['migrate', 'seed']) {
      const r = spawnSync(process.execPath, [cli, command], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error(`cli ${command} failed`);
    }
    await db.connect();
    const [{ id: tenantId }] = (await db.query(`SELECT id FROM tenants WHERE slug = 'demo'`)).rows;
    const [{ id: groupId }] = (await db.query(`SELECT id FROM tool_groups WHERE tenant_id = $1`, [tenantId])).rows;
    const [{ id: keyId }] = (await db.query(`SELECT id FROM api_keys WHERE tenant_id = $1`, [tenantId])).rows;
    const tools = (await db.query(`SELECT id, name FROM tools WHERE tenant_id = $1 ORDER BY name`, [tenantId])).rows;

    // 5 groups, 20 keys (one group each), the demo's tools plus made-up ones to 30, over the last 24 hours;
    // 3 % errors; durations from 0 ms to ~20 s, most of them small; arguments with a user name and a hash.
    say(`inserting ${ROWS.toLocaleString()} call logs…`);
    const groups = [groupId, ...Array.from({ length: 4 }, () => crypto.randomUUID())];
    const keys = [keyId, ...Array.from({ length: 19 }, () => crypto.randomUUID())];
    const toolIds = [...tools.map((t) => t.id), ...Array.from({ length: 30 - tools.length }, () => crypto.randomUUID())];
    const toolNames = [...tools.map((t) => t.name), ...Array.from({ length: 30 - tools.length }, (_, i) => `made_up_${i}`)];
    const seeding = await timed(() =>
      db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, outcome, is_error, duration_ms, arguments, caller_ip)
         SELECT gen_random_uuid(), now() - (i * (86400.0 / $2)) * interval '1 second', $1,
                ($3::uuid[])[1 + (i % 20) % 5], ($4::uuid[])[1 + i % 20], ($5::uuid[])[1 + (i * 7) % 30], ($6::text[])[1 + (i * 7) % 30],
                'tools/call', CASE WHEN i % 100 < 3 THEN 'tool_error' WHEN i % 1000 = 999 THEN 'timeout' ELSE 'ok' END,
                i % 100 < 3 OR i % 1000 = 999, floor(exp(random() * 10))::int - 1,
                jsonb_build_object('username', 'user' || (i % 5000), 'query', md5(i::text)), '10.0.0.1'
         FROM generate_series(1, $2) AS i`,
        [tenantId, ROWS, groups, keys, toolIds, toolNames],
      ),
    );
    record(`insert ${ROWS.toLocaleString()} rows (one statement)`, seeding.ms);
    await db.query('VACUUM ANALYZE call_logs');

    const port = await findFreePort(0);
    api = spawn(process.execPath, [main], { cwd: ROOT, env: { ...env, PORT: String(port), ROLLUP_INTERVAL_MS: '1000' }, stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 600) throw new Error('the API did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.local', password: PASSWORD }),
    }).then((r) => r.json());
    const headers = { Authorization: `Bearer ${login.token}`, 'X-Tenant-Id': tenantId };
    const get = async (pathAndQuery) => {
      const res = await fetch(`${base}${pathAndQuery}`, { headers });
      const body = await res.text();
      if (!res.ok) throw new Error(`${pathAndQuery} -> ${res.status} ${body.slice(0, 200)}`);
      return body;
    };
    const measure = async (what, pathAndQuery, note = (body) => '') => {
      await get(pathAndQuery); // warm-up
      const times = [];
      let last;
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(() => get(pathAndQuery));
        times.push(r.ms);
        last = r.value;
      }
      record(what, median(times), note(last));
    };

    // The rollup starts with the whole backlog: the first pass came before, or races, this one.
    const lastSeq = async () => BigInt((await db.query(`SELECT last_value FROM call_logs_seq`)).rows[0].last_value);
    const watermark = async () => BigInt((await db.query(`SELECT watermark FROM call_stats_rollup_state`)).rows[0].watermark);
    const target = await lastSeq();
    const live = await timed(() => get('/api/v1/stats'));
    record('GET /stats (24 h) while the whole backlog is still live', live.ms, `(watermark ${await watermark()} of ${target})`);
    const catchUp = await timed(async () => {
      while ((await watermark()) < target) await new Promise((r) => setTimeout(r, 200));
    });
    record(`rollup catch-up of ${ROWS.toLocaleString()} rows (50,000 per pass)`, catchUp.ms);

    const now = Date.now();
    const ago = (h) => new Date(now - h * 3600_000).toISOString();
    const calls = (body) => `(${JSON.parse(body).totals.calls.toLocaleString()} calls)`;
    await measure('GET /stats default (24 h, 15 m buckets)', '/api/v1/stats', calls);
    await measure('GET /stats last hour (1 m buckets)', `/api/v1/stats?from=${ago(1)}`, calls);
    await measure('GET /stats 7 days (1 h buckets)', `/api/v1/stats?from=${ago(24 * 7)}`, calls);
    await measure('GET /stats 24 h, 1 m buckets (1,440 points)', `/api/v1/stats?from=${ago(24)}&bucket=1m`, calls);
    await measure('GET /stats 24 h, one group', `/api/v1/stats?groupId=${groups[1]}`, calls);

    const items = (body) => `(${JSON.parse(body).items.length} items)`;
    await measure('GET /call-logs first page (50)', '/api/v1/call-logs', items);
    await measure('GET /call-logs first page (500)', '/api/v1/call-logs?limit=500', items);
    await measure('GET /call-logs?outcome=timeout (0.1 %)', '/api/v1/call-logs?outcome=timeout', items);
    await measure('GET /call-logs?keyId=…', `/api/v1/call-logs?keyId=${keys[3]}`, items);
    await measure('GET /call-logs?toolName=… (no index: tenant scan)', `/api/v1/call-logs?toolName=${toolNames[4]}`, items);
    await measure('GET /call-logs?q=user4242 (0.02 %, full budget)', '/api/v1/call-logs?q=user4242', items);
    await measure('GET /call-logs?q=user42 (common)', '/api/v1/call-logs?q=user42', items);
    await measure('GET /call-logs?q=user4242&from=-1h', `/api/v1/call-logs?q=user4242&from=${ago(1)}`, items);
    const page = JSON.parse(await get('/api/v1/call-logs?limit=1'));
    await measure('GET /call-logs/:id', `/api/v1/call-logs/${page.items[0].id}`);
    const count = (body) => `(${body})`;
    await measure('GET /call-logs/count (all)', '/api/v1/call-logs/count', count);
    await measure('GET /call-logs/count?groupId=…', `/api/v1/call-logs/count?groupId=${groups[2]}`, count);
    await measure('GET /call-logs/count?q=user4242', '/api/v1/call-logs/count?q=user4242', count);
    const exported = await timed(() => get(`/api/v1/call-logs/export?format=ndjson&from=${ago(2.4)}`));
    const lines = exported.value.split('\n').length - 1;
    record(`export NDJSON of the last 2.4 h (${lines.toLocaleString()} rows)`, exported.ms, `(${Math.round(lines / (exported.ms / 1000)).toLocaleString()} rows/s)`);

    console.log(`\n| ${ROWS.toLocaleString()} call logs, one tenant | median of ${RUNS} (ms) | |\n|---|---:|---|`);
    for (const r of results) console.log(`| ${r.what} | ${r.ms.toFixed(0)} | ${r.note} |`);
  } finally {
    api?.kill('SIGTERM');
    if (api) await new Promise((r) => api.once('exit', r));
    await db.end().catch(() => undefined);
    if (!args.includes('--keep')) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await server?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
