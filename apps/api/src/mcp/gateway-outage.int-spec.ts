// PostgreSQL unreachable during a burst of tools/call: calls keep answering (keys and catalogs are cached,
// rows go to the spool), and once it is back every row is in the table exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallLogWriter } from '../call-logs/call-log-writer';
import { createEchoEndpoint, createTenant } from '../../test/factories';
import { sessionClient } from '../../test/mcp-clients';
import { proxiedDatabase } from '../../test/proxied-database';
import { createTestApp, TestApp } from '../../test/test-app';

describe('gateway while PostgreSQL is unreachable', () => {
  let db: Awaited<ReturnType<typeof proxiedDatabase>>;
  let t: TestApp;
  let spoolDir: string;

  beforeAll(async () => {
    spoolDir = await mkdtemp(join(tmpdir(), 'toolgate-gw-outage-'));
    db = await proxiedDatabase();
    // A long auth/catalog cache so the burst is served from memory while the database is away.
    t = await createTestApp({ listen: true, env: { DATABASE_URL: db.url, CALL_LOG_SPOOL_DIR: spoolDir, MCP_AUTH_CACHE_MS: '60000' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('answers every call, spools the rows, and replays each exactly once when PostgreSQL returns', async () => {
    const tenant = await createTenant(t);
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
    const { client } = await sessionClient(t.url!, group.serverCode, plaintext);
    await client.callTool({ name: 'echo', arguments: { text: 'warm-up' } }); // fills the key and catalog caches

    await db.proxy.cut();
    const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => client.callTool({ name: 'echo', arguments: { text: `during-${i}` } })));
    expect(burst.every((r) => !r.isError)).toBe(true);
    const writer = t.app.get(CallLogWriter);
    expect(writer.stats().databaseUp).toBe(false);
    expect(writer.stats().spooledRows).toBeGreaterThanOrEqual(60);
    const [{ n: whileDown }] = await db.query(`SELECT count(*)::int AS n FROM call_logs WHERE arguments->>'text' LIKE 'during-%'`, []);
    expect(whileDown).toBe(0);

    await db.proxy.start();
    const deadline = Date.now() + 15_000;
    let rows: { text: string; n: number }[] = [];
    while (Date.now() < deadline) {
      rows = await db.query(`SELECT arguments->>'text' AS text, count(*)::int AS n FROM call_logs WHERE arguments->>'text' LIKE 'during-%' GROUP BY 1`, []);
      if (rows.length === 60 && writer.stats().spooledRows === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(writer.stats().spooledRows).toBe(0);
    await client.close();
  }, 40_000);
});
