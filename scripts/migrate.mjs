#!/usr/bin/env node
// `npm run migrate`: applies the database migrations to DATABASE_URL, or to the embedded
// database that `npm start` keeps in .data/pg when DATABASE_URL is not set.
import path from 'node:path';
import { ensureBuilt } from './lib/build-freshness.mjs';
import { run } from './lib/child-processes.mjs';
import { startEmbeddedPostgres } from './lib/embedded-pg.mjs';
import { loadLocalSecrets } from './lib/local-secrets.mjs';
import { API_CLI, DATA_DIR, ROOT, say, warn } from './lib/workspace.mjs';

async function main() {
  const secrets = loadLocalSecrets();
  if (!(await ensureBuilt())) return 1;
  const database = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL }
    : await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'pg'), persistent: true });
  try {
    say('applying database migrations…');
    return await run(process.execPath, [API_CLI, 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, TOOLGATE_SECRET: secrets.TOOLGATE_SECRET, DATABASE_URL: database.url },
    });
  } finally {
    await database.stop?.();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    warn(error?.message ?? String(error));
    process.exit(1);
  },
);
