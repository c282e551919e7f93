// Applies migrations under an advisory lock, so replicas starting together migrate once.
// The lock holds one pooled connection while TypeORM runs on another: the pool needs two or more.
import { DataSource } from 'typeorm';

const MIGRATION_LOCK = 7_342_001;

export async function runMigrations(dataSource: DataSource, log: (msg: string) => void = () => {}): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied migration ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
