// Operator commands: `migrate` applies the migrations; `seed` creates the demo on first run and prints one JSON line.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { EnvError, parseEnv } from './config/env.schema';
import { dataSourceOptions } from './database/data-source-options';
import { runMigrations } from './database/migrator';
import { DemoSeedService } from './seed/demo-seed.service';

async function migrate(url: string, direction: 'up' | 'down-all'): Promise<void> {
  const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
  try {
    if (direction === 'up') {
      const applied = await runMigrations(ds, (m) => process.stderr.write(`[migrate] ${m}\n`));
      process.stderr.write(`[migrate] ${applied.length ? `${applied.length} applied` : 'schema is up to date'}\n`);
    } else {
      while ((await ds.query(`SELECT to_regclass('schema_migrations') AS t`))[0].t && (await ds.query('SELECT 1 FROM schema_migrations LIMIT 1')).length) {
        await ds.undoLastMigration({ transaction: 'each' });
      }
      process.stderr.write('[migrate] all migrations reverted\n');
    }
  } finally {
    await ds.destroy();
  }
}

async function seed(): Promise<void> {
  const env = parseEnv({ LOG_LEVEL: 'warn', ...process.env });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error', 'warn'] });
  try {
    const result = await app.get(DemoSeedService).run();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const command = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (!url) throw new EnvError('DATABASE_URL is not set.');
  switch (command) {
    case 'migrate':
      return migrate(url, 'up');
    case 'migrate:down-all':
      return migrate(url, 'down-all');
    case 'seed':
      return seed();
    default:
      throw new EnvError('Usage: cli.js migrate | migrate:down-all | seed');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof EnvError ? err.message : String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
