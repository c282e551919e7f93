// GET /api/v1/call-logs against real PostgreSQL: tenant scoping, filters and keyset pages newest first.
import { randomUUID } from 'node:crypto';
import { addMember, auth, createTenant, TestTenant, TestUser } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';

interface Row {
  id: string;
  /** Microseconds since the epoch: exact, unlike a JS Date. */
  micros: bigint;
  tenantId: string;
  groupId: string;
  keyId: string;
  toolId: string | null;
  toolName: string | null;
  method: string;
  outcome: string;
}

const OUTCOMES = ['ok', 'ok', 'tool_error', 'denied', 'timeout'];

const isoOf = (micros: bigint) => new Date(Number(micros / 1000n)).toISOString();

/** PostgreSQL's order: created_at DESC, id DESC (uuid order is the order of its lowercase text). */
const newestFirst = (a: Row, b: Row) => (a.micros !== b.micros ? (a.micros > b.micros ? -1 : 1) : a.id > b.id ? -1 : a.id < b.id ? 1 : 0);

describe('GET /api/v1/call-logs (real PostgreSQL)', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let auditor: TestUser;
  let viewer: TestUser;
  const rows: Row[] = [];
  // An hour ago, to the second; row times are offsets from it in microseconds.
  const baseMicros = BigInt(Math.floor(Date.now() / 1000) - 3600) * 1_000_000n;
  const ids = { g1: randomUUID(), g2: randomUUID(), k1: randomUUID(), k2: randomUUID(), k3: randomUUID(), t1: randomUUID(), t2: randomUUID() };
  /** Several rows share this instant exactly, and two more sit 1 µs either side: only the id breaks the tie. */
  const tieMicros = baseMicros - 600_000_123n;

  function makeRows(tenantId: string, group1: string, group2: string): Row[] {
    const made: Row[] = [];
    for (let i = 0; i < 30; i++) {
      const inG1 = i % 3 !== 2;
      // Odd rows sit a few microseconds off the millisecond; even rows on it, usable as exact from/to bounds.
      let micros = baseMicros - BigInt(i) * 97_000_000n - BigInt(i % 2 ? i * 7 : 0);
      if (i >= 10 && i <= 15) micros = tieMicros; // six rows at one instant
      if (i === 16) micros = tieMicros + 1n;
      if (i === 17) micros = tieMicros - 1n;
      if (i >= 27) micros = baseMicros - BigInt(40 + i) * 86_400_000_000n; // last month or earlier: another partition
      const tool = i % 4 === 3 ? null : i % 2 === 0 ? { id: ids.t1, name: 'crm.search' } : { id: ids.t2, name: 'crm.update' };
      made.push({
        id: randomUUID(),
        micros,
        tenantId,
        groupId: inG1 ? group1 : group2,
        keyId: inG1 ? (i % 2 === 0 ? ids.k1 : ids.k2) : ids.k3,
        toolId: tool?.id ?? null,
        toolName: tool?.name ?? null,
        method: tool ? 'tools/call' : 'tools/list',
        outcome: OUTCOMES[i % OUTCOMES.length],
      });
    }
    return made;
  }

  async function insert(batch: Row[]): Promise<void> {
    const params: unknown[] = [];
    const values = batch.map((r) => {
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      return `(${p(r.id)}, to_timestamp(0) + (${p(r.micros.toString())} || ' microseconds')::interval, ${p(r.tenantId)}, ${p(r.groupId)}, ${p(r.keyId)}, ${p(r.toolId)}, ${p(r.toolName)}, ${p(r.method)}, ${p(r.outcome)}, ${p(r.outcome !== 'ok')}, ${p(Number(r.micros % 500n))})`;
    });
    await t.db.query(
      `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, outcome, is_error, duration_ms) VALUES ${values.join(', ')}`,
      params,
    );
  }

  const get = (query: Record<string, string | number>, user: TestUser = a.owner, tenant: TestTenant = a) =>
    t.http().get('/api/v1/call-logs').query(query).set(auth(user.token, tenant.id));

  /** Follows nextCursor to the end; returns every page's ids. */
  async function allPages(query: Record<string, string | number>): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await get(cursor ? { ...query, cursor } : query);
      expect(res.status).toBe(200);
      pages.push(res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      if (pages.length > 100) throw new Error('pagination does not end');
    } while (cursor);
    return pages;
  }

  const aRows = () => rows.filter((r) => r.tenantId === a.id).sort(newestFirst);
  const expectIds = (matching: (r: Row) => boolean) => aRows().filter(matching).map((r) => r.id);

  beforeAll(async () => {
    t = await createTestApp();
    [a, b] = [await createTenant(t), await createTenant(t)];
    auditor = await addMember(t, a, 'auditor');
    viewer = await addMember(t, a, 'viewer');
    // Tenant B's rows reuse A's group, key and tool ids and A's times: only the tenant tells them apart.
    rows.push(...makeRows(a.id, ids.g1, ids.g2), ...makeRows(b.id, ids.g1, randomUUID()));
    await insert(rows);
  });
  afterAll(() => t.close());

  it('lists the tenant’s rows newest first, ties on created_at broken by id, in the documented shape', async () => {
    const res = await get({ limit: 500 });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(expectIds(() => true));
    const first = aRows()[0];
    expect(res.body.items[0]).toEqual({
      id: first.id,
      createdAt: isoOf(first.micros),
      groupId: first.groupId,
      apiKeyId: first.keyId,
      toolId: first.toolId,
      toolName: first.toolName,
      method: first.method,
      sessionId: null,
      clientName: null,
      clientVersion: null,
      callerIp: null,
      arguments: null,
      resultSummary: null,
      isError: first.outcome !== 'ok',
      outcome: first.outcome,
      errorCode: null,
      durationMs: Number(first.micros % 500n),
      upstreamDurationMs: null,
      requestId: null,
    });
  });

  it('pages with limit 7 through every row exactly once, across equal timestamps, ending with nextCursor null', async () => {
    const pages = await allPages({ limit: 7 });
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expectIds(() => true));
  });

  it('does not end with an empty page when the rows fill the last page exactly', async () => {
    const pages = await allPages({ limit: 10 });
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10]);
    // The six rows at one instant straddle a page boundary for limit 4 (rows 10–15 sit at positions 10–17).
    const small = await allPages({ limit: 4 });
    expect(small.flat()).toEqual(expectIds(() => true));
  });

  it('pages within a filter as well', async () => {
    const pages = await allPages({ outcome: 'ok', limit: 3 });
    expect(pages.flat()).toEqual(expectIds((r) => r.outcome === 'ok'));
  });

  it.each([
    ['groupId', () => ids.g1, (r: Row) => r.groupId === ids.g1],
    ['groupId', () => ids.g2, (r: Row) => r.groupId === ids.g2],
    ['keyId', () => ids.k2, (r: Row) => r.keyId === ids.k2],
    ['keyId', () => ids.k3, (r: Row) => r.keyId === ids.k3],
    ['toolId', () => ids.t1, (r: Row) => r.toolId === ids.t1],
    ['toolName', () => 'crm.update', (r: Row) => r.toolName === 'crm.update'],
    ['outcome', () => 'tool_error', (r: Row) => r.outcome === 'tool_error'],
    ['outcome', () => 'timeout', (r: Row) => r.outcome === 'timeout'],
  ])('filters by %s exactly', async (name, value, matching) => {
    const expected = expectIds(matching);
    expect(expected.length).toBeGreaterThan(0);
    const res = await get({ [name]: value(), limit: 500 });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(expected);
  });

  it('combines filters', async () => {
    const res = await get({ groupId: ids.g1, toolName: 'crm.search', outcome: 'ok', limit: 500 });
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(expectIds((r) => r.groupId === ids.g1 && r.toolName === 'crm.search' && r.outcome === 'ok'));
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const sorted = aRows();
    // Boundaries exactly on two rows' times (whole milliseconds, so the ISO form is exact).
    const onMillisecond = (from: number) => sorted.slice(from).find((r) => r.micros % 1000n === 0n)!;
    const fromRow = onMillisecond(20);
    const toRow = onMillisecond(3);
    const res = await get({ from: isoOf(fromRow.micros), to: isoOf(toRow.micros), limit: 500 });
    expect(res.status).toBe(200);
    const expected = expectIds((r) => r.micros >= fromRow.micros && r.micros < toRow.micros);
    expect(expected).toContain(fromRow.id);
    expect(expected).not.toContain(toRow.id);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(expected);

    // An offset other than Z means the same instant.
    const fromMs = Number(fromRow.micros / 1000n) + 2 * 3600_000;
    const withOffset = new Date(fromMs).toISOString().replace('Z', '+02:00');
    const same = await get({ from: withOffset, to: isoOf(toRow.micros), limit: 500 });
    expect(same.body.items.map((i: { id: string }) => i.id)).toEqual(expected);

    // Only from: everything since then, the six rows at one instant included.
    const since = await get({ from: isoOf(tieMicros + 1n), limit: 500 });
    expect(since.body.items.map((i: { id: string }) => i.id)).toEqual(expectIds((r) => r.micros >= ((tieMicros + 1n) / 1000n) * 1000n));
  });

  it('never shows another tenant’s rows, even when filtering by ids both tenants share', async () => {
    const bIds = new Set(rows.filter((r) => r.tenantId === b.id).map((r) => r.id));
    const queries: Record<string, string | number>[] = [{ limit: 500 }, { groupId: ids.g1, limit: 500 }, { keyId: ids.k1, limit: 500 }, { toolName: 'crm.search', limit: 500 }];
    for (const query of queries) {
      const res = await get(query);
      expect(res.status).toBe(200);
      expect(res.body.items.filter((i: { id: string }) => bIds.has(i.id))).toEqual([]);
    }
    // B sees exactly its own.
    const own = await get({ limit: 500 }, b.owner, b);
    expect(new Set(own.body.items.map((i: { id: string }) => i.id))).toEqual(bIds);
    // A cursor taken in B leads nowhere into B's rows when used by A.
    const bPage = await get({ limit: 5 }, b.owner, b);
    const crossed = await get({ limit: 500, cursor: bPage.body.nextCursor });
    expect(crossed.status).toBe(200);
    expect(crossed.body.items.filter((i: { id: string }) => bIds.has(i.id))).toEqual([]);
    // A's owner naming B's tenant is refused.
    const other = await get({ limit: 5 }, a.owner, b);
    expect(other.status).toBe(403);
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor!!'],
    ['JSON but not a pair', Buffer.from('{"a":1}').toString('base64url')],
    ['a non-date', Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')],
    ['a date PostgreSQL cannot read', Buffer.from(JSON.stringify(['1 2', randomUUID()])).toString('base64url')],
    ['an impossible day', Buffer.from(JSON.stringify(['2025-02-30 10:00:00+00', randomUUID()])).toString('base64url')],
    ['a non-uuid id', Buffer.from(JSON.stringify(['2025-06-01 10:00:00.123456+00', 'not-a-uuid'])).toString('base64url')],
  ])('refuses an invalid cursor (%s) with 400 INVALID_CURSOR', async (_, cursor) => {
    const res = await get({ cursor });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_CURSOR', requestId: expect.any(String) });
  });

  it.each([
    [{ limit: 501 }, 'limit'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 'many' }, 'limit'],
    [{ outcome: 'bogus' }, 'outcome'],
    [{ groupId: 'not-a-uuid' }, 'groupId'],
    [{ from: 'yesterday' }, 'from'],
    [{ tenantId: randomUUID() }, 'tenantId'],
  ])('refuses a bad query %j with 422 naming the field', async (query, field) => {
    const res = await get(query as Record<string, string | number>);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(field);
  });

  it('lets an auditor read the call log and refuses a viewer with 403', async () => {
    const asAuditor = await get({ limit: 500 }, auditor);
    expect(asAuditor.status).toBe(200);
    expect(asAuditor.body.items).toHaveLength(30);
    const asViewer = await get({ limit: 5 }, viewer);
    expect(asViewer.status).toBe(403);
    expect(asViewer.body.error.code).toBe('FORBIDDEN');
    expect((await t.http().get('/api/v1/call-logs')).status).toBe(401);
  });

  it('answers a tenant’s newest-first page from an index, not a sequential scan, once the log is large', async () => {
    // 30,000 rows of other tenants spread over this month and last: enough that a scan would be the wrong plan.
    await t.db.query(
      `INSERT INTO call_logs (id, created_at, tenant_id, method, outcome)
       SELECT gen_random_uuid(), now() - (i % 2000) * interval '20 minutes', ('00000000-0000-4000-8000-' || lpad(to_hex(i % 50), 12, '0'))::uuid, 'tools/call', 'ok'
       FROM generate_series(1, 30000) AS i`,
    );
    await t.db.query('ANALYZE call_logs');
    const partitionsWithRows = async (): Promise<string[]> =>
      (await t.db.query(`SELECT DISTINCT tableoid::regclass::text AS part FROM call_logs`)).map((r: { part: string }) => r.part);
    // Empty partitions may be scanned (that costs nothing); a partition holding rows must be read through the tenant index.
    const expectIndexedPlan = (text: string, withRows: string[]) => {
      expect(withRows.length).toBeGreaterThanOrEqual(2);
      const scanned = [...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
      expect(scanned.filter((p) => withRows.includes(p))).toEqual([]);
      expect(text).toMatch(/Index Scan (using|on) call_logs_\w+_tenant_id_created_at_id_idx/);
    };
    const plan = async (sql: string, params: unknown[]) =>
      (await t.db.query(`EXPLAIN ${sql}`, params)).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    const newest = await plan(`SELECT * FROM call_logs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 51`, [a.id]);
    expectIndexedPlan(newest, await partitionsWithRows());
    const ranged = await plan(`SELECT * FROM call_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at DESC, id DESC LIMIT 51`, [
      a.id,
      isoOf(baseMicros - 86_400_000_000n),
      isoOf(baseMicros),
    ]);
    expectIndexedPlan(ranged, await partitionsWithRows());
    // The API still answers the same rows with the extra data present.
    const res = await get({ limit: 500 });
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(expectIds(() => true));
  });
});

describe('call-log time filters outside the representable range', () => {
  let t: TestApp;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t);
  });
  afterAll(() => t.close());

  it('answer 422 for year 0000, never a 500', async () => {
    const res = await t.http().get('/api/v1/call-logs').query({ from: '0000-01-01T00:00:00Z' }).set(auth(tenant.owner.token, tenant.id));
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/from/);
  });
});
