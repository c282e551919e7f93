// The fault suite (issue 7 item 4): the real built API as child processes on loopback, under a client loop, while
// something breaks — a replica killed with SIGKILL, PostgreSQL stopped for 30 s, Redis cut away, upstreams that hang,
// crash or answer garbage. Every wait is bounded and afterAll kills whatever this file started, pass or fail.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { API_MAIN, BuiltApi, ensureApiBuilt, startBuiltApi } from '../built-api';
import { createEchoEndpoint, createGroup, createKey, createTenant } from '../factories';
import { BOTH, modernHeaders, modernRequest } from '../mcp-raw';
import { TcpProxy } from '../proxied-database';
import { allowLoopback, createSource, eventually, expose, owner, toolsOf } from '../sources';
import { createTestApp, TEST_SECRET, TestApp } from '../test-app';
import { createDatabase, dropDatabase, TEMPLATE_ENV, uniqueDbName } from '../test-database';
import { itWithRedis, redisProxy, redisUrlThrough, testRedisUrl, uniqueRedisPrefix } from '../test-redis';
import { startTestUpstream, TestUpstream } from '../upstreams';

const API_CLI = join(API_MAIN, '..', 'cli.js');
/** A hook may build the API first (ensureApiBuilt, up to a minute on a busy machine) or start a PostgreSQL. */
const SETUP_MS = 180_000;
const TEARDOWN_MS = 60_000;
/** The longest test is the 30 s PostgreSQL outage with its load before and after and the replay. */
const TEST_MS = 120_000;

interface Attempt {
  requestId: string;
  /** Which replica or tool the call went to. */
  target: string;
  sentAt: number;
  doneAt: number;
  /** HTTP status, or null when the connection failed. */
  status: number | null;
  /** 200 with a result that is not an error. */
  ok: boolean;
  result?: { isError?: boolean; content?: Array<{ text?: string }>; structuredContent?: Record<string, unknown> };
  error?: string;
}

/** One stateless (2026-07-28) tools/call over fetch's keep-alive pool, with its own X-Request-Id. */
async function callTool(base: string, serverCode: string, key: string, tool: string, args: Record<string, unknown>, requestId: string, target: string, timeoutMs = 10_000): Promise<Attempt> {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${base}/mcp/${serverCode}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: BOTH, 'X-Request-Id': requestId, ...modernHeaders('tools/call', tool) },
      body: JSON.stringify(modernRequest(1, 'tools/call', { name: tool, arguments: args })),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: any = await res.json().catch(() => null);
    const result = body?.result;
    return { requestId, target, sentAt, doneAt: Date.now(), status: res.status, ok: res.status === 200 && !!result && result.isError !== true, result, error: body?.error?.message };
  } catch (err) {
    const e = err as Error;
    return { requestId, target, sentAt, doneAt: Date.now(), status: null, ok: false, error: `${e.name}: ${(e.cause as Error)?.message ?? e.message}` };
  }
}

/** Runs `workers` client loops until stop() and collects every attempt; `next` picks each call. */
function clientLoop(workers: number, next: (worker: number, i: number) => Promise<Attempt>, pauseMs = 0) {
  const attempts: Attempt[] = [];
  let stopped = false;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; !stopped; i++) {
      attempts.push(await next(w, i));
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  });
  return {
    attempts,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `promise`, at most `ms`; leaves no timer behind. */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
const echoed = (a: Attempt, text: string) => a.ok && a.result?.structuredContent?.text === text;

function replicaEnv(databaseUrl: string, spoolDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    TOOLGATE_SECRET: TEST_SECRET,
    LOG_LEVEL: 'warn',
    CALL_LOG_SPOOL_DIR: spoolDir,
    ROLLUP_INTERVAL_MS: '0',
    SOURCE_REFRESH_TICK_MS: '0',
    ...extra,
  };
}

/** SIGKILL, then wait (bounded) for the exit. Safe on a process that is already gone. */
async function killHard(child: ChildProcess | undefined, exited?: Promise<unknown>): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await atMost(exited ?? new Promise((r) => child.once('exit', r)), 5_000);
}

/** The call-log rows per request id among `ids`, read straight from the database. */
async function rowsPerRequest(databaseUrl: string, ids: string[]): Promise<Map<string, number>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(`SELECT request_id, count(*)::int AS n FROM call_logs WHERE request_id = ANY($1) GROUP BY request_id`, [ids]);
    return new Map(rows.map((r: { request_id: string; n: number }) => [r.request_id, r.n]));
  } finally {
    await db.end();
  }
}

/**
 * A tenant with the builtin echo in a group and a key for it, made through the real admin API in process; and a
 * second key of the group that nothing uses until a test does.
 */
async function echoEndpointOn(databaseUrl: string): Promise<{ serverCode: string; key: string; unusedKey: string }> {
  const t: TestApp = await createTestApp({ env: { DATABASE_URL: databaseUrl } });
  try {
    const tenant = await createTenant(t);
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
    return { serverCode: group.serverCode, key: plaintext, unusedKey: (await createKey(t, tenant, group.id)).plaintext };
  } finally {
    await t.close();
  }
}

describe(`fault suite: two replicas of the built API on one database${testRedisUrl ? ' and one Redis' : ''}, one killed with SIGKILL under load`, () => {
  let dbName: string;
  let dbUrl: string;
  let spoolDir: string;
  const replicas: BuiltApi[] = [];
  let endpoint: { serverCode: string; key: string };

  beforeAll(async () => {
    ensureApiBuilt();
    spoolDir = mkdtempSync(join(tmpdir(), 'toolgate-faults-kill-'));
    dbName = uniqueDbName('faults_kill');
    dbUrl = await createDatabase(dbName, process.env[TEMPLATE_ENV]);
    endpoint = await echoEndpointOn(dbUrl);
    // Where Redis is reachable the replicas share it too, as a scaled-out deployment does.
    const redis: Record<string, string> = testRedisUrl ? { REDIS_URL: testRedisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() } : {};
    const started = await Promise.allSettled(['a', 'b'].map((name) => startBuiltApi(replicaEnv(dbUrl, join(spoolDir, name), redis))));
    for (const s of started) if (s.status === 'fulfilled') replicas.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  }, SETUP_MS);

  afterAll(async () => {
    for (const r of replicas) await killHard(r.child, r.exited);
    if (dbName) await dropDatabase(dbName);
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('every call the client saw succeed has its one call-log row, and the surviving replica keeps answering', async () => {
    const [a, b] = replicas;
    const load = clientLoop(8, (w, i) => {
      const target = (w + i) % 2 === 0 ? 'a' : 'b';
      const text = `kill-${w}-${i}`;
      return callTool(target === 'a' ? a.url : b.url, endpoint.serverCode, endpoint.key, 'echo', { text }, text, target);
    });
    await sleep(1_500);
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await atMost(a.exited, 5_000);
    await sleep(1_500);
    await load.stop();
    const attempts = load.attempts;

    const before = attempts.filter((x) => x.doneAt < killedAt);
    expect(before.filter((x) => x.target === 'a' && x.ok).length).toBeGreaterThan(20);
    expect(before.filter((x) => x.target === 'b' && x.ok).length).toBeGreaterThan(20);
    // Each success echoed its own text.
    expect(attempts.filter((x) => x.ok && !echoed(x, x.requestId)).map((x) => x.requestId)).toEqual([]);
    // The survivor: every call sent to it after the kill succeeded, and there were many.
    const survivorAfter = attempts.filter((x) => x.target === 'b' && x.sentAt > killedAt);
    expect(survivorAfter.length).toBeGreaterThan(20);
    expect(survivorAfter.filter((x) => !x.ok).map((x) => `${x.requestId}: ${x.status} ${x.error}`)).toEqual([]);
    // The killed one refuses connections; nothing hangs.
    const deadAfter = attempts.filter((x) => x.target === 'a' && x.sentAt > killedAt + 100);
    expect(deadAfter.length).toBeGreaterThan(0);
    expect(deadAfter.filter((x) => x.ok)).toEqual([]);
    for (const x of attempts) expect(x.doneAt - x.sentAt).toBeLessThan(5_000);

    // Committed before the answer: every acknowledged call has exactly one row, on either replica.
    const ok = attempts.filter((x) => x.ok).map((x) => x.requestId);
    const rows = await rowsPerRequest(dbUrl, ok);
    expect(ok.filter((id) => rows.get(id) !== 1)).toEqual([]);
  }, TEST_MS);
});

/** The embedded PostgreSQL of embedded-postgres-process.mjs, driven over its stdin. */
class OwnPostgres {
  private readonly child: ChildProcess;
  private readonly events: Array<{ event: string; url?: string; port?: number; message?: string }> = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<unknown>;

  constructor(readonly dataDir: string) {
    this.child = spawn(process.execPath, [join(__dirname, 'embedded-postgres-process.mjs'), dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = new Promise((r) => this.child.once('exit', r));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line));
      } catch {
        return; // not one of ours
      }
      for (const w of this.waiters) w();
    });
  }

  private async next(event: string, timeoutMs: number) {
    const seen = this.events.length;
    return new Promise<{ url?: string; port?: number }>((resolve, reject) => {
      const check = () => {
        const e = this.events.slice(seen).find((x) => x.event === event || x.event === 'error');
        if (!e) return;
        cleanup();
        if (e.event === 'error') reject(new Error(`embedded PostgreSQL: ${e.message}`));
        else resolve(e);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`embedded PostgreSQL: no "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  started(timeoutMs = 90_000) {
    return this.next('started', timeoutMs);
  }

  async stop(): Promise<void> {
    const stopped = this.next('stopped', 30_000);
    this.child.stdin!.write('stop\n');
    await stopped;
  }

  async start(): Promise<{ url?: string; port?: number }> {
    const started = this.next('started', 60_000);
    this.child.stdin!.write('start\n');
    return started;
  }

  /** Closing stdin stops PostgreSQL and the helper; SIGKILL (and postgres' own pid file) if that takes too long. */
  async close(): Promise<void> {
    this.child.stdin!.end();
    await atMost(this.exited, 25_000);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      try {
        const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) process.kill(pid, 'SIGQUIT');
      } catch {
        // no server left
      }
    }
  }
}

function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [API_CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs }, (error, stdout, stderr) =>
      error ? reject(new Error(`cli ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    );
  });
}

/** Bytes in the call-log spool's segments (`spool-*.ndjson`, removed once replayed). */
function spoolBytes(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  return names.filter((n) => /^spool-.*\.ndjson$/.test(n)).reduce((sum, n) => sum + (statSync(join(dir, n), { throwIfNoEntry: false })?.size ?? 0), 0);
}

describe('fault suite: PostgreSQL stopped for 30 s under steady load, then started again (SECURITY 30)', () => {
  const OUTAGE_MS = 30_000;
  let workDir: string;
  let pg: OwnPostgres | undefined;
  let pgUrl: string;
  let api: BuiltApi | undefined;
  let endpoint: { serverCode: string; key: string; unusedKey: string };

  beforeAll(async () => {
    ensureApiBuilt();
    workDir = mkdtempSync(join(tmpdir(), 'toolgate-faults-pg-'));
    pg = new OwnPostgres(join(workDir, 'pg'));
    pgUrl = (await pg.started()).url!;
    await runCli(['migrate'], { NODE_ENV: 'test', DATABASE_URL: pgUrl, TOOLGATE_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' }, 60_000);
    endpoint = await echoEndpointOn(pgUrl);
    api = await startBuiltApi(replicaEnv(pgUrl, join(workDir, 'spool')));
  }, SETUP_MS);

  afterAll(async () => {
    await killHard(api?.child, api?.exited);
    await pg?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('answers every call during the outage for the key and catalog verified before it, spools the rows, and replays each exactly once', async () => {
    const load = clientLoop(
      4,
      (w, i) => {
        const text = `pg-${w}-${i}`;
        return callTool(api!.url, endpoint.serverCode, endpoint.key, 'echo', { text }, text, 'api');
      },
      20,
    );
    await sleep(2_000);
    const downAt = Date.now();
    await pg!.stop();
    const stoppedAt = Date.now();
    // The policy's other half: a key not verified before the outage cannot be checked, and says so at once.
    await sleep(1_000);
    const unverified = await callTool(api!.url, endpoint.serverCode, endpoint.unusedKey, 'echo', { text: 'unverified' }, 'pg-unverified', 'api');
    const readiness = await fetch(`${api!.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
    await sleep(OUTAGE_MS - (Date.now() - downAt));
    const spooledBytes = spoolBytes(join(workDir, 'spool'));
    const upAt = Date.now();
    const restarted = await pg!.start();
    expect(restarted.url).toBe(pgUrl); // same port: the API reconnects on its own
    await sleep(3_000);
    await load.stop();
    const attempts = load.attempts;

    // Nothing failed, before, during or after; every call echoed its own text.
    expect(attempts.filter((x) => !echoed(x, x.requestId)).map((x) => `${x.requestId}: ${x.status} ${x.error ?? JSON.stringify(x.result)}`)).toEqual([]);
    const during = attempts.filter((x) => x.sentAt > stoppedAt && x.doneAt < upAt);
    expect(during.length).toBeGreaterThan(200);
    for (const x of attempts) expect(x.doneAt - x.sentAt).toBeLessThan(5_000);
    // The outage's rows went to the spool.
    expect(spooledBytes).toBeGreaterThan(0);
    expect({ status: unverified.status, error: unverified.error }).toEqual({ status: 503, error: 'The gateway cannot check API keys right now; retry shortly.' });
    expect(unverified.doneAt - unverified.sentAt).toBeLessThan(3_000);
    // Out of rotation while PostgreSQL is away (it cannot take new keys or admin work), although it answers its agents.
    expect(readiness.status).toBe(503);

    // Replayed: every acknowledged call has exactly one row — none lost, none doubled.
    const ids = attempts.map((x) => x.requestId);
    const until = Date.now() + 30_000;
    let rows = await rowsPerRequest(pgUrl, ids);
    while (rows.size < ids.length && Date.now() < until) {
      await sleep(250);
      rows = await rowsPerRequest(pgUrl, ids);
    }
    // Once the spool is empty nothing more can arrive: count again for doubles.
    while (spoolBytes(join(workDir, 'spool')) > 0 && Date.now() < until) await sleep(250);
    expect(spoolBytes(join(workDir, 'spool'))).toBe(0);
    rows = await rowsPerRequest(pgUrl, ids);
    expect(ids.filter((id) => rows.get(id) !== 1).map((id) => `${id}: ${rows.get(id) ?? 0}`)).toEqual([]);
    expect(rows.size).toBe(ids.length);
  }, TEST_MS);
});

describe('fault suite: upstreams that hang, crash, answer garbage or are gone, all at once under load', () => {
  /** What the client may wait beyond a tool's timeoutSeconds: the gateway's own work, under load. */
  const MARGIN_MS = 1_500;
  let dbName: string;
  let dbUrl: string;
  let spoolDir: string;
  const upstreams: TestUpstream[] = [];
  let api: BuiltApi | undefined;
  let serverCode: string;
  let key: string;
  /** Tool name → its timeoutSeconds, the outcomes its rows may log, what its answers say (and what the earliest says). */
  const tools: Record<string, { timeoutSeconds: number; outcomes: string[]; text: RegExp; first?: RegExp }> = {};

  beforeAll(async () => {
    ensureApiBuilt();
    spoolDir = mkdtempSync(join(tmpdir(), 'toolgate-faults-up-'));
    dbName = uniqueDbName('faults_up');
    dbUrl = await createDatabase(dbName, process.env[TEMPLATE_ENV]);
    const healthy = await startTestUpstream({ faultTools: true });
    const crashing = await startTestUpstream();
    const vanishing = await startTestUpstream();
    upstreams.push(healthy, crashing, vanishing);
    const t = await createTestApp({ env: { DATABASE_URL: dbUrl } });
    try {
      const tenant = await createTenant(t);
      await allowLoopback(t, tenant);
      const group = await createGroup(t, tenant);
      const add = async (name: string, namespace: string, url: string, upstreamTool: string, timeoutSeconds: number, outcomes: string[], text: RegExp, first?: RegExp) => {
        const source = await createSource(t, tenant, { kind: 'mcp_http', name, namespace, config: { urls: [url] } });
        const tool = (await toolsOf(t, tenant, source.id)).get(`${namespace}__${upstreamTool}`)!;
        const patched = await t.http().patch(`/api/v1/tools/${tool.id}`).set(owner(tenant)).send({ timeoutSeconds });
        if (patched.status !== 200) throw new Error(`timeoutSeconds: ${patched.status} ${JSON.stringify(patched.body)}`);
        await expose(t, tenant, group.id, [tool.id]);
        tools[tool.name] = { timeoutSeconds, outcomes, text, first };
      };
      // A failing source's breaker opens after a few failures (per source: Steady shares Stuck's and Sloppy's
      // upstream and stays closed); from then on its calls fail at once, naming it.
      const open = (source: string) => new RegExp(`Source "${source}" is unavailable after repeated failures; retrying in \\d+ s`);
      await add('Steady CRM', 'steady', healthy.url, 'echo', 2, ['ok'], /^echo: /);
      await add('Stuck CRM', 'stuck', healthy.url, 'hang', 1, ['timeout', 'upstream_error'], new RegExp(`did not finish within 1 s and was cancelled|${open('Stuck CRM').source}`), /did not finish within 1 s and was cancelled/);
      const malformed = /source "Sloppy CRM" sent a malformed result for tool "malformed"/;
      await add('Sloppy CRM', 'sloppy', healthy.url, 'malformed', 2, ['upstream_error'], new RegExp(`${malformed.source}|${open('Sloppy CRM').source}`), malformed);
      await add('Crashing CRM', 'crashing', crashing.url, 'echo', 2, ['upstream_error'], /"Crashing CRM"/);
      await add('Vanished CRM', 'vanished', vanishing.url, 'echo', 2, ['upstream_error'], /"Vanished CRM"/);
      key = (await createKey(t, tenant, group.id)).plaintext;
      serverCode = group.serverCode;
    } finally {
      await t.close();
    }
    // From here on: every tools/call to this one has its connection cut, and this one is gone.
    crashing.failCalls = true;
    await vanishing.close();
    api = await startBuiltApi(replicaEnv(dbUrl, spoolDir));
  }, SETUP_MS);

  afterAll(async () => {
    await killHard(api?.child, api?.exited);
    for (const u of upstreams) await u.close().catch(() => undefined);
    if (dbName) await dropDatabase(dbName);
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('every call answers within its deadline, the failures as clear isError results, and the healthy source is unaffected', async () => {
    const names = Object.keys(tools);
    expect(names).toHaveLength(5);
    const load = clientLoop(10, (w, i) => {
      const tool = names[(w + i) % names.length];
      const text = `up-${w}-${i}`;
      return callTool(api!.url, serverCode, key, tool, { text }, text, tool);
    });
    await sleep(6_000);
    await load.stop();
    const attempts = load.attempts;

    for (const name of names) {
      const mine = attempts.filter((x) => x.target === name);
      const { timeoutSeconds, outcomes, text, first } = tools[name];
      expect({ name, calls: mine.length > 5 }).toEqual({ name, calls: true });
      // Each is an MCP result (HTTP 200), an error only as isError with a message naming what went wrong.
      const unclear = mine.filter((x) => x.status !== 200 || !x.result || x.ok !== outcomes.includes('ok') || !text.test(x.result.content?.[0]?.text ?? ''));
      expect(unclear.map((x) => `${name} ${x.requestId}: ${x.status} ${x.error ?? JSON.stringify(x.result)}`)).toEqual([]);
      if (first) expect({ name, first: [...mine].sort((p, q) => p.sentAt - q.sentAt)[0].result?.content?.[0]?.text }).toEqual({ name, first: expect.stringMatching(first) });
      const slowest = Math.max(...mine.map((x) => x.doneAt - x.sentAt));
      expect({ name, slowest, bound: slowest < timeoutSeconds * 1000 + MARGIN_MS }).toEqual({ name, slowest, bound: true });
    }
    // The hang really waited out its timeout (not a premature failure)…
    expect(Math.min(...attempts.filter((x) => x.target === 'stuck__hang').map((x) => x.doneAt - x.sentAt))).toBeGreaterThanOrEqual(950);
    // …while the healthy source's calls next to it stayed fast.
    const steady = attempts.filter((x) => x.target === 'steady__echo').map((x) => x.doneAt - x.sentAt);
    expect(Math.max(...steady)).toBeLessThan(1_000);

    // And every call has its one row with the outcome that says what happened.
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT request_id, tool_name, outcome FROM call_logs WHERE request_id = ANY($1)`, [attempts.map((x) => x.requestId)]);
      const logged = new Map(rows.map((r: { request_id: string; tool_name: string; outcome: string }) => [r.request_id, r]));
      expect(rows).toHaveLength(attempts.length);
      const wrong = attempts.filter((x) => {
        const row = logged.get(x.requestId);
        return row?.tool_name !== x.target || !tools[x.target].outcomes.includes(row.outcome);
      });
      expect(wrong.map((x) => `${x.target} ${x.requestId}: ${JSON.stringify(logged.get(x.requestId))}`)).toEqual([]);
    } finally {
      await db.end();
    }
  }, TEST_MS);
});

describe('fault suite: Redis cut away from a replica of the built API, then restored', () => {
  const GROUP_PER_MINUTE = 20;
  let dbName: string | undefined;
  let dbUrl: string;
  let spoolDir: string | undefined;
  let proxy: TcpProxy | undefined;
  let api: BuiltApi | undefined;
  let open: { serverCode: string; key: string };
  let limited: { serverCode: string; key: string };

  beforeAll(async () => {
    if (!testRedisUrl) return;
    ensureApiBuilt();
    spoolDir = mkdtempSync(join(tmpdir(), 'toolgate-faults-redis-'));
    dbName = uniqueDbName('faults_redis');
    dbUrl = await createDatabase(dbName, process.env[TEMPLATE_ENV]);
    const t = await createTestApp({ env: { DATABASE_URL: dbUrl } });
    try {
      const tenant = await createTenant(t);
      const unlimited = await createEchoEndpoint(t, tenant);
      open = { serverCode: unlimited.group.serverCode, key: unlimited.plaintext };
      const group = await createGroup(t, tenant, { rateLimit: { perMinute: GROUP_PER_MINUTE } });
      const echo = (await t.http().get('/api/v1/tools').set(owner(tenant))).body.items.find((x: { name: string }) => x.name === 'echo');
      await expose(t, tenant, group.id, [echo.id]);
      limited = { serverCode: group.serverCode, key: (await createKey(t, tenant, group.id)).plaintext };
    } finally {
      await t.close();
    }
    // The shared Redis stays up for everyone else; this replica reaches it only through a proxy the test cuts.
    proxy = redisProxy();
    const proxied = await redisUrlThrough(proxy);
    api = await startBuiltApi(replicaEnv(dbUrl, spoolDir, { REDIS_URL: proxied, REDIS_KEY_PREFIX: uniqueRedisPrefix() }));
  }, SETUP_MS);

  afterAll(async () => {
    await killHard(api?.child, api?.exited);
    await proxy?.cut();
    if (dbName) await dropDatabase(dbName);
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  const readyz = async () => {
    const res = await fetch(`${api!.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return { status: res.status, body: (await res.json()) as { status: string; checks: { redis: string } } };
  };
  let n = 0;
  const call = (endpoint: { serverCode: string; key: string }) => {
    const text = `redis-${++n}`;
    return callTool(api!.url, endpoint.serverCode, endpoint.key, 'echo', { text }, text, endpoint.serverCode, 5_000);
  };

  itWithRedis('/readyz says degraded (still 200) and calls go on under local limits while Redis is away; ready again once it is back', async () => {
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
    expect((await call(open)).ok).toBe(true);

    await proxy!.cut();
    await eventually('/readyz degraded', async () => (await readyz()).body.status === 'degraded', 10_000);
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'degraded', checks: { redis: 'down' } } });

    // Calls keep working, and nothing waits on the missing Redis.
    const during = [];
    for (let i = 0; i < 20; i++) during.push(await call(open));
    expect(during.filter((x) => !echoed(x, x.requestId)).map((x) => `${x.requestId}: ${x.status} ${x.error}`)).toEqual([]);
    expect(Math.max(...during.map((x) => x.doneAt - x.sentAt))).toBeLessThan(1_000);
    // The group's limit still holds, counted by this replica alone: neither open to all nor closed to all.
    const burst = [];
    for (let i = 0; i < GROUP_PER_MINUTE + 10; i++) burst.push(await call(limited));
    const refused = burst.filter((x) => !x.ok);
    expect(burst.filter((x) => x.ok).length).toBe(GROUP_PER_MINUTE);
    expect(refused.filter((x) => !/Rate limit reached: this tool group allows 20 calls per minute/.test(x.error ?? '')).map((x) => `${x.status} ${x.error}`)).toEqual([]);

    await proxy!.start();
    await eventually('/readyz ready', async () => (await readyz()).body.status === 'ready', 15_000);
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
    const after = await call(open);
    expect(echoed(after, after.requestId)).toBe(true);
  }, TEST_MS);
});
