// The dashboards' statistics against a hand-computed data set, and the rollup's exactly-once guarantees.
import { randomUUID } from 'node:crypto';
import { addMember, auth, createEchoEndpoint, createGroup, createKey, createTenant, createTool, TestTenant } from '../../../test/factories';
import { statelessClient } from '../../../test/mcp-clients';
import { createTestApp, TestApp } from '../../../test/test-app';
import { AppConfigService } from '../../config/app-config.service';
import { CallStatsRollup } from './call-stats-rollup';
import { LATENCY_BOUNDS, latencyBucket } from './latency-histogram';

const MINUTE = 60_000;
const HOUR = 3600_000;

interface Seed {
  at: number;
  tenantId: string;
  groupId: string;
  keyId: string;
  toolId: string | null;
  toolName: string;
  ms: number;
  error?: boolean;
}

describe('GET /api/v1/stats and the call-stats rollup (real PostgreSQL)', () => {
  let t: TestApp;
  let rollup: CallStatsRollup;
  let a: TestTenant;
  let b: TestTenant;
  const g: Record<string, { id: string; name: string }> = {};
  const k: Record<string, { id: string; prefix: string }> = {};
  const tool: Record<string, { id: string; name: string }> = {};
  /** Five hours before the current hour: rows sit in the past, whole hours from here. */
  const base = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
  const iso = (ms: number) => new Date(ms).toISOString();

  async function insert(rows: Seed[]): Promise<void> {
    for (const r of rows) {
      await t.db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, outcome, is_error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'tools/call', $8, $9, $10)`,
        [randomUUID(), iso(r.at), r.tenantId, r.groupId, r.keyId, r.toolId, r.toolName, r.error ? 'tool_error' : 'ok', !!r.error, r.ms],
      );
    }
  }

  const stats = (query: Record<string, string | number>, tenant = a, token = tenant.owner.token) =>
    t.http().get('/api/v1/stats').query(query).set(auth(token, tenant.id));

  const totalRolledUp = async (tenantId: string): Promise<number> =>
    Number((await t.db.query(`SELECT coalesce(sum(calls), 0)::int AS n FROM call_stats_minute WHERE tenant_id = $1`, [tenantId]))[0].n);

  /** The three rollup tables of a tenant next to the same aggregates computed from call_logs: they must be equal. */
  async function expectRollupsExact(tenantId: string): Promise<void> {
    const q = (sql: string) => t.db.query(sql, [tenantId]);
    const perBucket = (width: string) => `
      SELECT date_bin('${width}', created_at, TIMESTAMPTZ 'epoch') AS ts, group_id, count(*)::int AS calls, count(*) FILTER (WHERE is_error)::int AS errors,
             sum(duration_ms)::bigint::text AS s, max(duration_ms) AS mx,
             toolgate_histogram(array_agg(toolgate_latency_bucket(duration_ms)), array_agg(1::bigint)) AS hist
      FROM call_logs WHERE tenant_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`;
    const rolled = (table: string, column: string) =>
      `SELECT ${column} AS ts, group_id, calls, errors, duration_sum_ms::text AS s, duration_max_ms AS mx, latency_hist AS hist FROM ${table} WHERE tenant_id = $1 ORDER BY 1, 2`;
    expect(await q(rolled('call_stats_minute', 'minute'))).toEqual(await q(perBucket('1 minute')));
    expect(await q(rolled('call_stats_hour', 'hour'))).toEqual(await q(perBucket('1 hour')));
    expect(
      await q(`SELECT hour, group_id, api_key_id, tool_id, tool_name, calls, errors FROM call_stats_usage_hour WHERE tenant_id = $1 ORDER BY 1, 2, 3, 4, 5`),
    ).toEqual(
      await q(`SELECT date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch') AS hour, group_id, api_key_id, tool_id, tool_name, count(*)::int AS calls,
                      count(*) FILTER (WHERE is_error)::int AS errors
               FROM call_logs WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`),
    );
  }

  /** The hand-computed data set: 11 calls of tenant A over three hours (and the same again in tenant B). */
  function dataSet(tenantId: string, ids: { g1: string; g2: string; k1: string; k2: string; t1: string; t2: string }): Seed[] {
    const row = (at: number, group: 'g1' | 'g2', ms: number, toolId: string | null, toolName: string, error = false): Seed => ({
      at,
      tenantId,
      groupId: ids[group],
      keyId: group === 'g1' ? ids.k1 : ids.k2,
      toolId,
      toolName,
      ms,
      error,
    });
    return [
      // Hour 0, minute 0: six calls of t1 through g1/k1, two of them errors.
      ...[0, 1, 2, 3, 10, 100].map((ms, i) => row(base + 10_000 + i, 'g1', ms, ids.t1, 't1-asked', i === 2 || i === 5)),
      // Hour 0, minute 1: two calls of t2 (g1/k1) and a slow failing t1 call through g2/k2.
      row(base + MINUTE + 5_000, 'g1', 50, ids.t2, 't2-asked'),
      row(base + MINUTE + 6_000, 'g1', 60, ids.t2, 't2-asked'),
      row(base + MINUTE + 30_000, 'g2', 1000, ids.t1, 't1-alias', true),
      // Hour 1, minute 1: a call to a name that is no tool.
      row(base + HOUR + MINUTE, 'g2', 5, null, 'nope', true),
      // Hour 2, its last millisecond.
      row(base + 3 * HOUR - 1, 'g1', 7, ids.t1, 't1-asked'),
    ];
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { ROLLUP_INTERVAL_MS: '0' }, listen: true });
    rollup = t.app.get(CallStatsRollup);
    [a, b] = [await createTenant(t), await createTenant(t)];
    for (const name of ['g1', 'g2']) g[name] = await createGroup(t, a, { name: `Group ${name} ${randomUUID().slice(0, 4)}` });
    k.k1 = (await createKey(t, a, g.g1.id, { name: 'key one' })).key;
    k.k2 = (await createKey(t, a, g.g2.id, { name: 'key two' })).key;
    tool.t1 = await createTool(t, a);
    tool.t2 = await createTool(t, a);
    const ids = { g1: g.g1.id, g2: g.g2.id, k1: k.k1.id, k2: k.k2.id, t1: tool.t1.id, t2: tool.t2.id };
    // Tenant B has the same rows under A's ids: only the tenant tells them apart.
    await insert([...dataSet(a.id, ids), ...dataSet(b.id, ids)]);
  });
  afterAll(() => t.close());

  /** What every view of the three hours must answer, rolled up or not. */
  async function expectHandComputed(): Promise<void> {
    const res = await stats({ from: iso(base), to: iso(base + 3 * HOUR), bucket: '1h' });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ from: iso(base), to: iso(base + 3 * HOUR), bucket: '1h', bucketSeconds: 3600, groupId: null });
    expect(body.series.map((p: { t: string; calls: number; errors: number }) => [p.t, p.calls, p.errors])).toEqual([
      [iso(base), 9, 3],
      [iso(base + HOUR), 1, 1],
      [iso(base + 2 * HOUR), 1, 0],
    ]);
    // Durations, sorted: 0 1 2 3 5 7 10 50 60 100 1000. p50 = the 6th = 7 (a one-value bucket: exact); p95 = p99 = 1000.
    expect(body.totals).toMatchObject({ calls: 11, errors: 4, errorRate: 4 / 11, p50: 7 });
    expect(latencyBucket(body.totals.p95)).toBe(latencyBucket(1000));
    expect(latencyBucket(body.totals.p99)).toBe(latencyBucket(1000));
    // Hour 0: 0 1 2 3 10 100 50 60 1000 → p50 = the 5th = 10 (bucket [10, 12)).
    expect(latencyBucket(body.series[0].p50)).toBe(latencyBucket(10));
    expect(body.series[1]).toMatchObject({ p50: 5, p95: 5, p99: 5 });
    expect(body.topTools).toEqual([
      { toolId: tool.t1.id, toolName: tool.t1.name, calls: 8, errors: 3 },
      { toolId: tool.t2.id, toolName: tool.t2.name, calls: 2, errors: 0 },
      { toolId: null, toolName: 'nope', calls: 1, errors: 1 },
    ]);
    expect(body.topKeys).toEqual([
      { keyId: k.k1.id, groupId: g.g1.id, name: 'key one', prefix: k.k1.prefix, calls: 9, errors: 2 },
      { keyId: k.k2.id, groupId: g.g2.id, name: 'key two', prefix: k.k2.prefix, calls: 2, errors: 2 },
    ]);
    expect(body.groups).toEqual([
      { groupId: g.g1.id, name: g.g1.name, calls: 9, errors: 2, errorRate: 2 / 9, p50: 7, p95: expect.any(Number), p99: expect.any(Number) },
      { groupId: g.g2.id, name: g.g2.name, calls: 2, errors: 2, errorRate: 1, p50: 5, p95: expect.any(Number), p99: expect.any(Number) },
    ]);
    // g1: 0 1 2 3 7 10 50 60 100 → p50 = 7, p95 = p99 = 100.
    expect(latencyBucket(body.groups[0].p95)).toBe(latencyBucket(100));

    // One group only: its own numbers everywhere.
    const g2 = (await stats({ from: iso(base), to: iso(base + 3 * HOUR), bucket: '1h', groupId: g.g2.id })).body;
    expect(g2.series.map((p: { calls: number }) => p.calls)).toEqual([1, 1, 0]);
    expect(g2.series[2]).toMatchObject({ calls: 0, errors: 0, p50: null, p95: null, p99: null });
    expect(g2.totals).toMatchObject({ calls: 2, errors: 2, errorRate: 1 });
    // A tie (one call, one error each): by name.
    expect(g2.topTools.map((x: { toolName: string; calls: number }) => [x.toolName, x.calls])).toEqual([
      ['nope', 1],
      [tool.t1.name, 1],
    ]);
    expect(g2.topKeys.map((x: { keyId: string }) => x.keyId)).toEqual([k.k2.id]);
    expect(g2.groups.map((x: { groupId: string }) => x.groupId)).toEqual([g.g2.id]);

    // Minute buckets over a range that is not hour-aligned at its end: minute rollups, and top lists from the hourly
    // rollup plus the partial hour read from call_logs.
    const minutes = (await stats({ from: iso(base), to: iso(base + HOUR + 2 * MINUTE), bucket: '1m' })).body;
    expect(minutes.series).toHaveLength(62);
    expect(minutes.series.filter((p: { calls: number }) => p.calls > 0).map((p: { t: string; calls: number; errors: number }) => [p.t, p.calls, p.errors])).toEqual([
      [iso(base), 6, 2],
      [iso(base + MINUTE), 3, 1],
      [iso(base + HOUR + MINUTE), 1, 1],
    ]);
    expect(minutes.series[0]).toMatchObject({ p50: 2 });
    expect(minutes.totals).toMatchObject({ calls: 10, errors: 4 });
    expect(minutes.topTools.map((x: { toolName: string; calls: number }) => [x.toolName, x.calls])).toEqual([
      [tool.t1.name, 7],
      [tool.t2.name, 2],
      ['nope', 1],
    ]);
    // Entirely inside one hour: raw rows only.
    const inside = (await stats({ from: iso(base + MINUTE), to: iso(base + 2 * MINUTE), bucket: '1m' })).body;
    expect(inside.totals).toMatchObject({ calls: 3, errors: 1 });
    expect(inside.topKeys.map((x: { keyId: string; calls: number }) => [x.keyId, x.calls])).toEqual([
      [k.k1.id, 2],
      [k.k2.id, 1],
    ]);
  }

  it('answers the hand-computed numbers from the live rows before any rollup', async () => {
    expect(await totalRolledUp(a.id)).toBe(0);
    await expectHandComputed();
  });

  it('answers the same once everything is rolled up, and the rollups equal the call log exactly', async () => {
    await rollup.catchUp(20_000);
    expect(await totalRolledUp(a.id)).toBe(11);
    await expectRollupsExact(a.id);
    await expectRollupsExact(b.id);
    await expectHandComputed();
  });

  it('counts a row replayed late (old created_at) at once, and once only after the rollup passes it', async () => {
    const late: Seed = { at: base + 20_000, tenantId: a.id, groupId: g.g1.id, keyId: k.k1.id, toolId: tool.t2.id, toolName: 'x', ms: 4 };
    await insert([late]);
    const range = { from: iso(base), to: iso(base + 3 * HOUR), bucket: '1h' };
    expect((await stats(range)).body.series[0]).toMatchObject({ calls: 10, errors: 3 });
    await rollup.catchUp(20_000);
    expect(await totalRolledUp(a.id)).toBe(12);
    await expectRollupsExact(a.id);
    const after = (await stats(range)).body;
    expect(after.series[0]).toMatchObject({ calls: 10, errors: 3 });
    expect(after.topTools.find((x: { toolId: string }) => x.toolId === tool.t2.id).calls).toBe(3);
    // Further passes with nothing new change nothing.
    await rollup.runPass();
    await rollup.runPass();
    expect(await totalRolledUp(a.id)).toBe(12);
  });

  it('does not move its watermark past a row whose transaction is still open, and counts it once it commits', async () => {
    const held = t.db.createQueryRunner();
    await held.connect();
    try {
      await held.startTransaction();
      await held.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, method, outcome, duration_ms) VALUES ($1, $2, $3, $4, $5, 'tools/call', 'ok', 1)`,
        [randomUUID(), iso(base + 2 * HOUR), a.id, g.g1.id, k.k1.id],
      );
      const [{ seq: heldSeq }] = await held.query(`SELECT currval('call_logs_seq')::text AS seq`);
      // A later row commits first, with a higher number.
      await insert([{ at: base + 2 * HOUR, tenantId: a.id, groupId: g.g1.id, keyId: k.k1.id, toolId: null, toolName: 'later', ms: 1 }]);
      // Enough passes to roll up anything final (each waits out the settle time once).
      for (let i = 0; i < 4; i++) {
        await rollup.runPass();
        await new Promise((r) => setTimeout(r, 300));
      }
      const [{ watermark }] = await t.db.query(`SELECT watermark::text AS watermark FROM call_stats_rollup_state`);
      expect(BigInt(watermark)).toBeLessThan(BigInt(heldSeq));
      await held.commitTransaction();
    } finally {
      await held.release();
    }
    await rollup.catchUp(20_000);
    expect(await totalRolledUp(a.id)).toBe(14);
    await expectRollupsExact(a.id);
  });

  it('a second replica skips a pass while another holds the rollup, and two instances passing at once never count a row twice', async () => {
    const other = new CallStatsRollup(t.db, t.app.get(AppConfigService));
    // Another replica mid-pass: it holds the state row.
    const busy = t.db.createQueryRunner();
    await busy.connect();
    try {
      await busy.startTransaction();
      await busy.query(`SELECT 1 FROM call_stats_rollup_state WHERE id = 1 FOR UPDATE`);
      expect(await other.runPass()).toMatchObject({ ran: false });
      await busy.commitTransaction();
    } finally {
      await busy.release();
    }

    const c = await createTenant(t);
    const group = randomUUID();
    for (let wave = 0; wave < 5; wave++) {
      await t.db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, outcome, is_error, duration_ms)
         SELECT gen_random_uuid(), $2::timestamptz + (i % 90) * interval '1 minute', $1, $3, $4, NULL, 'tool-' || (i % 3), 'tools/call', 'ok', i % 7 = 0, (i * 37) % 3000
         FROM generate_series(1, 400) AS i`,
        [c.id, iso(base), group, randomUUID()],
      );
      await Promise.all([rollup.runPass(), other.runPass(), rollup.runPass(), other.runPass()]);
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([rollup.catchUp(20_000), other.catchUp(20_000)]);
    expect(await totalRolledUp(c.id)).toBe(2000);
    await expectRollupsExact(c.id);
    const body = (await stats({ from: iso(base), to: iso(base + 2 * HOUR), bucket: '1h' }, c)).body;
    expect(body.totals.calls).toBe(2000);
  });

  it('counts a call made through the gateway on the next dashboard load, without waiting for a rollup', async () => {
    const c = await createTenant(t);
    const { group, plaintext } = await createEchoEndpoint(t, c);
    const { client } = await statelessClient(t.url!, group.serverCode, plaintext);
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    await client.close();
    const body = (await stats({}, c)).body;
    expect(body.bucket).toBe('15m');
    expect(body.totals).toMatchObject({ calls: 1, errors: 0 });
    expect(body.groups).toEqual([expect.objectContaining({ groupId: group.id, calls: 1 })]);
    expect(body.topTools).toEqual([expect.objectContaining({ toolName: 'echo', calls: 1 })]);
  });

  it('keeps tenants apart: B’s rows under A’s ids count for B only, A’s for A only; a viewer is refused', async () => {
    // A's g1 has gained three rows since (late, held, later); B's rows under the same group id have not.
    const range = { from: iso(base), to: iso(base + 3 * HOUR), groupId: g.g1.id };
    expect((await stats(range)).body.totals.calls).toBe(12);
    const res = await stats(range, b);
    expect(res.status).toBe(200);
    expect(res.body.totals.calls).toBe(9);
    expect(res.body.topTools.map((x: { toolName: string }) => x.toolName)).not.toContain('later');
    const bOwn = (await stats({ from: iso(base), to: iso(base + 3 * HOUR) }, b)).body;
    expect(bOwn.totals.calls).toBe(11);
    // B has no groups named like A's: the ids show, the names do not.
    expect(bOwn.groups.map((x: { name: string | null }) => x.name)).toEqual([null, null]);
    const viewer = await addMember(t, a, 'viewer');
    expect((await stats({}, a, viewer.token)).status).toBe(403);
    const auditor = await addMember(t, a, 'auditor');
    expect((await stats({}, a, auditor.token)).status).toBe(200);
  });

  it.each([
    [{ from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }, /from must be before to/],
    [{ from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z', bucket: '1m' }, /at most 1500/],
    [{ bucket: '2m' }, /bucket/],
    [{ top: 0 }, /top/],
    [{ tenantId: randomUUID() }, /tenantId/],
  ])('refuses %j with 422', async (query, message) => {
    const res = await stats(query as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(message);
  });

  it('picks the bucket from the range and widens the range to whole buckets', async () => {
    const pick = async (hours: number) => (await stats({ from: iso(base - hours * HOUR + 1234), to: iso(base + 1234) })).body;
    expect((await pick(1)).bucket).toBe('1m');
    expect((await pick(6)).bucket).toBe('5m');
    const day = await pick(24);
    expect(day.bucket).toBe('15m');
    expect(day.from).toBe(iso(base - 24 * HOUR));
    expect(day.to).toBe(iso(base + 15 * MINUTE));
    expect(day.series).toHaveLength(24 * 4 + 1);
    expect((await pick(24 * 7)).bucket).toBe('1h');
    expect((await pick(24 * 30)).bucket).toBe('6h');
    expect((await pick(24 * 365)).bucket).toBe('1d');
  });

  it('buckets durations in PostgreSQL exactly as the API reads them', async () => {
    const probes = [0, 1, 2, 3, ...LATENCY_BOUNDS.flatMap((x) => [x - 1, x, x + 1]), 2 ** 21, 2 ** 31 - 1];
    const rows: { ms: number; b: number }[] = await t.db.query(`SELECT ms, toolgate_latency_bucket(ms) AS b FROM unnest($1::int[]) AS ms`, [probes]);
    expect(rows.map((r) => [r.ms, r.b])).toEqual(probes.map((ms) => [ms, latencyBucket(ms)]));
  });
});
