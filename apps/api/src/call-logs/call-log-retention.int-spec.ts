// Call-log retention against real PostgreSQL: whole months before the cutoff go, with an audit event each; the
// cutoff month, newer months and the default partition stay; nothing happens when retention is unset.
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../../test/test-app';
import { AuditService } from '../audit/audit.service';
import { AppConfigService } from '../config/app-config.service';
import { CallLogRetentionService } from './call-log-retention.service';

/** Three months kept before November 2001: the cutoff is 2001-08-01, far from the real month's partitions. */
const NOW = new Date('2001-11-21T10:00:00Z');
const MONTHS = ['2001_05', '2001_06', '2001_07', '2001_08', '2001_09'];

describe('CallLogRetentionService (real PostgreSQL)', () => {
  let t: TestApp;
  let retention: CallLogRetentionService;
  const tenantId = randomUUID();

  const exists = async (table: string) => (await t.db.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [table]))[0].e as boolean;
  const insertCall = (at: string) =>
    t.db.query(`INSERT INTO call_logs (id, created_at, method, outcome) VALUES ($1, $2, 'tools/call', 'ok')`, [randomUUID(), at]);
  const rollupTimes = async (table: string, column: string) =>
    (await t.db.query(`SELECT ${column} AS ts FROM ${table} WHERE tenant_id = $1 ORDER BY 1`, [tenantId])).map((r: { ts: Date }) => r.ts.toISOString());

  beforeAll(async () => {
    t = await createTestApp({ env: { CALL_LOG_RETENTION_MONTHS: '3', ROLLUP_INTERVAL_MS: '0' } });
    retention = t.app.get(CallLogRetentionService);
    // The boot run (as of the real date) has nothing to drop in a fresh database; let it finish first.
    await retention.whenIdle();
    for (const m of MONTHS) {
      const from = `${m.replace('_', '-')}-01 00:00:00+00`;
      await t.db.query(`CREATE TABLE call_logs_${m} PARTITION OF call_logs FOR VALUES FROM ('${from}') TO ('${from}'::timestamptz + interval '1 month')`);
      await insertCall(`${m.replace('_', '-')}-15T12:00:00Z`);
    }
    // The last instant of July and the first of August: either side of the cutoff.
    await insertCall('2001-07-31T23:59:59.999Z');
    await insertCall('2001-08-01T00:00:00Z');
    // Outside every monthly partition: lands in the default partition, which retention never touches.
    await insertCall('1999-03-01T00:00:00Z');
    for (const ts of ['2001-07-31T23:59:00Z', '2001-08-01T00:00:00Z']) {
      await t.db.query(
        `INSERT INTO call_stats_minute (tenant_id, minute, group_id, calls, errors, duration_sum_ms, duration_max_ms, latency_hist) VALUES ($1, $2, NULL, 1, 0, 5, 5, '{}')`,
        [tenantId, ts],
      );
    }
    for (const ts of ['2001-07-31T23:00:00Z', '2001-08-01T00:00:00Z']) {
      await t.db.query(
        `INSERT INTO call_stats_hour (tenant_id, hour, group_id, calls, errors, duration_sum_ms, duration_max_ms, latency_hist) VALUES ($1, $2, NULL, 1, 0, 5, 5, '{}')`,
        [tenantId, ts],
      );
      await t.db.query(
        `INSERT INTO call_stats_usage_hour (tenant_id, hour, group_id, api_key_id, tool_id, tool_name, calls, errors) VALUES ($1, $2, NULL, NULL, NULL, 'crm.search', 1, 0)`,
        [tenantId, ts],
      );
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('does nothing when CALL_LOG_RETENTION_MONTHS is unset', async () => {
    const config = new AppConfigService({ ...t.env, CALL_LOG_RETENTION_MONTHS: undefined });
    const unset = new CallLogRetentionService(t.db, t.app.get(AuditService), config);
    expect(await unset.enforce(NOW)).toEqual({ ran: false, cutoff: null, dropped: [], rollupRows: {} });
    for (const m of MONTHS) expect(await exists(`call_logs_${m}`)).toBe(true);
    expect(await rollupTimes('call_stats_minute', 'minute')).toHaveLength(2);
  });

  it('skips, touching nothing, while another replica holds the retention lock', async () => {
    const other = t.db.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7342003)');
      expect(await retention.enforce(NOW)).toMatchObject({ ran: false, dropped: [] });
      expect(await exists('call_logs_2001_05')).toBe(true);
    } finally {
      await other.query('SELECT pg_advisory_unlock(7342003)');
      await other.release();
    }
  });

  it('drops the months before the cutoff exactly once when two replicas run at the same time, and keeps the rest', async () => {
    const runs = await Promise.all([retention.enforce(NOW), retention.enforce(NOW)]);
    const dropped = runs.flatMap((r) => r.dropped);
    expect(dropped.map((d) => [d.name, d.from.toISOString(), d.to.toISOString(), d.rows])).toEqual([
      ['call_logs_2001_05', '2001-05-01T00:00:00.000Z', '2001-06-01T00:00:00.000Z', 1],
      ['call_logs_2001_06', '2001-06-01T00:00:00.000Z', '2001-07-01T00:00:00.000Z', 1],
      ['call_logs_2001_07', '2001-07-01T00:00:00.000Z', '2001-08-01T00:00:00.000Z', 2],
    ]);
    expect(runs.every((r) => r.cutoff?.toISOString() === '2001-08-01T00:00:00.000Z')).toBe(true);

    for (const m of ['2001_05', '2001_06', '2001_07']) expect(await exists(`call_logs_${m}`)).toBe(false);
    for (const m of ['2001_08', '2001_09']) expect(await exists(`call_logs_${m}`)).toBe(true);
    const now = new Date();
    const current = `call_logs_${now.getUTCFullYear()}_${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(await exists(current)).toBe(true);
    expect(await exists('call_logs_default')).toBe(true);
    const rows = await t.db.query(`SELECT created_at FROM call_logs WHERE created_at < '2002-01-01' ORDER BY 1`);
    expect(rows.map((r: { created_at: Date }) => r.created_at.toISOString())).toEqual([
      '1999-03-01T00:00:00.000Z',
      '2001-08-01T00:00:00.000Z',
      '2001-08-15T12:00:00.000Z',
      '2001-09-15T12:00:00.000Z',
    ]);
  });

  it('deletes the statistics before the cutoff and keeps the cutoff month', async () => {
    expect(await rollupTimes('call_stats_minute', 'minute')).toEqual(['2001-08-01T00:00:00.000Z']);
    expect(await rollupTimes('call_stats_hour', 'hour')).toEqual(['2001-08-01T00:00:00.000Z']);
    expect(await rollupTimes('call_stats_usage_hour', 'hour')).toEqual(['2001-08-01T00:00:00.000Z']);
  });

  it('audits each dropped month and the statistics deleted, as platform events without a user', async () => {
    const events = await t.db.query(
      `SELECT tenant_id, actor_user_id, action, entity_type, entity_id, before, after FROM audit_events
       WHERE action IN ('call_logs.partition_drop', 'call_stats.purge') ORDER BY created_at, entity_id`,
    );
    const after = { retentionMonths: 3, cutoff: '2001-08-01T00:00:00.000Z' };
    expect(events).toEqual([
      ...['05', '06', '07'].map((m, i) => ({
        tenant_id: null,
        actor_user_id: null,
        action: 'call_logs.partition_drop',
        entity_type: 'call_log_partition',
        entity_id: `call_logs_2001_${m}`,
        before: { from: `2001-${m}-01T00:00:00.000Z`, to: `2001-0${Number(m) + 1}-01T00:00:00.000Z`, rows: i === 2 ? 2 : 1 },
        after,
      })),
      {
        tenant_id: null,
        actor_user_id: null,
        action: 'call_stats.purge',
        entity_type: 'call_stats',
        entity_id: null,
        before: { call_stats_minute: 1, call_stats_hour: 1, call_stats_usage_hour: 1 },
        after,
      },
    ]);
  });

  it('logs a failed scheduled run with a clear message instead of crashing', async () => {
    const service = new CallLogRetentionService(t.db, t.app.get(AuditService), t.app.get(AppConfigService));
    jest.spyOn(service, 'enforce').mockRejectedValue(new Error('could not drop call-log partition call_logs_2001_08: lock timeout'));
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      service.onApplicationBootstrap();
      await service.whenIdle();
      expect(logged).toHaveBeenCalledWith({ err: expect.any(Error) }, expect.stringMatching(/^call-log retention run failed/));
    } finally {
      await service.onApplicationShutdown();
      logged.mockRestore();
    }
  });

  it('finds nothing more to do on the next run', async () => {
    const again = await retention.enforce(NOW);
    expect(again).toMatchObject({ ran: true, dropped: [], rollupRows: { call_stats_minute: 0, call_stats_hour: 0, call_stats_usage_hour: 0 } });
  });
});
