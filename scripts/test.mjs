#!/usr/bin/env node
// `npm test [-- jest args]`: builds what is missing or stale, provides a PostgreSQL, runs jest, and
// ends with one `N passed, N failed, N skipped` line.
//
// The build covers the shared contracts and the console too: the console specs drive the built
// console (`next start`) and do not build it themselves.
//
// The database is TEST_DATABASE_URL, else DATABASE_URL, else a throwaway embedded PostgreSQL; jest
// receives it as TEST_DATABASE_URL.
//
// The scale-out specs use REDIS_URL, else redis://127.0.0.1:6379 (jest's global setup, see
// apps/api/test/test-redis.ts). Only where neither can be reached are they skipped, each named
// "[skipped: cannot connect to …]", and counted in the closing line's skipped number.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt } from './lib/build-freshness.mjs';
import { exitOf, signalChild, startChild, stopChildren } from './lib/child-processes.mjs';
import { startEmbeddedPostgres } from './lib/embedded-pg.mjs';
import { JEST_BIN, ROOT, say, warn } from './lib/workspace.mjs';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toolgate-test-'));
let databaseStarting;
let jest;
let interrupted = 0;
let interruptedCode = 130;
let finishing;

// Ctrl-C reaches only this script (children run in their own process groups): let jest stop and
// report, then clean up as usual. A second Ctrl-C kills it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted += 1;
    interruptedCode = 128 + os.constants.signals[signal];
    if (jest) signalChild(jest, interrupted > 1 ? 'SIGKILL' : signal);
    else finish(interruptedCode, null);
  });
}

function summarize(resultsFile) {
  let results;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch {
    return '0 passed, 1 failed';
  }
  // A suite that fails to load or crashes has no failed test of its own; count it as one.
  const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
  const skipped = results.numPendingTests + (results.numTodoTests ?? 0);
  return `${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
}

function finish(code, summary) {
  finishing ??= (async () => {
    await stopChildren({ graceMs: 5_000 });
    const database = await databaseStarting?.catch(() => null);
    await database?.stop?.().catch((error) => warn(`could not stop the embedded PostgreSQL: ${error.message}`));
    fs.rmSync(workDir, { recursive: true, force: true });
    if (summary) console.log(summary);
    process.exit(code);
  })();
  return finishing;
}

async function openDatabase() {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) return { url };
  say('starting a throwaway embedded PostgreSQL…');
  const started = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'pg'), persistent: false, handleSignals: false });
  say(`PostgreSQL is up on 127.0.0.1:${started.port}`);
  return started;
}

async function main() {
  if (!(await ensureBuilt())) return finish(interrupted ? interruptedCode : 1, interrupted ? null : '0 passed, 1 failed');

  databaseStarting = openDatabase();
  const database = await databaseStarting;
  if (interrupted) return finish(interruptedCode, null);

  const resultsFile = path.join(workDir, 'jest-results.json');
  // --expose-gc lets the memory checks force a collection before measuring (jest's workers inherit it).
  const args = ['--expose-gc', JEST_BIN, '--config', 'jest.config.js', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)];
  jest = startChild(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, TEST_DATABASE_URL: database.url },
  });
  const { code, signal, error } = await exitOf(jest);
  if (error) warn(`could not run jest: ${error.message}`);
  const exitCode = code ?? (error ? 1 : 128 + (os.constants.signals[signal] ?? 0));
  const summary = summarize(resultsFile);
  if (exitCode !== 0 && / 0 failed/.test(summary)) warn(`jest exited with code ${exitCode} although no test failed; see its output above`);
  return finish(exitCode, summary);
}

main().catch((error) => {
  warn(error?.stack ?? String(error));
  return finish(1, '0 passed, 1 failed');
});
