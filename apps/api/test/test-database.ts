// Databases for tests: one template migrated once per run, then a fresh copy per test file.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEMPLATE_ENV = 'TOOLGATE_TEST_TEMPLATE_DB';
export const TEST_DB_PREFIX = 'toolgate_test_';

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    throw new Error('No PostgreSQL for the tests: run them with `npm test` (it starts an embedded one) or set TEST_DATABASE_URL.');
  }
  return url;
}

export function urlFor(database: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function uniqueDbName(kind: string): string {
  return `${TEST_DB_PREFIX}${kind}_${randomBytes(5).toString('hex')}`;
}

/** A fresh database: a copy of the migrated template, or empty. Returns its URL. */
export async function createDatabase(name: string, template?: string): Promise<string> {
  await withAdminClient(async (c) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
        return;
      } catch (err) {
        // Two files copying the template at the same instant can collide; a short retry settles it.
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return urlFor(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
