#!/usr/bin/env node
// `npm run bench [-- flags]`: Toolgate's benchmark harness (issue 6). Starts everything it needs —
// PostgreSQL (embedded, as the tests do, or a fresh database on TEST_DATABASE_URL / DATABASE_URL), the
// API built for production, the baseline (a bare MCP SDK 1.x Streamable HTTP server with the same echo
// tool) and the commit floor (bare node:http that answers once the call's log row is committed) — drives
// them with autocannon, and prints one JSON line per measurement, then a summary
// with the ratios against the issue's targets. Exits 0 when the harness worked, whatever the numbers.
//
// Flags:
//   --smoke             about 2 s per load run and 100,000 call-log rows for S5 (what CI runs)
//   --duration=15       seconds per load run (default 15; --smoke makes it 2)
//   --only=S1,S3        run only these scenarios (S1–S5; S4 needs S1)
//   --connections=10,50 connection counts for S1 and S2 (S2 runs 1 connection too)
//   --s5-rows=N         call-log rows to seed for S5 (default 10,000,000; --smoke 100,000)
//   --warmup=3          seconds of unrecorded load on each target before its first run (--smoke 0.5)
//   --cpu-prof          run the API under `node --cpu-prof` and summarise the profile at the end
//   --api-env=NAME=v    extra environment for the API (repeatable), to try a setting; not for the
//                       reference numbers, which use the defaults
//   --baseline-sse      the baseline answers tools/call as SSE streams (the SDK's default) instead of JSON
//   --no-results        do not write bench/results/<timestamp>.json
//
// See bench/README.md for what each scenario measures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { exitOf, prefixLines, signalChild, startChild, stopChildren } from '../scripts/lib/child-processes.mjs';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-pg.mjs';
import { findFreePort } from '../scripts/lib/free-port.mjs';
import { API_CLI, API_MAIN, ROOT } from '../scripts/lib/workspace.mjs';
import { AdminApi } from './lib/admin-api.mjs';
import { seedCallLogs } from './lib/call-log-seed.mjs';
import { runLoad, stopLoad } from './lib/load.mjs';
import { runOpenLoop } from './lib/open-loop.mjs';
import { ECHO_TEXT, loadRequest, openSession, sendOnce, SESSION_ERA, STATELESS_ERA } from './lib/mcp.mjs';
import { round, Samples } from './lib/stats.mjs';
import { formatSummary, summarizeProfile } from './profile-summary.mjs';

const BENCH_DIR = path.join(ROOT, 'bench');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

// ---- options -----------------------------------------------------------------------------------------

class UsageError extends Error {}

function parseFlags(argv) {
  const flags = new Map();
  const apiEnv = {};
  for (const a of argv) {
    const m = a.match(/^--([a-z0-9-]+)(?:=(.*))?$/s);
    if (!m) throw new UsageError(`unknown argument "${a}" (see the top of bench/run.mjs)`);
    if (m[1] === 'api-env') {
      const kv = (m[2] ?? '').match(/^([A-Z0-9_]+)=(.*)$/s);
      if (!kv) throw new UsageError('--api-env wants NAME=value');
      apiEnv[kv[1]] = kv[2];
      continue;
    }
    flags.set(m[1], m[2] ?? true);
  }
  const known = new Set(['smoke', 'duration', 'only', 'connections', 's5-rows', 'cpu-prof', 'no-results', 'warmup', 'baseline-sse']);
  for (const k of flags.keys()) if (!known.has(k)) throw new UsageError(`unknown flag --${k} (see the top of bench/run.mjs)`);
  const smoke = flags.has('smoke');
  const number = (name, fallback, { zero = false } = {}) => {
    if (!flags.has(name)) return fallback;
    const n = Number(flags.get(name));
    if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero)) throw new UsageError(`--${name} must be a ${zero ? 'non-negative' : 'positive'} number`);
    return n;
  };
  const only = flags.has('only') ? new Set(String(flags.get('only')).toUpperCase().split(',').map((s) => s.trim()).filter(Boolean)) : null;
  if (only) for (const s of only) if (!/^S[1-5]$/.test(s)) throw new UsageError(`--only: unknown scenario ${s} (S1–S5)`);
  if (only?.has('S4')) only.add('S1');
  if (flags.has('connections') && !String(flags.get('connections')).split(',').every((c) => /^[1-9]\d*$/.test(c))) {
    throw new UsageError('--connections wants positive integers, e.g. --connections=10,50');
  }
  const duration = number('duration', smoke ? 2 : 15);
  return {
    smoke,
    duration,
    warmup: number('warmup', smoke ? 0.5 : Math.min(3, duration), { zero: true }),
    only,
    connections: flags.has('connections') ? String(flags.get('connections')).split(',').map(Number) : [10, 50],
    s5Rows: Math.round(number('s5-rows', smoke ? 100_000 : 10_000_000)),
    s5Iterations: smoke ? 3 : 20,
    s5Pages: smoke ? 2 : 5,
    s3Walks: smoke ? 10 : 200,
    cpuProf: flags.has('cpu-prof'),
    baselineSse: flags.has('baseline-sse'),
    apiEnv,
    writeResults: !flags.has('no-results'),
  };
}

const wants = (opts, scenario) => !opts.only || opts.only.has(scenario);
const t0 = performance.now();
const log = (message) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- processes and cleanup ------------------------------------------------------------------------------

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toolgate-bench-'));
let database = null;
let databaseStarting = null;
let pool = null;
let interrupted = false;
let finishing = null;

function finish(code) {
  finishing ??= (async () => {
    stopLoad();
    // A long seeding query would hold pool.end(); PostgreSQL's shutdown below ends it anyway.
    await Promise.race([pool?.end().catch(() => {}), sleep(2000)]);
    await stopChildren({ graceMs: 10_000 });
    const db = database ?? (await databaseStarting?.catch(() => null));
    await db?.stop?.().catch((error) => log(`could not stop PostgreSQL: ${error.message}`));
    fs.rmSync(workDir, { recursive: true, force: true });
    process.exit(code);
  })();
  return finishing;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping everything…`);
    void finish(128 + os.constants.signals[signal]);
  });
}

function checkInterrupted() {
  if (interrupted) throw new Error('interrupted');
}

/** Runs a command quietly; its output is shown only when it fails. Resolves to its stdout. */
async function runQuiet(label, command, args, env) {
  const child = startChild(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const { code, signal, error } = await exitOf(child);
  if (code !== 0) throw new Error(`${label} failed (${error?.message ?? `exit ${code ?? signal}`}):\n${err || out}`);
  return out;
}

/**
 * scripts/lib/build-freshness.mjs's ensureBuilt(), in a child whose output goes to stderr: stdout carries
 * only the results.
 */
async function ensureBuiltQuietly() {
  const script = `import(${JSON.stringify(new URL('../scripts/lib/build-freshness.mjs', import.meta.url).href)}).then(async (m) => process.exit((await m.ensureBuilt()) ? 0 : 1))`;
  const child = startChild(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
  const { code, signal, error } = await exitOf(child);
  checkInterrupted();
  if (code !== 0) throw new Error(`the build failed (${error?.message ?? `exit ${code ?? signal}`})`);
}

async function openDatabase() {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) {
    const name = `toolgate_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const fresh = new URL(url);
    fresh.pathname = `/${name}`;
    log(`using a fresh database ${name} on ${fresh.host}`);
    return {
      url: fresh.toString(),
      embedded: false,
      stop: async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  log('starting an embedded PostgreSQL…');
  const started = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'pg'), persistent: false, handleSignals: false });
  return { ...started, embedded: true };
}

async function waitReady(baseUrl, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    checkInterrupted();
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the API exited during start (${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the API was not ready after ${timeoutMs / 1000}s`);
}

function rssMb(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null when unreadable. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU seconds of the embedded PostgreSQL: the postmaster and its children (backends, writers). */
function postgresCpuSeconds() {
  if (!database?.embedded) return null;
  let postmaster;
  try {
    postmaster = Number(fs.readFileSync(path.join(database.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  // The postmaster's own time plus that of its exited children (cutime, cstime), then the live ones.
  let total = 0;
  try {
    const stat = fs.readFileSync(`/proc/${postmaster}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return null;
  }
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** A snapshot of the CPU used so far by the server under test, PostgreSQL and this process (the load generator). */
function cpuSnapshot(serverPid) {
  const own = process.cpuUsage();
  return { server: cpuSeconds(serverPid), postgres: postgresCpuSeconds(), loadGenerator: (own.user + own.system) / 1e6 };
}

/** CPU milliseconds per successful call, by process, between two snapshots. */
function cpuPerCall(before, after, calls) {
  const per = (a, b) => (a === null || b === null || !calls ? null : round(((b - a) * 1000) / calls, 3));
  return { server: per(before.server, after.server), postgres: per(before.postgres, after.postgres), loadGenerator: per(before.loadGenerator, after.loadGenerator) };
}

/** Starts a bench server script that prints `{"listening": url}` once it accepts connections. */
async function startServer(script, args, label) {
  const child = startChild(process.execPath, [path.join(BENCH_DIR, script), '--port=0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stderr, `[${label}]`, process.stderr);
  const line = await new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d) => {
      buffered += d;
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(buffered.slice(0, nl));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the ${label} server exited (${code}) before listening`)));
    setTimeout(() => reject(new Error(`the ${label} server did not start within 30s`)), 30_000).unref();
  });
  return { child, url: JSON.parse(line).listening };
}

const startBaseline = (opts) => startServer('baseline-sdk-server.mjs', opts.baselineSse ? ['--sse'] : [], 'baseline');

// ---- output -------------------------------------------------------------------------------------------------

const results = { startedAt: new Date().toISOString(), machine: null, options: null, lines: [], targets: [], profile: null };

function emit(line) {
  results.lines.push(line);
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function commitInfo() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const dirty = git('status', '--porcelain', '--', 'apps', 'libs', 'migrations').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes in apps/libs/migrations' : ''}`;
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    commit: commitInfo(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    loadAvgAtStart: os.loadavg().map((x) => round(x)),
  };
}

// ---- setup --------------------------------------------------------------------------------------------------

async function setUp(opts) {
  database = await (databaseStarting = openDatabase());
  checkInterrupted();
  const secret = randomBytes(32).toString('base64url');
  const adminPassword = randomBytes(12).toString('base64url');
  const adminEmail = 'admin@demo.local';
  const port = await findFreePort(0);
  const apiUrl = `http://127.0.0.1:${port}`;
  // Only what a process needs from the caller's environment: a stray MCP_* or CALL_LOG_* setting in
  // the shell must not change the numbers. The API gets its defaults plus what is set here.
  const inherited = Object.fromEntries(['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ'].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  const env = {
    ...inherited,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: apiUrl,
    DATABASE_URL: database.url,
    TOOLGATE_SECRET: secret,
    CALL_LOG_SPOOL_DIR: path.join(workDir, 'spool'),
    SEED_ADMIN_EMAIL: adminEmail,
    SEED_ADMIN_PASSWORD: adminPassword,
    ...opts.apiEnv,
  };
  if (Object.keys(opts.apiEnv).length) log(`API environment overrides (not the defaults!): ${JSON.stringify(opts.apiEnv)}`);

  log('migrating…');
  await runQuiet('migrate', process.execPath, [API_CLI, 'migrate'], env);
  log('seeding the demo tenant and admin…');
  await runQuiet('seed', process.execPath, [API_CLI, 'seed'], env);
  checkInterrupted();

  const profileDir = path.join(workDir, 'cpu-profile');
  const nodeArgs = opts.cpuProf ? ['--require', path.join(BENCH_DIR, 'lib/exit-on-signal.cjs'), '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  log(`starting the API (NODE_ENV=production${opts.cpuProf ? ', --cpu-prof' : ''}) on ${apiUrl}…`);
  const api = startChild(process.execPath, [...nodeArgs, API_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixLines(api.stdout, '[api]', process.stderr);
  prefixLines(api.stderr, '[api]', process.stderr);
  await waitReady(apiUrl, api);

  const baseline = await startBaseline(opts);
  log(`baseline SDK server on ${baseline.url}${opts.baselineSse ? ' (SSE responses)' : ''}`);
  const floor = await startServer('commit-floor-server.mjs', [`--database-url=${database.url}`], 'floor');
  log(`commit floor server on ${floor.url}`);

  pool = new pg.Pool({ connectionString: database.url, max: 4 });

  const admin = new AdminApi(apiUrl);
  await admin.login(adminEmail, adminPassword);
  const tenant = await admin.createTenant('bench', 'Benchmark tenant');
  const echoTool = await admin.toolByName(tenant.id, 'echo');
  const echoGroup = await admin.createGroup(tenant.id, 'bench-echo', 'Benchmark: echo');
  await admin.assignTool(tenant.id, echoGroup.id, echoTool.id);
  const echoKey = await admin.createKey(tenant.id, echoGroup.id, 'bench load key');

  return { env, api, apiUrl, profileDir, baseline, floor, admin, tenant, echo: { group: echoGroup, key: echoKey, tool: echoTool } };
}

// ---- S1 + S4: echo through the gateway vs the bare SDK server ---------------------------------------------------

/** Transactions committed in the benchmark's database so far (PostgreSQL's statistics, updated about every second). */
async function commitCount() {
  await pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await pool.query('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0].n);
}

async function countRows(tenantId) {
  const { rows } = await pool.query('SELECT count(*)::bigint AS n FROM call_logs WHERE tenant_id = $1', [tenantId]);
  return Number(rows[0].n);
}

async function scenarioS1(opts, ctx) {
  const gatewayUrl = `${ctx.apiUrl}/mcp/${ctx.echo.group.serverCode}`;
  const auth = { authorization: `Bearer ${ctx.echo.key}` };
  const gatewaySession = await openSession(gatewayUrl, auth);
  const baselineSession = await openSession(ctx.baseline.url);

  const targets = [
    { target: 'baseline', era: SESSION_ERA, url: ctx.baseline.url, request: (prefix) => loadRequest({ era: SESSION_ERA, method: 'tools/call', sessionHeaders: baselineSession.headers, requestIdPrefix: prefix }) },
    // The commit floor: bare node:http answering only once the call's row is committed (bench/commit-floor-server.mjs).
    { target: 'floor', era: SESSION_ERA, url: ctx.floor.url, request: (prefix) => loadRequest({ era: SESSION_ERA, method: 'tools/call', requestIdPrefix: prefix }) },
    { target: 'gateway', era: SESSION_ERA, url: gatewayUrl, request: (prefix) => loadRequest({ era: SESSION_ERA, method: 'tools/call', auth, sessionHeaders: gatewaySession.headers, requestIdPrefix: prefix }) },
    { target: 'gateway', era: STATELESS_ERA, url: gatewayUrl, request: (prefix) => loadRequest({ era: STATELESS_ERA, method: 'tools/call', auth, requestIdPrefix: prefix }) },
  ];

  // Each target answers the echo correctly before it is loaded.
  for (const t of targets) {
    const { status, json, text } = await sendOnce(t.url, t.request('probe-'));
    if (status !== 200 || json?.result?.structuredContent?.text !== ECHO_TEXT) {
      throw new Error(`${t.target} ${t.era}: tools/call echo did not answer as expected: HTTP ${status} ${text.slice(0, 300)}`);
    }
  }

  const idleRss = rssMb(ctx.api.pid);
  emit({ scenario: 'RSS', state: 'idle', target: 'gateway', rssMb: idleRss, note: 'API after setup, before load' });

  if (opts.warmup > 0) {
    log(`warming up each target for ${opts.warmup}s…`);
    for (const t of targets) await runLoad({ url: t.url, connections: 10, durationSeconds: opts.warmup, ...t.request(`w${t.target[0]}${t.era.slice(0, 4)}-`) });
  }

  let runIndex = 0;
  let maxRss = 0;
  const s1 = [];
  for (const connections of opts.connections) {
    for (const t of targets) {
      checkInterrupted();
      runIndex += 1;
      const prefix = `r${runIndex}-`;
      const isGateway = t.target === 'gateway';
      log(`S1 ${t.target} ${t.era} ${connections} connections, ${opts.duration}s…`);
      const rowsBefore = isGateway ? await countRows(ctx.tenant.id) : null;
      const commitsBefore = isGateway ? await commitCount() : null;
      const startedAt = new Date(Date.now() - 1000);
      const serverPid = isGateway ? ctx.api.pid : t.target === 'floor' ? ctx.floor.child.pid : ctx.baseline.child.pid;
      const cpuBefore = cpuSnapshot(serverPid);
      let runMaxRss = 0;
      const result = await runLoad({
        url: t.url,
        connections,
        durationSeconds: opts.duration,
        ...t.request(prefix),
        collectRequestIds: isGateway,
        onTick: isGateway ? () => (runMaxRss = Math.max(runMaxRss, rssMb(ctx.api.pid) ?? 0)) : undefined,
      });
      const cpuMsPerCall = cpuPerCall(cpuBefore, cpuSnapshot(serverPid), result.successful);
      const line = {
        scenario: 'S1',
        era: t.era,
        target: t.target,
        connections,
        ...measured(result),
        cpuMsPerCall,
        loadAvg1m: round(os.loadavg()[0]),
        ...(isGateway ? { rssMaxMb: runMaxRss } : {}),
        ...(t.era === STATELESS_ERA ? { comparedWith: `baseline ${SESSION_ERA} (the SDK 1.x server does not speak ${STATELESS_ERA})` } : {}),
      };
      emit(line);
      s1.push(line);
      if (!isGateway) continue;
      maxRss = Math.max(maxRss, runMaxRss);

      // S4: every answered call has its committed row. Requests in flight when the load stopped may
      // have been logged without their answer being counted: those are reported, not "lost".
      // Long enough for the API's backends to report their commits to the statistics.
      await sleep(1200);
      const rowsAfter = await countRows(ctx.tenant.id);
      const commits = (await commitCount()) - commitsBefore;
      const { rows } = await pool.query(
        `SELECT count(*)::bigint AS rows,
                count(*) FILTER (WHERE request_id = ANY($3::text[]))::bigint AS matched
           FROM call_logs WHERE tenant_id = $1 AND created_at >= $2 AND request_id LIKE $4`,
        [ctx.tenant.id, startedAt, result.successfulRequestIds, `${prefix}%`],
      );
      const runRows = Number(rows[0].rows);
      const matched = Number(rows[0].matched);
      emit({
        scenario: 'S4',
        era: t.era,
        connections,
        rowsBefore,
        rowsAfter,
        rows: rowsAfter - rowsBefore,
        successful: result.successful,
        matched,
        lost: result.successful - matched,
        unansweredAtStop: runRows - matched,
        rowsPerSecond: round((rowsAfter - rowsBefore) / result.durationSeconds, 0),
        // The writer commits each INSERT on its own: rows per commit is its batch size (roughly: the API's key and
        // catalog lookups and this harness's queries commit too).
        rowsPerCommit: commits > 0 ? round((rowsAfter - rowsBefore) / commits, 1) : null,
        nothingLost: matched === result.successful && rowsAfter - rowsBefore >= result.successful,
      });
    }
  }
  await sleep(1000);
  const afterRss = rssMb(ctx.api.pid);
  emit({ scenario: 'RSS', state: 'load', target: 'gateway', rssMb: maxRss, note: 'max VmRSS sampled every 0.5 s during the S1 gateway runs' });
  emit({ scenario: 'RSS', state: 'idle-after', target: 'gateway', rssMb: afterRss, note: 'API 1 s after the last S1 run' });
  return { s1, idleRss, maxRss };
}

// ---- S2: tools/call proxied to an upstream MCP server ------------------------------------------------------------

/**
 * The bare SDK server of S1, now as the gateway's upstream: an `mcp_http` source of the bench tenant (which must
 * allow the loopback address), its `echo` discovered as `up__echo`, enabled and put in a group of its own. Each
 * call goes client → gateway (key, validation, call-log row) → the gateway's session with the upstream → back, so
 * it is compared with the same server answered directly, measured in this scenario just before, at the same
 * connection count: the issue's target is the latency the gateway adds (proxied p50 minus direct p50 ≤ 1 ms).
 * Besides the S1 connection counts it runs with 1 connection, where the added latency has no queueing in it.
 */
async function scenarioS2(opts, ctx) {
  const { admin, tenant } = ctx;
  await admin.request('PATCH', '/api/v1/tenant', { tenantId: tenant.id, body: { networkAllowlist: ['127.0.0.1'] } });
  // Saving the source lists its tools (they arrive disabled); an unreachable upstream leaves it in status `error`.
  const source = await admin.request('POST', '/api/v1/sources', {
    tenantId: tenant.id,
    body: { kind: 'mcp_http', name: 'Benchmark upstream (bare SDK server)', namespace: 'up', config: { urls: [ctx.baseline.url], refreshIntervalSeconds: 0 } },
  });
  const { items } = await admin.request('GET', `/api/v1/tools?sourceId=${source.id}`, { tenantId: tenant.id });
  const tool = items.find((t) => t.name === 'up__echo');
  if (!tool) throw new Error(`S2: the upstream's echo was not discovered as up__echo (source status ${source.status}: ${source.lastError ?? 'no error'})`);
  await admin.request('PATCH', `/api/v1/tools/${tool.id}`, { tenantId: tenant.id, body: { enabled: true } });
  const group = await admin.createGroup(tenant.id, 'bench-proxy', 'Benchmark: echo proxied to an upstream');
  await admin.assignTool(tenant.id, group.id, tool.id);
  const key = await admin.createKey(tenant.id, group.id, 'bench proxy key');
  const url = `${ctx.apiUrl}/mcp/${group.serverCode}`;
  const auth = { authorization: `Bearer ${key}` };
  const session = await openSession(url, auth);
  const request = (prefix) => loadRequest({ era: SESSION_ERA, method: 'tools/call', tool: tool.name, auth, sessionHeaders: session.headers, requestIdPrefix: prefix });

  const directSession = await openSession(ctx.baseline.url);
  const directRequest = (prefix) => loadRequest({ era: SESSION_ERA, method: 'tools/call', sessionHeaders: directSession.headers, requestIdPrefix: prefix });

  const probe = await sendOnce(url, request('probe-'));
  if (probe.status !== 200 || probe.json?.result?.structuredContent?.text !== ECHO_TEXT) {
    throw new Error(`S2: tools/call ${tool.name} did not answer as expected: HTTP ${probe.status} ${probe.text.slice(0, 300)}`);
  }
  if (opts.warmup > 0) {
    await runLoad({ url: ctx.baseline.url, connections: 10, durationSeconds: opts.warmup, ...directRequest('w2d-') });
    await runLoad({ url, connections: 10, durationSeconds: opts.warmup, ...request('w2-') });
  }

  const out = [];
  const counts = [...new Set([1, ...opts.connections])];
  for (const connections of counts) {
    checkInterrupted();
    log(`S2 the upstream directly ${SESSION_ERA} ${connections} connections, ${opts.duration}s…`);
    const directBefore = cpuSeconds(ctx.baseline.child.pid);
    const directRun = await runLoad({ url: ctx.baseline.url, connections, durationSeconds: opts.duration, ...directRequest(`s2d${connections}-`) });
    const directAfter = cpuSeconds(ctx.baseline.child.pid);
    const direct = {
      rps: round(directRun.rps, 0),
      p50: round(directRun.latency.p50),
      p99: round(directRun.latency.p99),
      errors: directRun.errors,
      cpuMsPerCall: directBefore === null || directAfter === null || !directRun.successful ? null : round(((directAfter - directBefore) * 1000) / directRun.successful, 3),
    };
    emit({ scenario: 'S2-direct', era: SESSION_ERA, target: 'the upstream directly', connections, durationSeconds: directRun.durationSeconds, requests: directRun.requests, successful: directRun.successful, ...direct, loadAvg1m: round(os.loadavg()[0]) });
    checkInterrupted();
    log(`S2 gateway → upstream ${SESSION_ERA} ${connections} connections, ${opts.duration}s…`);
    const before = { ...cpuSnapshot(ctx.api.pid), upstream: cpuSeconds(ctx.baseline.child.pid) };
    const result = await runLoad({ url, connections, durationSeconds: opts.duration, ...request(`s2c${connections}-`) });
    const after = { ...cpuSnapshot(ctx.api.pid), upstream: cpuSeconds(ctx.baseline.child.pid) };
    const per = (a, b) => (a === null || b === null || !result.successful ? null : round(((b - a) * 1000) / result.successful, 3));
    const line = {
      scenario: 'S2',
      era: SESSION_ERA,
      target: 'gateway → upstream',
      upstream: 'the bare SDK server (mcp_http source)',
      connections,
      ...measured(result),
      cpuMsPerCall: { ...cpuPerCall(before, after, result.successful), upstream: per(before.upstream, after.upstream) },
      vsDirect: direct.rps
        ? {
            directRps: direct.rps,
            directP50: direct.p50,
            directP99: direct.p99,
            directErrors: direct.errors,
            rpsRatio: round(result.rps / direct.rps),
            addedP50Ms: round(result.latency.p50 - direct.p50),
            addedP99Ms: round(result.latency.p99 - direct.p99),
          }
        : null,
      loadAvg1m: round(os.loadavg()[0]),
    };
    emit(line);
    out.push(line);
  }

  // Added latency at the same offered load: the closed loops above run each server flat out, so at 10 and 50
  // connections their p50s are mostly queueing, and the two servers queue at different throughputs. Here both get
  // the same open-loop load (evenly spaced starts, lib/open-loop.mjs), half of what the proxied path sustained at
  // that connection count, and the difference of p50s is the time the gateway adds to a call under that load.
  const rated = [];
  for (const connections of opts.connections) {
    const closed = out.find((l) => l.connections === connections);
    if (!closed?.rps) continue;
    const overallRate = Math.max(1, Math.round(closed.rps / 2));
    checkInterrupted();
    log(`S2 at ${overallRate} req/s, ${connections} connections: the upstream directly, then through the gateway, ${opts.duration}s each…`);
    const directRun = await runOpenLoop({ url: ctx.baseline.url, connections, durationSeconds: opts.duration, rate: overallRate, ...directRequest(`s2rd${connections}-`) });
    checkInterrupted();
    const proxiedRun = await runOpenLoop({ url, connections, durationSeconds: opts.duration, rate: overallRate, ...request(`s2r${connections}-`) });
    const side = (r) => ({ rps: round(r.rps, 0), p50: round(r.latency.p50), p99: round(r.latency.p99), errors: r.errors });
    const line = {
      scenario: 'S2-rate',
      era: SESSION_ERA,
      connections,
      offeredRps: overallRate,
      direct: side(directRun),
      proxied: side(proxiedRun),
      addedP50Ms: round(proxiedRun.latency.p50 - directRun.latency.p50),
      addedP99Ms: round(proxiedRun.latency.p99 - directRun.latency.p99),
      loadAvg1m: round(os.loadavg()[0]),
    };
    emit(line);
    rated.push(line);
  }
  return { closed: out, rated };
}

// ---- S3: tools/list of a group with 1,000 tools ---------------------------------------------------------------

async function scenarioS3(opts, ctx) {
  const { admin, tenant } = ctx;
  const group = await admin.createGroup(tenant.id, 'bench-1000', 'Benchmark: 1,000 tools');
  const sourceId = await admin.builtinSourceId(tenant.id);
  // 1,000 tools with realistic faces (a description, 3 typed properties), inserted with SQL: creating
  // them one by one through POST /api/v1/tools and PUT /groups/:id/tools/:toolId takes 2,000 requests.
  await pool.query(
    `WITH made AS (
       INSERT INTO tools (tenant_id, source_id, name, title, description, input_schema, annotations, schema_hash, enabled, status)
       SELECT $1, $2, 'bench_tool_' || lpad(i::text, 4, '0'), 'Bench tool ' || i,
              'Looks up record ' || i || ' of the benchmark data set and returns its fields. Use it when the agent needs record ' || i || '.',
              jsonb_build_object('type', 'object', 'additionalProperties', false, 'required', jsonb_build_array('id'),
                'properties', jsonb_build_object(
                  'id', jsonb_build_object('type', 'string', 'description', 'The record id.'),
                  'fields', jsonb_build_object('type', 'array', 'items', jsonb_build_object('type', 'string'), 'description', 'Fields to return.'),
                  'limit', jsonb_build_object('type', 'integer', 'minimum', 1, 'maximum', 100))),
              '{"readOnlyHint": true}'::jsonb, md5('bench_tool_' || i), true, 'active'
       FROM generate_series(1, 1000) AS i
       RETURNING id
     )
     INSERT INTO tool_group_tools (group_id, tool_id, tenant_id) SELECT $3, id, $1 FROM made`,
    [tenant.id, sourceId, group.id],
  );
  const key = await admin.createKey(tenant.id, group.id, 'bench list key');
  const url = `${ctx.apiUrl}/mcp/${group.serverCode}`;
  const auth = { authorization: `Bearer ${key}` };
  const session = await openSession(url, auth);

  const out = [];
  for (const era of [STATELESS_ERA, SESSION_ERA]) {
    checkInterrupted();
    const request = loadRequest({ era, method: 'tools/list', auth, sessionHeaders: session.headers });
    const probe = await sendOnce(url, request);
    const firstPage = probe.json?.result?.tools?.length ?? 0;
    if (probe.status !== 200 || firstPage === 0) throw new Error(`S3 tools/list failed: HTTP ${probe.status} ${probe.text.slice(0, 300)}`);
    if (opts.warmup > 0) await runLoad({ url, connections: 10, durationSeconds: opts.warmup, ...request });

    // One tools/list request (one page of MCP_TOOLS_PAGE_SIZE tools): alone (1 connection: the latency
    // a client sees) and under load (10 connections: latency includes queueing behind the others).
    const runs = [];
    for (const connections of [1, 10]) {
      log(`S3 tools/list ${era}, ${connections} connection${connections > 1 ? 's' : ''}, ${opts.duration}s…`);
      runs.push({ connections, r: await runLoad({ url, connections, durationSeconds: opts.duration, ...request }) });
    }
    // A client walking every page (the 2.x client's listTools does), one request at a time.
    const walks = new Samples(opts.s3Walks);
    let pages = 0;
    for (let i = 0; i < opts.s3Walks; i += 1) {
      const started = performance.now();
      let cursor;
      let n = 0;
      do {
        const page = await sendOnce(url, loadRequest({ era, method: 'tools/list', auth, sessionHeaders: session.headers, cursor }), `walk-${i}-${n}`);
        if (page.status !== 200 || !page.json?.result) throw new Error(`S3 page walk failed: HTTP ${page.status} ${page.text.slice(0, 300)}`);
        cursor = page.json.result.nextCursor;
        n += 1;
      } while (cursor);
      walks.push(performance.now() - started);
      pages = n;
    }
    const [w50, w99] = walks.percentiles(50, 99);
    for (const { connections, r } of runs) {
      const line = {
        scenario: 'S3',
        era,
        target: 'gateway',
        groupTools: 1000,
        toolsPerPage: firstPage,
        connections,
        durationSeconds: r.durationSeconds,
        requests: r.requests,
        rps: round(r.rps, 0),
        p50: round(r.latency.p50),
        p99: round(r.latency.p99),
        errors: r.errors,
        ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}),
        ...(connections === 1 ? { fullList: { pages, walks: opts.s3Walks, p50: round(w50), p99: round(w99), note: 'every page in turn, one connection (node:http keep-alive)' } } : {}),
      };
      emit(line);
      out.push(line);
    }
  }
  return out;
}

// ---- S5: the explorer's queries over many call-log rows ------------------------------------------------------

async function scenarioS5(opts, ctx) {
  const { admin } = ctx;
  const tenant = await admin.createTenant('bench-explorer', 'Benchmark: call-log explorer');
  log(`S5 seeding ${opts.s5Rows.toLocaleString('en')} call-log rows (generate_series)…`);
  let lastReport = 0;
  const seeded = await seedCallLogs(pool, {
    tenantId: tenant.id,
    rows: opts.s5Rows,
    chunk: Math.min(250_000, Math.max(10_000, Math.ceil(opts.s5Rows / 8))),
    onProgress: (done, total, seconds) => {
      if (seconds - lastReport >= 10 || done === total) {
        lastReport = seconds;
        log(`  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows, ${Math.round(seconds)}s`);
      }
    },
  });
  const { rows: sizeRows } = await pool.query(`SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS size FROM pg_inherits WHERE inhparent = 'call_logs'::regclass`);
  emit({
    scenario: 'S5',
    phase: 'seed',
    rows: seeded.rows,
    days: Math.round((seeded.to - seeded.from) / 86_400_000),
    insertSeconds: round(seeded.insertSeconds, 1),
    attachAndIndexSeconds: round(seeded.attachSeconds, 1),
    rowsPerSecond: round(seeded.rows / (seeded.insertSeconds + seeded.attachSeconds), 0),
    vacuumAnalyzeSeconds: round(seeded.analyzeSeconds, 1),
    callLogsSize: sizeRows[0].size,
  });

  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const span = seeded.to - seeded.from;
  const at = (fraction) => new Date(seeded.from.getTime() + fraction * span);
  const iso = (d) => d.toISOString();
  const shapes = [
    { shape: 'latest', query: () => ({}) },
    { shape: 'groupId', query: () => ({ groupId: pick(seeded.groupIds) }) },
    { shape: 'keyId', query: () => ({ keyId: pick(seeded.keyIds) }) },
    { shape: 'toolId', query: () => ({ toolId: pick(seeded.toolIds) }) },
    { shape: 'outcome=tool_error (5%)', query: () => ({ outcome: 'tool_error' }) },
    { shape: 'outcome=timeout (0.2%)', query: () => ({ outcome: 'timeout' }) },
    {
      shape: 'time range 1 h',
      query: () => {
        const start = at(Math.random() * 0.95);
        return { from: iso(start), to: iso(new Date(start.getTime() + 3_600_000)) };
      },
    },
    {
      shape: 'groupId + outcome + 7 days',
      query: () => {
        const start = at(Math.random() * 0.7);
        return { groupId: pick(seeded.groupIds), outcome: pick(['tool_error', 'invalid_arguments']), from: iso(start), to: iso(new Date(start.getTime() + 7 * 86_400_000)) };
      },
    },
    {
      shape: 'keyId + toolId + 24 h',
      query: () => {
        const start = at(Math.random() * 0.9);
        return { keyId: pick(seeded.keyIds), toolId: pick(seeded.toolIds), from: iso(start), to: iso(new Date(start.getTime() + 86_400_000)) };
      },
    },
  ];

  // A warm-up pass, as an explorer's first queries would be after the database has been running.
  for (const s of shapes) await admin.callLogs(tenant.id, s.query());

  const out = [];
  for (const s of shapes) {
    checkInterrupted();
    const first = new Samples(64);
    const later = new Samples(256);
    let items = 0;
    for (let i = 0; i < opts.s5Iterations; i += 1) {
      const query = s.query();
      let page = await admin.callLogs(tenant.id, query);
      first.push(page.ms);
      items += page.items.length;
      for (let p = 1; p < opts.s5Pages && page.nextCursor; p += 1) {
        page = await admin.callLogs(tenant.id, { ...query, cursor: page.nextCursor });
        later.push(page.ms);
        items += page.items.length;
      }
    }
    const all = new Samples(first.length + later.length);
    for (const x of first.values.subarray(0, first.length)) all.push(x);
    for (const x of later.values.subarray(0, later.length)) all.push(x);
    const [p50, p95, p99] = all.percentiles(50, 95, 99);
    const line = {
      scenario: 'S5',
      shape: s.shape,
      rows: opts.s5Rows,
      requests: all.length,
      firstPages: first.length,
      cursorPages: later.length,
      itemsReturned: items,
      p50: round(p50),
      p95: round(p95),
      p99: round(p99),
      p95FirstPage: round(first.percentiles(95)[0]),
      p95CursorPages: round(later.percentiles(95)[0]),
    };
    emit(line);
    out.push(line);
  }
  return out;
}

// ---- summary ---------------------------------------------------------------------------------------------------

function target(name, measured, goal, pass) {
  const t = { target: name, measured, goal, result: pass === null ? 'N/A' : pass ? 'PASS' : 'FAIL' };
  results.targets.push(t);
  return t;
}

/** What every load run's JSON line says of it: counts, requests/s, latency percentiles, errors. */
function measured(result) {
  return {
    durationSeconds: result.durationSeconds,
    requests: result.requests,
    successful: result.successful,
    rps: round(result.rps, 0),
    p50: round(result.latency.p50),
    p90: round(result.latency.p90),
    p99: round(result.latency.p99),
    max: round(result.latency.max),
    errors: result.errors,
    errorBreakdown: result.errorBreakdown,
    ...(result.errorSamples.length ? { errorSamples: result.errorSamples } : {}),
  };
}

/** A number printed with the targets that is not one of them. */
function info(name, measured) {
  const t = { target: name, measured, goal: 'reported, not judged', result: 'INFO' };
  results.targets.push(t);
  return t;
}

function summarize(opts, s1, s2, s3, s5, rss) {
  const out = [];
  const print = (line = '') => out.push(line);
  print('');
  print(`=== Toolgate benchmark ${opts.smoke ? '(SMOKE: timings are not meaningful) ' : ''}— ${results.machine.cpus} CPU(s) ${results.machine.cpuModel}, Node ${results.machine.node}, ${opts.duration}s per run ===`);
  if (s1) {
    print('');
    print('S1 tools/call echo          conns      rps     p50 ms   p99 ms   errors   vs baseline   CPU ms/call: server  postgres  load gen');
    for (const l of s1.s1) {
      const base = s1.s1.find((b) => b.target === 'baseline' && b.connections === l.connections);
      const ratio = l.target !== 'baseline' && base?.rps ? `${(l.rps / base.rps).toFixed(2)}×` : '';
      const cpu = (v) => String(v ?? '–').padStart(8);
      print(
        `  ${`${l.target} ${l.era}`.padEnd(26)}${String(l.connections).padStart(5)}${String(l.rps).padStart(9)}${String(l.p50).padStart(10)}${String(l.p99).padStart(9)}${String(l.errors).padStart(9)}   ${ratio.padEnd(11)}            ${cpu(l.cpuMsPerCall.server)}  ${cpu(l.cpuMsPerCall.postgres)}  ${cpu(l.cpuMsPerCall.loadGenerator)}`,
      );
    }
  }
  if (s2) {
    print('');
    print('S2 tools/call proxied       conns      rps     p50 ms   p99 ms   errors   vs direct   added p50 / p99 ms   CPU ms/call: API  upstream  postgres  load gen');
    for (const l of s2.closed) {
      const cpu = (v) => String(v ?? '–').padStart(8);
      const d = l.vsDirect;
      if (d) print(`  ${`the upstream directly`.padEnd(26)}${String(l.connections).padStart(5)}${String(d.directRps).padStart(9)}${String(d.directP50).padStart(10)}${String(d.directP99).padStart(9)}${String(d.directErrors).padStart(9)}`);
      const vs = d ? `${d.rpsRatio.toFixed(2)}×` : '';
      const added = d ? `${d.addedP50Ms} / ${d.addedP99Ms}` : '';
      print(
        `  ${`gateway → upstream`.padEnd(26)}${String(l.connections).padStart(5)}${String(l.rps).padStart(9)}${String(l.p50).padStart(10)}${String(l.p99).padStart(9)}${String(l.errors).padStart(9)}   ${vs.padEnd(9)}   ${added.padEnd(18)}   ${cpu(l.cpuMsPerCall.server)}${cpu(l.cpuMsPerCall.upstream)}  ${cpu(l.cpuMsPerCall.postgres)}  ${cpu(l.cpuMsPerCall.loadGenerator)}`,
      );
    }
    if (s2.rated.length) {
      print('');
      print('S2 at a fixed offered load   conns  offered req/s   direct p50 / p99 ms   proxied p50 / p99 ms   added p50 / p99 ms   errors');
      for (const l of s2.rated) {
        print(
          `  ${''.padEnd(26)}${String(l.connections).padStart(5)}${String(l.offeredRps).padStart(15)}   ${`${l.direct.p50} / ${l.direct.p99}`.padEnd(20)}  ${`${l.proxied.p50} / ${l.proxied.p99}`.padEnd(21)}  ${`${l.addedP50Ms} / ${l.addedP99Ms}`.padEnd(19)}  ${l.direct.errors + l.proxied.errors}`,
        );
      }
    }
  }
  if (s3) {
    print('');
    print('S3 tools/list, 1,000 tools   conns      rps   p50 ms   p99 ms   errors   full list (all pages, 1 conn) p50 / p99 ms');
    for (const l of s3) {
      const full = l.fullList ? `${l.fullList.pages} pages: ${l.fullList.p50} / ${l.fullList.p99}` : '';
      print(`  ${l.era.padEnd(26)}${String(l.connections).padStart(5)}${String(l.rps).padStart(9)}${String(l.p50).padStart(9)}${String(l.p99).padStart(9)}${String(l.errors).padStart(9)}   ${full}`);
    }
  }
  if (s5) {
    print('');
    print(`S5 call-log explorer, ${opts.s5Rows.toLocaleString('en')} seeded rows   p50 ms   p95 ms   p99 ms   (first page / cursor pages p95)`);
    for (const l of s5) print(`  ${l.shape.padEnd(38)}${String(l.p50).padStart(7)}${String(l.p95).padStart(9)}${String(l.p99).padStart(9)}   (${l.p95FirstPage} / ${l.p95CursorPages})`);
  }

  // Targets.
  if (s1) {
    for (const l of s1.s1.filter((x) => x.target === 'gateway')) {
      const base = s1.s1.find((b) => b.target === 'baseline' && b.connections === l.connections);
      const ratio = base?.rps ? l.rps / base.rps : null;
      target(`S1 ${l.era} ${l.connections} conns: rps ≥ 2.0× bare SDK server (${SESSION_ERA})`, ratio === null ? null : `${ratio.toFixed(2)}× (${l.rps} vs ${base.rps})`, '≥ 2.0×', ratio === null ? null : ratio >= 2);
      if (l.connections === 10) target(`S1 ${l.era} 10 conns: p99`, `${l.p99} ms`, '≤ 10 ms', l.p99 <= 10);
      target(`S1 ${l.era} ${l.connections} conns: errors`, l.errors, '0', l.errors === 0);
    }
    const s4 = results.lines.filter((l) => l.scenario === 'S4');
    const lost = s4.reduce((n, l) => n + l.lost, 0);
    target('S4 call-log rows = successful calls (nothing lost)', `${lost} lost over ${s4.length} runs; ${s4.map((l) => `${l.rowsPerSecond} rows/s`).join(', ')}`, '0 lost', s4.every((l) => l.nothingLost));
    target('RSS under S1 load', `${rss.maxRss} MB (idle ${rss.idleRss} MB)`, '≤ 300 MB', rss.maxRss <= 300);
  }
  if (s2) {
    // The issue's S2 target: the gateway adds at most 1 ms at p50 to a call of the upstream (proxied minus direct,
    // same run). Judged where p50 is the time of a call, not of a queue: one connection in a closed loop, and the
    // fixed offered loads at 10 and 50 connections. The closed loops at 10 and 50 connections run both servers flat
    // out, so their p50 difference mostly measures throughput; it is reported as INFO beside the req/s ratio.
    for (const l of s2.closed) {
      const d = l.vsDirect;
      const measured = d ? `+${d.addedP50Ms} ms (p50 ${l.p50} vs ${d.directP50} ms; p99 +${d.addedP99Ms} ms; ${d.rpsRatio.toFixed(2)}× the direct req/s, ${l.rps} vs ${d.directRps})` : null;
      if (l.connections === 1) target('S2 proxied 1 conn: added p50 (proxied − direct)', measured, '≤ 1 ms', d ? d.addedP50Ms <= 1 : null);
      else info(`S2 proxied ${l.connections} conns, flat out: added p50 (queueing; throughput ratio)`, measured);
      target(`S2 proxied ${l.connections} conns: errors`, l.errors, '0', l.errors === 0);
    }
    for (const l of s2.rated) {
      target(
        `S2 proxied ${l.connections} conns at ${l.offeredRps} req/s: added p50 (proxied − direct)`,
        `+${l.addedP50Ms} ms (p50 ${l.proxied.p50} vs ${l.direct.p50} ms; p99 +${l.addedP99Ms} ms)`,
        '≤ 1 ms',
        l.addedP50Ms <= 1,
      );
      target(`S2 at ${l.offeredRps} req/s, ${l.connections} conns: errors`, l.direct.errors + l.proxied.errors, '0', l.direct.errors + l.proxied.errors === 0);
    }
  }
  if (s3) {
    for (const l of s3) {
      const other = s3.find((x) => x.era === l.era && x.connections !== l.connections);
      if (l.connections === 1) target(`S3 tools/list (1,000 tools) ${l.era}: p50 of one client`, `${l.p50} ms (${other?.p50} ms at ${other?.connections} connections)`, '≤ 5 ms', l.p50 <= 5);
      target(`S3 tools/list ${l.era} ${l.connections} conn: errors`, l.errors, '0', l.errors === 0);
    }
  }
  if (s5) for (const l of s5) target(`S5 ${l.shape}: p95`, `${l.p95} ms`, '≤ 200 ms', l.p95 <= 200);

  print('');
  print('Targets' + (opts.smoke ? ' (smoke run: PASS/FAIL here says nothing about performance)' : ''));
  for (const t of results.targets) print(`  ${t.result.padEnd(5)} ${t.target}: ${t.measured} (target ${t.goal})`);
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---- main -------------------------------------------------------------------------------------------------------

async function stopApiForProfile(ctx) {
  log('stopping the API to write its CPU profile…');
  signalChild(ctx.api, 'SIGTERM');
  await Promise.race([exitOf(ctx.api), sleep(20_000)]);
  const files = fs.existsSync(ctx.profileDir) ? fs.readdirSync(ctx.profileDir).filter((f) => f.endsWith('.cpuprofile')) : [];
  if (!files.length) {
    log('no .cpuprofile was written');
    return null;
  }
  const file = path.join(ctx.profileDir, files[0]);
  const summary = summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')), { top: 30 });
  let kept = null;
  if (results.file) {
    kept = results.file.replace(/\.json$/, '.cpuprofile');
    fs.copyFileSync(file, kept);
  }
  process.stdout.write(`\n${formatSummary(summary)}\n`);
  if (kept) process.stdout.write(`(profile kept in ${path.relative(ROOT, kept)}; open it in Chrome DevTools › Performance)\n`);
  return { file: kept && path.relative(ROOT, kept), ...summary };
}

async function main() {
  const opts = parseFlags(process.argv.slice(2));
  results.options = { ...opts, only: opts.only ? [...opts.only] : null };
  results.machine = machineInfo();
  if (opts.writeResults) {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    results.file = path.join(RESULTS_DIR, `${results.startedAt.replace(/[:.]/g, '-')}${opts.smoke ? '-smoke' : ''}.json`);
  }
  const startedAt = performance.now();

  log('checking the build…');
  await ensureBuiltQuietly();
  checkInterrupted();
  const ctx = await setUp(opts);
  log(`setup done in ${Math.round((performance.now() - startedAt) / 1000)}s`);

  const s1 = wants(opts, 'S1') ? await scenarioS1(opts, ctx) : null;
  const s2 = wants(opts, 'S2') ? await scenarioS2(opts, ctx) : null;
  const s3 = wants(opts, 'S3') ? await scenarioS3(opts, ctx) : null;
  const s5 = wants(opts, 'S5') ? await scenarioS5(opts, ctx) : null;

  if (s1) {
    for (const l of s1.s1.filter((x) => x.target === 'gateway')) {
      const base = s1.s1.find((b) => b.target === 'baseline' && b.connections === l.connections);
      emit({
        scenario: 'S1-ratio',
        era: l.era,
        connections: l.connections,
        baselineEra: SESSION_ERA,
        gatewayRps: l.rps,
        baselineRps: base?.rps ?? null,
        rpsRatio: base?.rps ? round(l.rps / base.rps) : null,
        p99Ratio: base?.p99 ? round(l.p99 / base.p99) : null,
        serverCpuPerCallRatio: base?.cpuMsPerCall.server && l.cpuMsPerCall.server ? round(l.cpuMsPerCall.server / base.cpuMsPerCall.server) : null,
      });
    }
  }
  summarize(opts, s1, s2, s3, s5, s1 ?? {});
  if (opts.cpuProf) results.profile = await stopApiForProfile(ctx);
  results.finishedAt = new Date().toISOString();
  results.machine.loadAvgAtEnd = os.loadavg().map((x) => round(x));
  results.seconds = Math.round((performance.now() - startedAt) / 1000);
  if (results.file) {
    fs.writeFileSync(results.file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nresults: ${path.relative(ROOT, results.file)} (${results.seconds}s)\n`);
  }
}

main().then(
  () => finish(0),
  (error) => {
    if (error instanceof UsageError) log(error.message);
    else if (!interrupted) log(`the harness failed: ${error?.stack ?? error}`);
    return finish(interrupted ? 130 : 1);
  },
);
