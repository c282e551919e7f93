// Liveness and readiness probes: public, and honest about the database and the migrations.
import { withAdminClient } from '../../test/test-database';
import { createTestApp, TestApp } from '../../test/test-app';

describe('health probes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /healthz answers 200 {status: ok} without any sign-in', async () => {
    const res = await t.http().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 with the database and the migrations ok, without any sign-in', async () => {
    const res = await t.http().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', redis: 'absent' }, note: expect.stringMatching(/REDIS_URL is not set.*own rate limits/) });
  });

  it('stays public whatever credentials come along: a bad token or tenant header changes nothing', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await t.http().get(path).set('Authorization', 'Bearer not-a-token').set('X-Tenant-Id', 'not-a-uuid');
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });
});

describe('readiness when something is missing', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 503 with migrations pending when the schema is behind the code', async () => {
    // Forget the newest migration before the probe has ever seen the schema complete.
    await t.db.query(`DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations)`);
    const res = await t.http().get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'not_ready', checks: { database: 'ok', migrations: 'pending', redis: 'absent' } });
    expect((await t.http().get('/healthz')).status).toBe(200);
  });

  it('answers 503 with the database unreachable while no connection can be made, and recovers', async () => {
    const [{ db }] = await t.db.query('SELECT current_database() AS db');
    // ALLOW_CONNECTIONS holds for superusers too (a connection limit would not), then the open ones are ended.
    const allow = (yes: boolean) =>
      withAdminClient(async (c) => {
        await c.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS ${yes}`);
        if (!yes) await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db]);
      });
    await allow(false);
    try {
      const down = await t.http().get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'not_ready', checks: { database: 'unreachable' } });
      expect((await t.http().get('/healthz')).status).toBe(200);
    } finally {
      await allow(true);
    }
    // The schema is still behind (previous test), so ready means the database check alone here.
    const back = await t.http().get('/readyz');
    expect(back.body.checks.database).toBe('ok');
  });
});
