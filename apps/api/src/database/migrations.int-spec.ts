// The real migrations on an empty database: up, down to nothing, and up again.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDatabase, dropDatabase, uniqueDbName } from '../../test/test-database';
import { dataSourceOptions } from './data-source-options';
import { MIGRATIONS } from './migrations';
import { runMigrations } from './migrator';

const TABLES = [
  'tenants',
  'users',
  'memberships',
  'admin_sessions',
  'tool_groups',
  'api_keys',
  'tool_sources',
  'tools',
  'tool_group_tools',
  'audit_events',
  'call_logs',
  'call_logs_default',
];

/** The sample business schema the builtin crm tools read. */
const CRM_TABLES = ['conversations', 'customer_profiles', 'idempotency_keys', 'messages', 'tasks', 'users'];

/** Every index the migrations create by name, with the table it belongs to. */
const INDEXES: [string, string][] = [
  ['users_email_key', 'users'],
  ['memberships_user_idx', 'memberships'],
  ['admin_sessions_user_idx', 'admin_sessions'],
  ['api_keys_group_idx', 'api_keys'],
  ['tools_source_idx', 'tools'],
  ['tool_group_tools_alias_key', 'tool_group_tools'],
  ['tool_group_tools_tool_idx', 'tool_group_tools'],
  ['audit_events_tenant_time_idx', 'audit_events'],
  ['audit_events_entity_idx', 'audit_events'],
  ['call_logs_tenant_time_idx', 'call_logs'],
  ['call_logs_group_time_idx', 'call_logs'],
  ['call_logs_tool_time_idx', 'call_logs'],
  ['call_logs_key_time_idx', 'call_logs'],
  ['call_logs_id_idx', 'call_logs'],
];

describe('migrations on an empty database', () => {
  const dbName = uniqueDbName('migrations');
  let ds: DataSource;

  beforeAll(async () => {
    ds = await new DataSource(dataSourceOptions(await createDatabase(dbName), 2)).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(dbName);
  });

  const tablesInPublic = async (): Promise<string[]> =>
    (await ds.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`)).map((r: { relname: string }) => r.relname);

  const tablesInCrm = async (): Promise<string[]> =>
    (await ds.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'crm' AND c.relkind IN ('r', 'p') ORDER BY c.relname`)).map((r: { relname: string }) => r.relname);

  /** Functions in public, including those an extension brought along. */
  const functionsInPublic = async (): Promise<string[]> =>
    (await ds.query(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'public' ORDER BY p.proname`)).map((r: { proname: string }) => r.proname);

  /** The month partitions the migration should have made: this month and the next three, named in the database's own time. */
  const expectedMonthlyPartitions = async (): Promise<string[]> =>
    (await ds.query(`SELECT 'call_logs_' || to_char(date_trunc('month', now()) + make_interval(months => i), 'YYYY_MM') AS name
                     FROM generate_series(0, 3) AS i ORDER BY i`)).map((r: { name: string }) => r.name);

  /** Columns of every table, to compare the schema between two runs of `up`. */
  const columnSnapshot = async (): Promise<string[]> =>
    (await ds.query(`SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, '') AS c
                     FROM information_schema.columns WHERE table_schema IN ('public', 'crm') ORDER BY table_schema, table_name, ordinal_position`)).map(
      (r: { c: string }) => r.c,
    );

  async function expectFullSchema(): Promise<void> {
    const tables = await tablesInPublic();
    for (const table of [...TABLES, ...(await expectedMonthlyPartitions())]) expect(tables).toContain(table);
    expect(await tablesInCrm()).toEqual(CRM_TABLES);

    const [callLogs] = await ds.query(`SELECT relkind FROM pg_class WHERE oid = 'public.call_logs'::regclass`);
    expect(callLogs.relkind).toBe('p');
    const partitions: { name: string; bound: string }[] = await ds.query(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.call_logs'::regclass ORDER BY c.relname`,
    );
    expect(partitions.find((p) => p.name === 'call_logs_default')?.bound).toBe('DEFAULT');
    expect(partitions.map((p) => p.name)).toEqual(expect.arrayContaining(await expectedMonthlyPartitions()));

    expect(await functionsInPublic()).toContain('toolgate_ensure_call_log_partitions');
    const applied = await ds.query(`SELECT name FROM schema_migrations ORDER BY id`);
    expect(applied.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  }

  async function undoAll(): Promise<number> {
    let undone = 0;
    while (Number((await ds.query(`SELECT count(*)::int AS n FROM schema_migrations`))[0].n) > 0) {
      await ds.undoLastMigration({ transaction: 'each' });
      if (++undone > MIGRATIONS.length) throw new Error('undoLastMigration does not make progress');
    }
    return undone;
  }

  let firstColumns: string[];

  it('applies every migration from empty and creates every table, the partitions and the function', async () => {
    expect(await tablesInPublic()).toEqual([]);
    const applied = await runMigrations(ds);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
    await expectFullSchema();
    firstColumns = await columnSnapshot();
    // Running again applies nothing.
    expect(await runMigrations(ds)).toEqual([]);
  });

  it('creates the indexes named in the migrations, and every monthly partition carries the call-log indexes', async () => {
    const rows: { index: string; table: string }[] = await ds.query(
      `SELECT i.relname AS index, t.relname AS table FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = 'public'`,
    );
    const byName = new Map(rows.map((r) => [r.index, r.table]));
    for (const [index, table] of INDEXES) expect([index, byName.get(index)]).toEqual([index, table]);

    // A partitioned index is attached on each partition, so queries on any month can use it.
    const attached: { parent: string; partitions: number }[] = await ds.query(
      `SELECT p.relname AS parent, count(*)::int AS partitions FROM pg_inherits h
       JOIN pg_class p ON p.oid = h.inhparent WHERE p.relname LIKE 'call_logs\\_%\\_idx' GROUP BY p.relname`,
    );
    const partitionCount = (await ds.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'public.call_logs'::regclass`))[0].n;
    expect(partitionCount).toBeGreaterThanOrEqual(5);
    for (const name of INDEXES.filter(([, t]) => t === 'call_logs').map(([n]) => n)) {
      expect({ name, partitions: attached.find((a) => a.parent === name)?.partitions }).toEqual({ name, partitions: partitionCount });
    }
  });

  it('the partition function is idempotent: calling it again creates nothing', async () => {
    const [row] = await ds.query(`SELECT toolgate_ensure_call_log_partitions(3) AS created`);
    expect(row.created).toBe(0);
  });

  it('routes rows to their month, and a row far outside every month into the default partition (nothing is lost)', async () => {
    const now = randomUUID();
    const future = randomUUID();
    const past = randomUUID();
    await ds.query(
      `INSERT INTO call_logs (id, created_at, method, outcome) VALUES
         ($1, now(), 'tools/call', 'ok'),
         ($2, now() + interval '10 years', 'tools/call', 'ok'),
         ($3, now() - interval '10 years', 'tools/call', 'ok')`,
      [now, future, past],
    );
    const rows: { id: string; part: string }[] = await ds.query(`SELECT id, tableoid::regclass::text AS part FROM call_logs WHERE id = ANY($1)`, [[now, future, past]]);
    const partOf = Object.fromEntries(rows.map((r) => [r.id, r.part]));
    expect(partOf[now]).toBe((await expectedMonthlyPartitions())[0]);
    expect(partOf[future]).toBe('call_logs_default');
    expect(partOf[past]).toBe('call_logs_default');
  });

  it('undoes every migration down to empty: only schema_migrations remains, and no function', async () => {
    expect(await undoAll()).toBe(MIGRATIONS.length);
    expect(await tablesInPublic()).toEqual(['schema_migrations']);
    expect(await ds.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'crm'`)).toEqual([]);
    expect(await functionsInPublic()).toEqual([]);
    expect((await ds.query(`SELECT extname FROM pg_extension ORDER BY extname`)).map((r: { extname: string }) => r.extname)).toEqual(['plpgsql']);
    // Nothing else either: no index, sequence or view outside schema_migrations' own.
    const leftovers = await ds.query(
      `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relname <> 'schema_migrations'
         AND NOT EXISTS (SELECT 1 FROM pg_index x WHERE x.indexrelid = c.oid AND x.indrelid = 'public.schema_migrations'::regclass)
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.refobjid = 'public.schema_migrations'::regclass)`,
    );
    expect(leftovers).toEqual([]);
  });

  it('applies every migration again after the full undo, to the same schema', async () => {
    expect(await runMigrations(ds)).toEqual(MIGRATIONS.map((m) => m.name));
    await expectFullSchema();
    expect(await columnSnapshot()).toEqual(firstColumns);
    const [row] = await ds.query(`SELECT toolgate_ensure_call_log_partitions(3) AS created`);
    expect(row.created).toBe(0);
  });
});
