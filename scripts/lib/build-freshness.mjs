// Builds the api and the console when their build output is missing or older than their sources.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './child-processes.mjs';
import { ADMIN_BUILD_ID, API_CLI, API_DIST, API_MAIN, DATA_DIR, ROOT, say } from './workspace.mjs';

// Written after each build this script runs, dated when that build started: nx may restore
// outputs from its cache, or leave identical ones untouched, so output dates alone can lag.
const STAMP = path.join(DATA_DIR, 'build-stamp');
// Present while a build runs: an interrupted build can leave outputs that look fresh.
const IN_PROGRESS = path.join(DATA_DIR, 'build-in-progress');

const SOURCE_DIRS = ['apps/api/src', 'apps/admin', 'migrations'];
const SOURCE_FILES = ['package-lock.json', 'tsconfig.base.json', 'apps/api/tsconfig.json', 'apps/api/tsconfig.build.json'];
const SKIPPED_DIRS = new Set(['node_modules', '.next', 'dist', 'test', 'tests', 'e2e', 'coverage', 'test-results']);
const SKIPPED_FILES = /([.-]spec\.[cm]?[jt]sx?|\.tsbuildinfo|next-env\.d\.ts)$/;

function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time of the files under `dir` (0 when there are none). */
function newestUnder(dir, skip = () => false) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip(entry.name, true)) newest = Math.max(newest, newestUnder(full, skip));
    } else if (!skip(entry.name, false)) {
      newest = Math.max(newest, mtimeOf(full));
    }
  }
  return newest;
}

const isNotSource = (name, isDir) => (isDir ? SKIPPED_DIRS.has(name) : SKIPPED_FILES.test(name));

function libSourceDirs() {
  const libs = path.join(ROOT, 'libs');
  try {
    return fs.readdirSync(libs).map((name) => path.join('libs', name, 'src'));
  } catch {
    return [];
  }
}

/** Why a build is needed, or null when the outputs are complete and newer than every source. */
function staleReason() {
  if (fs.existsSync(IN_PROGRESS)) return 'the last build did not finish';
  const missing = [API_MAIN, API_CLI, ADMIN_BUILD_ID].find((file) => !fs.existsSync(file));
  if (missing) return `${path.relative(ROOT, missing)} is missing`;
  const libDists = libSourceDirs().map((src) => path.join(ROOT, path.dirname(src), 'dist'));
  const outputs = [newestUnder(API_DIST), mtimeOf(ADMIN_BUILD_ID), ...libDists.map((dir) => newestUnder(dir))];
  const builtAt = Math.max(Math.min(...outputs), mtimeOf(STAMP));
  const newestSource = Math.max(
    ...[...SOURCE_DIRS, ...libSourceDirs()].map((dir) => newestUnder(path.join(ROOT, dir), isNotSource)),
    ...SOURCE_FILES.map((file) => mtimeOf(path.join(ROOT, file))),
  );
  return newestSource > builtAt ? 'sources changed since the last build' : null;
}

/** Runs `npm run build` if needed; resolves to true when the build is there and fresh. */
export async function ensureBuilt() {
  const reason = staleReason();
  if (!reason) return true;
  const startedAt = new Date();
  say(`building api and console (${reason}; first run takes a minute)…`);
  fs.mkdirSync(DATA_DIR, { recursive: true, mode: 0o755 });
  fs.writeFileSync(IN_PROGRESS, `${startedAt.toISOString()}\n`);
  const code = await run('npm', ['run', 'build'], { cwd: ROOT });
  if (code !== 0) return false;
  fs.writeFileSync(STAMP, `${startedAt.toISOString()}\n`);
  fs.utimesSync(STAMP, startedAt, startedAt);
  fs.rmSync(IN_PROGRESS, { force: true });
  say('build done');
  return true;
}
