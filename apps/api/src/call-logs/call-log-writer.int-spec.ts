// The call-log writer against real PostgreSQL: group commit, exact round trips, and outages made by cutting a TCP
// proxy between the app and the server (the shared server itself is never stopped).
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxiedDatabase } from '../../test/proxied-database';
import { createTestApp, TestApp } from '../../test/test-app';
import type { CallLogRow } from './call-log-row';
import { CallLogSpool } from './call-log-spool';
import { CallLogWriter, isConnectionError } from './call-log-writer';

/** Present in every row's arguments: no log line may ever contain it. */
const MARKER = 'secret-argument-value-4f1c';

let sequence = 0;
function row(overrides: Partial<CallLogRow> = {}): CallLogRow {
  sequence++;
  return {
    id: randomUUID(),
    // Distinct whole milliseconds, so the ISO text PostgreSQL gives back is exactly the one we sent.
    createdAt: new Date(Date.now() - 60_000 + sequence),
    tenantId: randomUUID(),
    groupId: randomUUID(),
    apiKeyId: randomUUID(),
    toolId: randomUUID(),
    toolName: 'crm.search',
    method: 'tools/call',
    sessionId: `s-${sequence}`,
    clientName: 'test-client',
    clientVersion: '1.2.3',
    callerIp: '10.0.0.1',
    arguments: { q: MARKER, n: sequence },
    resultSummary: { items: 1 },
    isError: false,
    outcome: 'ok',
    errorCode: null,
    durationMs: 12,
    upstreamDurationMs: 9,
    requestId: `req-${sequence}`,
    ...overrides,
  };
}

/** The writer's one-INSERT-per-batch method (the rows as one JSON array with their count, and which statement). */
type InsertRows = (encoded: { json: string; rows: number }, kind: 'fresh' | 'skipExisting') => Promise<void>;
const insertTarget = (writer: CallLogWriter) => writer as unknown as { insertRows: InsertRows };

/**
 * Calls of the writer's one-INSERT-per-batch method: how many started, and the rows each committed carried.
 * `delayFirstMs` holds the first INSERT back that long before it runs (a slow INSERT).
 */
function countInserts(writer: CallLogWriter, delayFirstMs = 0): { started: () => number; rows: number[]; restore: () => void } {
  const target = insertTarget(writer);
  const rows: number[] = [];
  let started = 0;
  const original = target.insertRows;
  const spy = jest.spyOn(target, 'insertRows').mockImplementation(async function (this: unknown, encoded, kind) {
    if (++started === 1 && delayFirstMs > 0) await new Promise((r) => setTimeout(r, delayFirstMs));
    await original.call(this, encoded, kind);
    rows.push(encoded.rows);
  });
  return { started: () => started, rows, restore: () => spy.mockRestore() };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 12_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function countIds(query: (sql: string, params: unknown[]) => Promise<{ n: number }[]>, ids: string[]): Promise<number> {
  const [r] = await query(`SELECT count(*)::int AS n FROM call_logs WHERE id = ANY($1::uuid[])`, [ids]);
  return r.n;
}

describe('CallLogWriter (real PostgreSQL)', () => {
  let t: TestApp;
  let writer: CallLogWriter;
  let spoolDir: string;
  const query = (sql: string, params: unknown[]) => t.db.query(sql, params);

  beforeAll(async () => {
    spoolDir = await mkdtemp(join(tmpdir(), 'toolgate-writer-spec-'));
    t = await createTestApp({ env: { CALL_LOG_SPOOL_DIR: join(spoolDir, 'spool') } });
    writer = t.app.get(CallLogWriter);
  });
  afterAll(async () => {
    await t?.close();
    await rm(spoolDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  it('commits 500 concurrent writes, all resolved, in a few multi-row INSERTs', async () => {
    const inserts = countInserts(writer);
    const rows = Array.from({ length: 500 }, () => row());
    await Promise.all(rows.map((r) => writer.write(r)));
    inserts.restore();
    expect(await countIds(query, rows.map((r) => r.id))).toBe(500);
    // CALL_LOG_BATCH_SIZE is 200: 200 + 200 + 100.
    expect(inserts.rows.reduce((a, b) => a + b, 0)).toBe(500);
    expect(inserts.rows.length).toBeLessThanOrEqual(5);
    expect(Math.max(...inserts.rows)).toBeLessThanOrEqual(200);
    expect(writer.stats()).toEqual({ queued: 0, spooledRows: 0, databaseUp: true });
  });

  it('round-trips every field: jsonb, nulls, CJK and characters that need escaping in array literals', async () => {
    const full = row({
      toolName: '顧客検索・注文照会 🔎',
      clientName: 'NULL',
      arguments: { q: `he said "hi", {a,b} \\ back\\slash NULL ${MARKER}`, 名前: '山田', list: [1, 2.5, null, true, { deep: ['x'] }], empty: {} },
      resultSummary: ['ok', { count: 3 }],
      isError: true,
      outcome: 'tool_error',
      errorCode: 'UPSTREAM_400',
      durationMs: 1234,
      upstreamDurationMs: 1200,
    });
    const sparse = row({
      tenantId: null,
      groupId: null,
      apiKeyId: null,
      toolId: null,
      toolName: null,
      method: 'tools/list',
      sessionId: null,
      clientName: null,
      clientVersion: null,
      callerIp: null,
      arguments: null,
      resultSummary: null,
      outcome: 'unauthenticated',
      upstreamDurationMs: null,
      requestId: null,
      durationMs: 0,
    });
    const scalarJson = row({ arguments: 'just a string', resultSummary: 42 });
    await Promise.all([full, sparse, scalarJson].map((r) => writer.write(r)));

    const stored: Record<string, unknown>[] = await t.db.query(`SELECT * FROM call_logs WHERE id = ANY($1::uuid[])`, [[full.id, sparse.id, scalarJson.id]]);
    const back = (r: CallLogRow) => {
      const s = stored.find((x) => x.id === r.id)!;
      return {
        id: s.id,
        createdAt: s.created_at,
        tenantId: s.tenant_id,
        groupId: s.group_id,
        apiKeyId: s.api_key_id,
        toolId: s.tool_id,
        toolName: s.tool_name,
        method: s.method,
        sessionId: s.session_id,
        clientName: s.client_name,
        clientVersion: s.client_version,
        callerIp: s.caller_ip,
        arguments: s.arguments,
        resultSummary: s.result_summary,
        isError: s.is_error,
        outcome: s.outcome,
        errorCode: s.error_code,
        durationMs: s.duration_ms,
        upstreamDurationMs: s.upstream_duration_ms,
        requestId: s.request_id,
      };
    };
    expect(back(full)).toEqual(full);
    expect(back(sparse)).toEqual(sparse);
    expect(back(scalarJson)).toEqual(scalarJson);
  });

  it('makes a row visible to a query as soon as its write resolves', async () => {
    for (let i = 0; i < 5; i++) {
      const r = row();
      await writer.write(r);
      expect(await countIds(query, [r.id])).toBe(1);
    }
  });

  it('stores a row written twice (same id and createdAt) once, in one batch or across batches, with its batch', async () => {
    const r = row();
    const others = Array.from({ length: 3 }, () => row());
    await Promise.all([writer.write(r), writer.write({ ...r }), ...others.map((o) => writer.write(o))]);
    await Promise.all([writer.write({ ...r, outcome: 'error' }), writer.write(others[0])]);
    const stored = await t.db.query(`SELECT outcome FROM call_logs WHERE id = $1`, [r.id]);
    expect(stored).toEqual([{ outcome: 'ok' }]);
    expect(await countIds(query, others.map((o) => o.id))).toBe(3);
  });

  it('keeps a batch with a bad row: the others commit, a NUL is replaced, the bad row goes to the rejected file; logs hold no values', async () => {
    const logged = (['log', 'warn', 'error'] as const).map((level) => jest.spyOn(Logger.prototype, level));
    const good = Array.from({ length: 10 }, () => row());
    const withNul = row({ toolName: 'nul\u0000name', arguments: { q: `a\u0000b ${MARKER}` } });
    const bad = row({ tenantId: 'not-a-uuid' });
    const badDate = row({ createdAt: new Date('nonsense') });
    await Promise.all([...good, withNul, bad, badDate].map((r) => writer.write(r)));

    expect(await countIds(query, [...good, withNul, bad].map((r) => r.id))).toBe(11);
    const [nul] = await t.db.query(`SELECT tool_name, arguments FROM call_logs WHERE id = $1`, [withNul.id]);
    expect(nul).toEqual({ tool_name: 'nul\uFFFDname', arguments: { q: `a\uFFFDb ${MARKER}` } });

    const rejectedFiles = (await readdir(join(spoolDir, 'spool'))).filter((f) => f.startsWith('rejected-'));
    expect(rejectedFiles).toHaveLength(1);
    const entries = (await readFile(join(spoolDir, 'spool', rejectedFiles[0]), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ error: expect.objectContaining({ code: '22P02' }), row: expect.objectContaining({ id: bad.id, tenantId: 'not-a-uuid' }) }),
        expect.objectContaining({ error: { message: expect.any(String) }, row: expect.objectContaining({ id: badDate.id }) }),
      ]),
    );
    expect(entries).toHaveLength(2);

    const errors = logged[2].mock.calls;
    expect(errors.length).toBeGreaterThan(0);
    const allLogs = JSON.stringify(logged.flatMap((s) => s.mock.calls));
    expect(allLogs).not.toContain(MARKER);
    expect(allLogs).not.toContain('not-a-uuid');
    expect(writer.stats()).toMatchObject({ databaseUp: true, spooledRows: 0 });
  });

  it('flush() waits for queued rows; stats() counts them meanwhile', async () => {
    const rows = Array.from({ length: 30 }, () => row());
    const pending = rows.map((r) => writer.write(r));
    expect(writer.stats().queued).toBe(30);
    await writer.flush();
    expect(writer.stats().queued).toBe(0);
    expect(await countIds(query, rows.map((r) => r.id))).toBe(30);
    await Promise.all(pending);
  });
});

describe('CallLogWriter batch triggers', () => {
  let slow: TestApp;
  let immediate: TestApp;
  let spoolDir: string;

  beforeAll(async () => {
    spoolDir = await mkdtemp(join(tmpdir(), 'toolgate-writer-triggers-'));
    slow = await createTestApp({ env: { CALL_LOG_SPOOL_DIR: join(spoolDir, 'a'), CALL_LOG_FLUSH_MS: '300', CALL_LOG_BATCH_SIZE: '50' } });
    immediate = await createTestApp({ env: { CALL_LOG_SPOOL_DIR: join(spoolDir, 'b'), CALL_LOG_FLUSH_MS: '0', CALL_LOG_BATCH_SIZE: '1000' } });
  });
  afterAll(async () => {
    await slow?.close();
    await immediate?.close();
    await rm(spoolDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  it('an idle writer inserts at the end of the turn: what one turn writes is one INSERT, without waiting CALL_LOG_FLUSH_MS', async () => {
    const writer = slow.app.get(CallLogWriter);
    const inserts = countInserts(writer);
    for (let round = 0; round < 3; round++) {
      const started = Date.now();
      const rows = Array.from({ length: 20 }, () => row());
      await Promise.all(rows.map((r) => writer.write(r)));
      expect(Date.now() - started).toBeLessThan(300);
      expect(await countIds((sql, params) => slow.db.query(sql, params), rows.map((r) => r.id))).toBe(20);
    }
    expect(inserts.rows).toEqual([20, 20, 20]);
  });

  it('a full batch starts at once; rows written while INSERTs run go together in the next one', async () => {
    const writer = slow.app.get(CallLogWriter);
    const inserts = countInserts(writer);
    const full = Array.from({ length: 50 }, () => writer.write(row()));
    // The 50th row started the INSERT there and then.
    expect(inserts.started()).toBe(1);
    const more = Array.from({ length: 30 }, () => writer.write(row()));
    await new Promise((r) => setImmediate(r));
    // Not beside the running INSERT: these 30 wait for it (it takes far less than CALL_LOG_FLUSH_MS).
    expect(inserts.started()).toBe(1);
    await Promise.all([...full, ...more]);
    expect(inserts.rows).toEqual([50, 30]);
  });

  it('rows that waited CALL_LOG_FLUSH_MS behind a slow INSERT go in a second one beside it', async () => {
    const writer = slow.app.get(CallLogWriter);
    const inserts = countInserts(writer, 1_500);
    const first = Array.from({ length: 5 }, () => writer.write(row()));
    await new Promise((r) => setImmediate(r));
    expect(inserts.started()).toBe(1);
    const started = Date.now();
    const second = Array.from({ length: 7 }, () => writer.write(row()));
    await Promise.all(second);
    // After the 300 ms, not after the slow INSERT's 1.5 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(inserts.rows).toEqual([7]);
    await Promise.all(first);
    expect(inserts.rows).toEqual([7, 5]);
  });

  it('with CALL_LOG_FLUSH_MS=0 flushes what was written in the same tick as one batch, round after round', async () => {
    const writer = immediate.app.get(CallLogWriter);
    const inserts = countInserts(writer);
    for (let round = 0; round < 3; round++) {
      const rows = Array.from({ length: 100 }, () => row());
      await Promise.all(rows.map((r) => writer.write(r)));
      expect(await countIds((sql, params) => immediate.db.query(sql, params), rows.map((r) => r.id))).toBe(100);
    }
    expect(inserts.rows).toEqual([100, 100, 100]);
  });
});

describe('isConnectionError', () => {
  it.each([
    ['refused', true, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['EPIPE (five capitals, not a SQLSTATE)', true, Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ['terminated', true, new Error('Connection terminated unexpectedly')],
    ['query timeout', true, new Error('Query read timeout')],
    ['pool timeout', true, new Error('timeout exceeded when trying to connect')],
    ['pool ended', true, new Error('Cannot use a pool after calling end on the pool')],
    ['admin shutdown', true, Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['starting up', true, Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['disk full on the server', true, Object.assign(new Error('could not extend file'), { code: '53100' })],
    ['invalid uuid', false, Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' })],
    ['not null', false, Object.assign(new Error('null value in column'), { code: '23502' })],
    ['a bug', false, new TypeError('x is not a function')],
  ])('%s → %s', (_, expected, err) => {
    expect(isConnectionError(err)).toBe(expected);
  });
});

describe('CallLogWriter while PostgreSQL is unreachable', () => {
  let db: Awaited<ReturnType<typeof proxiedDatabase>>;
  let t: TestApp;
  let writer: CallLogWriter;
  let spoolDir: string;

  beforeAll(async () => {
    spoolDir = await mkdtemp(join(tmpdir(), 'toolgate-writer-outage-'));
    db = await proxiedDatabase();
    // Small batches, so a replay takes several INSERTs and can be interrupted between them.
    t = await createTestApp({ env: { DATABASE_URL: db.url, CALL_LOG_SPOOL_DIR: spoolDir, CALL_LOG_BATCH_SIZE: '20' } });
    writer = t.app.get(CallLogWriter);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await rm(spoolDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  it('spools 200 writes during an outage, resolves them all, and replays them exactly once when it ends', async () => {
    await db.proxy.cut();
    const rows = Array.from({ length: 200 }, () => row());
    const started = Date.now();
    await Promise.all(rows.map((r) => writer.write(r)));
    // Straight to the spool: no connect timeout per batch.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(writer.stats()).toEqual({ queued: 0, spooledRows: 200, databaseUp: false });
    expect(t.app.get(CallLogSpool).size().rows).toBe(200);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(0);

    await db.proxy.start();
    await waitFor('the replay', async () => writer.stats().spooledRows === 0 && (await countIds(db.query, rows.map((r) => r.id))) === 200);
    expect(writer.stats().databaseUp).toBe(true);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(200);
    expect((await readdir(spoolDir)).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
  });

  it('survives a second outage in the middle of a replay: what was committed stays, the rest follows, nothing twice', async () => {
    await db.proxy.cut();
    const rows = Array.from({ length: 200 }, () => row());
    await Promise.all(rows.map((r) => writer.write(r)));
    expect(writer.stats().spooledRows).toBe(200);

    // Cut the proxy again right after the replay's third INSERT (of 20 rows) commits.
    const target = insertTarget(writer);
    const original = target.insertRows;
    let inserts = 0;
    jest.spyOn(target, 'insertRows').mockImplementation(async function (this: unknown, encoded, kind) {
      await original.call(this, encoded, kind);
      if (++inserts === 3) void db.proxy.cut();
    });
    await db.proxy.start();
    await waitFor('the interrupted replay', () => inserts >= 3 && !writer.stats().databaseUp);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(60);
    // The segment stays whole until all its rows are committed.
    expect(writer.stats().spooledRows).toBe(200);

    jest.restoreAllMocks();
    await db.proxy.start();
    await waitFor('the replay', async () => writer.stats().spooledRows === 0 && (await countIds(db.query, rows.map((r) => r.id))) === 200);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(200);
  }, 40_000);

  it('goes back to committing directly once PostgreSQL is back', async () => {
    const r = row();
    await writer.write(r);
    expect(await countIds(db.query, [r.id])).toBe(1);
    expect(writer.stats()).toEqual({ queued: 0, spooledRows: 0, databaseUp: true });
  });

  it('rejects the writes only when the spool cannot take them either (disk full), so their calls fail', async () => {
    await db.proxy.cut();
    const spool = t.app.get(CallLogSpool);
    jest.spyOn(spool, 'append').mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    const rows = Array.from({ length: 5 }, () => row());
    const results = await Promise.allSettled(rows.map((r) => writer.write(r)));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    expect(writer.stats()).toEqual({ queued: 0, spooledRows: 0, databaseUp: false });

    jest.restoreAllMocks();
    await db.proxy.start();
    await waitFor('the database to be seen again', () => writer.stats().databaseUp);
    const after = row();
    await writer.write(after);
    expect(await countIds(db.query, [after.id])).toBe(1);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(0);
  });
});

describe('CallLogWriter across a restart during an outage', () => {
  let db: Awaited<ReturnType<typeof proxiedDatabase>>;
  let spoolDir: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    spoolDir = await mkdtemp(join(tmpdir(), 'toolgate-writer-restart-'));
    db = await proxiedDatabase();
  });
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await db?.drop();
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('flushes queued rows to the spool at shutdown; the next process replays them, skipping rows a crashed replay committed', async () => {
    const env = { DATABASE_URL: db.url, CALL_LOG_SPOOL_DIR: spoolDir, CALL_LOG_FLUSH_MS: '200' };
    const first = await createTestApp({ env });
    apps.push(first);
    await db.proxy.cut();
    const rows = Array.from({ length: 50 }, () => row());
    // Not committed when the app stops (the database is cut off): the shutdown must spool them.
    const pending = rows.map((r) => first.app.get(CallLogWriter).write(r));
    expect(first.app.get(CallLogWriter).stats().queued).toBe(50);
    await first.close();
    apps.pop();
    await Promise.all(pending);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(0);

    // As if a replay had committed half of them and crashed before removing the segment.
    for (const r of rows.slice(0, 25)) {
      await db.query(`INSERT INTO call_logs (id, created_at, method, outcome) VALUES ($1, $2, $3, $4)`, [r.id, r.createdAt.toISOString(), r.method, r.outcome]);
    }

    await db.proxy.start();
    const second = await createTestApp({ env });
    apps.push(second);
    const writer = second.app.get(CallLogWriter);
    await waitFor('the replay at boot', async () => writer.stats().spooledRows === 0 && (await countIds(db.query, rows.map((r) => r.id))) === 50);
    expect(await countIds(db.query, rows.map((r) => r.id))).toBe(50);
    // The rows a replay had already committed were kept as they were, not written again.
    const [kept] = await db.query(`SELECT count(*)::int AS n FROM call_logs WHERE id = ANY($1::uuid[]) AND tool_name IS NULL`, [rows.map((r) => r.id)]);
    expect(kept.n).toBe(25);
  });
});
