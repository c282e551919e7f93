// SECURITY 29: SIGTERM under load, against the real built API as a child process. Readiness turns false first,
// in-flight calls finish, new requests are refused cleanly, every acknowledged call has its log row, and the
// process exits 0 within the grace period.
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltApi, ensureApiBuilt, startBuiltApi } from '../test/built-api';
import { createEchoEndpoint, createGroup, createKey, createTenant } from '../test/factories';
import { BOTH, modernHeaders, modernRequest } from '../test/mcp-raw';
import { allowLoopback, createSource, expose, toolsOf } from '../test/sources';
import { createTestApp, TEST_SECRET, TestApp } from '../test/test-app';
import { createDatabase, dropDatabase, TEMPLATE_ENV, uniqueDbName } from '../test/test-database';
import { startTestUpstream, TestUpstream, waitFor } from '../test/upstreams';
import { CallLogWriter } from './call-logs/call-log-writer';
import { gracefulShutdown } from './graceful-shutdown';
import { CallPipeline } from './mcp/pipeline/call-pipeline';

const GRACE_MS = 10_000;
const WORKERS = 16;
const TOOL = 'slowup__slow-echo';

interface Attempt {
  requestId: string;
  sentAt: number;
  doneAt: number;
  /** HTTP status, or null when the connection failed. */
  status: number | null;
  succeeded: boolean;
  body: any;
  retryAfter: string | null;
  connection: string | null;
  error?: string;
}

describe('graceful shutdown of the built API under load (SECURITY 29)', () => {
  jest.setTimeout(60_000);
  let dbName: string;
  let dbUrl: string;
  let upstream: TestUpstream;
  let api: BuiltApi | undefined;
  let key: string;
  let serverCode: string;

  beforeAll(async () => {
    ensureApiBuilt();
    upstream = await startTestUpstream();
    dbName = uniqueDbName('shutdown');
    dbUrl = await createDatabase(dbName, process.env[TEMPLATE_ENV]);
    // Set up through the real admin API in process, on the database the child will use.
    const t = await createTestApp({ env: { DATABASE_URL: dbUrl } });
    try {
      const tenant = await createTenant(t);
      await allowLoopback(t, tenant);
      const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'slowup', config: { urls: [upstream.url] } });
      const group = await createGroup(t, tenant);
      await expose(t, tenant, group.id, [(await toolsOf(t, tenant, source.id)).get(TOOL)!.id]);
      key = (await createKey(t, tenant, group.id)).plaintext;
      serverCode = group.serverCode;
    } finally {
      await t.close();
    }
    api = await startBuiltApi({
      NODE_ENV: 'test',
      DATABASE_URL: dbUrl,
      TOOLGATE_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      CALL_LOG_SPOOL_DIR: join(tmpdir(), `toolgate-spool-${dbName}`),
      ROLLUP_INTERVAL_MS: '0',
      SOURCE_REFRESH_TICK_MS: '0',
    });
  });

  afterAll(async () => {
    if (api && api.child.exitCode === null && api.child.signalCode === null) api.child.kill('SIGKILL');
    await upstream?.close();
    if (dbName) await dropDatabase(dbName);
  });

  function call(n: string): Promise<Attempt> {
    const requestId = `shutdown-${n}`;
    const sentAt = Date.now();
    return fetch(`${api!.url}/mcp/${serverCode}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: BOTH, 'X-Request-Id': requestId, ...modernHeaders('tools/call', TOOL) },
      body: JSON.stringify(modernRequest(1, 'tools/call', { name: TOOL, arguments: { text: n } })),
      signal: AbortSignal.timeout(5_000),
    }).then(
      async (res) => {
        const body: any = await res.json().catch(() => null);
        const succeeded = res.status === 200 && body?.result?.isError !== true && body?.result?.content?.[0]?.text === `echo: ${n}`;
        return { requestId, sentAt, doneAt: Date.now(), status: res.status, succeeded, body, retryAfter: res.headers.get('retry-after'), connection: res.headers.get('connection') };
      },
      (err: Error) => ({ requestId, sentAt, doneAt: Date.now(), status: null, succeeded: false, body: null, retryAfter: null, connection: null, error: `${err.name}: ${(err.cause as Error)?.message ?? err.message}` }),
    );
  }

  it('turns not ready, finishes in-flight calls with their log rows, refuses new ones, and exits 0 within the grace period', async () => {
    const attempts: Attempt[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const a = await call(`${w}-${i}`);
        attempts.push(a);
        // Refused (503) or the connection is gone: this replica is done for this client.
        if (!a.succeeded) return;
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    // Under load: every worker has had answers (the first calls also open the upstream session).
    await waitFor('calls flowing', () => attempts.filter((a) => a.succeeded).length >= WORKERS * 2, 15_000);
    expect(attempts.filter((a) => !a.succeeded)).toEqual([]);

    const sigtermAt = Date.now();
    api!.child.kill('SIGTERM');
    // Readiness first: 503 while the process still runs.
    let readyz: { status: number; body: any } | null = null;
    while (!readyz && api!.child.exitCode === null) {
      const res = await fetch(`${api!.url}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
      if (res && res.status !== 200) readyz = { status: res.status, body: await res.json() };
    }
    expect(readyz).toEqual({ status: 503, body: { status: 'shutting_down', reason: 'SIGTERM received' } });
    // A new request after SIGTERM: a clean, prompt refusal (503 JSON-RPC error, or the listener already closed).
    const late = await call('late');
    expect(late.succeeded).toBe(false);
    expect(late.doneAt - late.sentAt).toBeLessThan(3_000);
    if (late.status !== null) {
      expect(late.status).toBe(503);
      expect(late.retryAfter).toBe('1');
      expect(late.body).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number), message: expect.stringMatching(/shutting down/) } });
    } else {
      expect(late.error).toMatch(/ECONNREFUSED|other side closed|socket/i);
    }

    const exit = await api!.exited;
    stop = true;
    await load;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.at - sigtermAt).toBeLessThan(GRACE_MS);
    expect(api!.output()).toMatch(/shutdown complete in \d+ ms/);

    // Calls that were in flight when SIGTERM came finished normally.
    const inFlight = attempts.filter((a) => a.sentAt < sigtermAt && a.doneAt > sigtermAt);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((a) => !a.succeeded).map((a) => a.error ?? a.status)).toEqual([]);
    // Answered after the signal was surely handled: with Connection: close, so the client does not reuse the connection.
    const closing = inFlight.filter((a) => a.doneAt - sigtermAt > 100);
    expect(closing.length).toBeGreaterThan(0);
    expect(closing.map((a) => a.connection)).toEqual(closing.map(() => 'close'));
    // Every refusal was clean: a 503 with Retry-After, or a closed connection; none hung.
    for (const a of attempts.filter((x) => !x.succeeded)) {
      expect(a.status === 503 ? a.retryAfter : a.error).toBeTruthy();
      expect(a.doneAt - a.sentAt).toBeLessThan(GRACE_MS);
    }

    // Every call the client saw succeed has its log row (committed before exit, not left in a spool).
    const ok = attempts.filter((a) => a.succeeded).map((a) => a.requestId);
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT request_id FROM call_logs WHERE request_id = ANY($1) AND outcome = 'ok'`, [ok]);
      expect(new Set(rows.map((r: { request_id: string }) => r.request_id))).toEqual(new Set(ok));
    } finally {
      await db.end();
    }
  });
});

describe('graceful shutdown when the grace period runs out (in process)', () => {
  let t: TestApp;
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    t = await createTestApp({ listen: true });
  });
  afterAll(async () => {
    await upstream.close();
    // The app is closed already; this drops its database.
    await t.close().catch(() => dropDatabase(new URL(t.env.DATABASE_URL).pathname.slice(1)));
  });

  it('cuts a call that outlives it, names what was cut, still logs the cut call, and resolves to exit code 1', async () => {
    const tenant = await createTenant(t);
    await allowLoopback(t, tenant);
    const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'hangup', config: { urls: [upstream.url] } });
    const group = await createGroup(t, tenant);
    await expose(t, tenant, group.id, [(await toolsOf(t, tenant, source.id)).get('hangup__hang')!.id]);
    const key = (await createKey(t, tenant, group.id)).plaintext;
    const errors: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    try {
      const hanging = fetch(`${t.url}/mcp/${group.serverCode}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: BOTH, 'X-Request-Id': 'cut-call', ...modernHeaders('tools/call', 'hangup__hang') },
        body: JSON.stringify(modernRequest(1, 'tools/call', { name: 'hangup__hang', arguments: {} })),
      }).then(
        (res) => `status ${res.status}`,
        (err: Error) => `failed: ${(err.cause as Error)?.message ?? err.message}`,
      );
      const pipeline = t.app.get(CallPipeline);
      await waitFor('the call in flight', () => pipeline.inFlight === 1);

      const started = Date.now();
      const code = await gracefulShutdown(t.app, 'test', 2_000);
      expect(code).toBe(1);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(errors.join('\n')).toMatch(/grace period of 2000 ms ran out after \d+ ms; cut: 1 tools\/call still running; 1 HTTP connections still open/);
      // The client saw its connection end, not an answer.
      expect(await hanging).toMatch(/^failed: /);
      // The cut call was cancelled and its row committed before the pool closed.
      const db = new Client({ connectionString: t.env.DATABASE_URL });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT outcome FROM call_logs WHERE request_id = 'cut-call'`);
        expect(rows).toEqual([{ outcome: 'cancelled' }]);
      } finally {
        await db.end();
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('graceful shutdown when PostgreSQL cannot take the call log in time (in process)', () => {
  let t: TestApp;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterAll(async () => {
    release?.();
    await new Promise((r) => setTimeout(r, 500));
    await t.close().catch(() => dropDatabase(new URL(t.env.DATABASE_URL).pathname.slice(1)));
  });

  it('spools the rows it could not commit, names that in the log line, and resolves to exit code 1', async () => {
    const tenant = await createTenant(t);
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
    const writer = t.app.get(CallLogWriter);
    // Every INSERT hangs, as against a PostgreSQL that stopped answering (until the test releases it).
    const stuck = new Promise<never>((_, reject) => (release = () => reject(Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' }))));
    stuck.catch(() => undefined);
    (writer as unknown as { run: () => Promise<void> }).run = () => stuck;
    const errors: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    try {
      const answer = fetch(`${t.url}/mcp/${group.serverCode}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${plaintext}`, 'Content-Type': 'application/json', Accept: BOTH, 'X-Request-Id': 'spooled-call', ...modernHeaders('tools/call', 'echo') },
        body: JSON.stringify(modernRequest(1, 'tools/call', { name: 'echo', arguments: { text: 'never acknowledged' } })),
      }).then(
        (res) => `status ${res.status}`,
        (err: Error) => `failed: ${(err.cause as Error)?.message ?? err.message}`,
      );
      await waitFor('the row waiting for its INSERT', () => writer.stats().queued === 1);

      const started = Date.now();
      expect(await gracefulShutdown(t.app, 'test', 3_000)).toBe(1);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(errors.join('\n')).toMatch(/cut: 1 tools\/call still running; 1 HTTP connections still open; call-log flush \(1 rows spooled for replay\)/);
      // The call was never acknowledged; its row is on disk for the next run to replay.
      expect(await answer).toMatch(/^failed: /);
      const dir = t.env.CALL_LOG_SPOOL_DIR;
      const spooled = readdirSync(dir).filter((f) => f.startsWith('spool-')).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
      expect(spooled).toContain('"requestId":"spooled-call"');
    } finally {
      spy.mockRestore();
    }
  });
});
