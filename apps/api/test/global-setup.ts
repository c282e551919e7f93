// Runs once per test run: builds the template database with the real migrations.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrator';
import { findTestRedis } from './test-redis';
import { createDatabase, dropDatabase, TEMPLATE_ENV, uniqueDbName } from './test-database';

export default async function globalSetup(): Promise<void> {
  const name = uniqueDbName('template');
  const url = await createDatabase(name);
  const ds = await new DataSource(dataSourceOptions(url, 2)).initialize();
  try {
    await runMigrations(ds);
  } catch (err) {
    await ds.destroy();
    await dropDatabase(name);
    throw err;
  }
  await ds.destroy();
  // Workers are started after this and inherit the environment.
  process.env[TEMPLATE_ENV] = name;
  await findTestRedis();
}
