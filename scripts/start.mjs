#!/usr/bin/env node
// `npm start`: from a fresh clone to a running Toolgate with a demo tenant, in one command.
//
// Uses DATABASE_URL when set; otherwise runs an embedded PostgreSQL whose data stays in .data/pg.
// Secrets it needs and the environment does not give are generated once into .data/local-secrets.json.
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt } from './lib/build-freshness.mjs';
import { exitOf, prefixLines, run, startChild, stopChildren } from './lib/child-processes.mjs';
import { startEmbeddedPostgres } from './lib/embedded-pg.mjs';
import { findFreePort } from './lib/free-port.mjs';
import { loadLocalSecrets, SECRETS_FILE } from './lib/local-secrets.mjs';
import { ADMIN_DIR, API_CLI, API_MAIN, DATA_DIR, NEXT_BIN, ROOT, say, warn } from './lib/workspace.mjs';

const PREFERRED_PORTS = { console: 3000, api: 3001, postgres: 54329 };
const READY_TIMEOUT_MS = 120_000;

let databaseStarting; // Promise of { url, stop?, exited? }
let shuttingDown = false;

async function shutdown(code, message) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (message) (code === 0 ? say : warn)(message);
  await stopChildren();
  const database = await databaseStarting?.catch(() => null);
  await database?.stop?.();
  process.exit(code);
}

// A terminal's Ctrl-C reaches npm and this script (children run in their own process groups);
// npm passes it on too, so the same signal may arrive twice.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => void shutdown(0, 'stopping…'));
}

async function openDatabase() {
  if (process.env.DATABASE_URL) {
    say('using the database at DATABASE_URL');
    return { url: process.env.DATABASE_URL };
  }
  const dataDir = path.join(DATA_DIR, 'pg');
  const logFile = path.join(DATA_DIR, 'postgres.log');
  fs.mkdirSync(DATA_DIR, { recursive: true, mode: 0o755 });
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  say(`starting the embedded PostgreSQL (data in ${path.relative(ROOT, dataDir)}, log in ${path.relative(ROOT, logFile)})…`);
  const database = await startEmbeddedPostgres({
    dataDir,
    persistent: true,
    port: PREFERRED_PORTS.postgres,
    handleSignals: false,
    log: (line) => logStream.write(`${line}\n`),
  });
  say(`PostgreSQL is up on 127.0.0.1:${database.port}`);
  database.exited.then(({ code, signal }) => {
    void shutdown(1, `the embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); see ${logFile}`);
  });
  return database;
}

/** Runs `cli.js seed`, passing its log lines through, and returns the JSON line it prints. */
async function seed(env) {
  const child = startChild(process.execPath, [API_CLI, 'seed'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let result = null;
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  const { code, signal } = await exitOf(child);
  for (const line of output.split('\n')) {
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed.created === 'boolean') {
        result = parsed;
        continue;
      }
    } catch {
      // not the result line
    }
    if (line.trim()) process.stdout.write(`${line}\n`);
  }
  if (code !== 0) throw new Error(`seeding the demo tenant failed (${signal ?? `exit code ${code}`})`);
  if (!result) warn('the seed printed no result line; the banner below may be incomplete');
  return result ?? { created: false };
}

function startServer(name, command, args, options) {
  const child = startChild(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixLines(child.stdout, `[${name}]`, process.stdout);
  prefixLines(child.stderr, `[${name}]`, process.stderr);
  exitOf(child).then(({ code, signal, error }) => {
    const how = error ? error.message : signal ?? `exit code ${code}`;
    void shutdown(1, `the ${name} exited unexpectedly (${how}); stopping Toolgate`);
  });
  return child;
}

async function waitForHttp(name, url, isReady) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!shuttingDown) {
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      if (isReady(response)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the ${name} did not become ready within ${READY_TIMEOUT_MS / 1000}s (${url})`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function clientConfigs(mcpUrl, apiKey) {
  const claude = {
    mcpServers: {
      'toolgate-demo': {
        command: 'npx',
        args: ['mcp-remote', mcpUrl, '--header', 'Authorization: Bearer ${TOOLGATE_KEY}'],
        env: { TOOLGATE_KEY: apiKey },
      },
    },
  };
  const cursor = { mcpServers: { 'toolgate-demo': { url: mcpUrl, headers: { Authorization: `Bearer ${apiKey}` } } } };
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1.0.0' } },
  };
  return [
    '  Claude Desktop (claude_desktop_config.json, through mcp-remote):',
    indent(JSON.stringify(claude, null, 2), 4),
    '',
    '  Cursor (.cursor/mcp.json):',
    indent(JSON.stringify(cursor, null, 2), 4),
    '',
    '  curl:',
    `    curl -sN ${mcpUrl} -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' \\`,
    `      -H 'Accept: application/json, text/event-stream' -d '${JSON.stringify(initialize)}'`,
  ];
}

function indent(text, spaces) {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

function printBanner({ consoleUrl, seeded, password, embedded }) {
  const mcpUrl = `${consoleUrl}/mcp/${seeded.serverCode ?? 'demo'}`;
  const email = seeded.adminEmail ?? process.env.SEED_ADMIN_EMAIL ?? '(see the seed output above)';
  const lines = [
    '',
    '  Toolgate is running.',
    '',
    `  Console        ${consoleUrl}`,
    `  Sign in        ${email}`,
    `  Password       ${password}${seeded.created ? '' : '   (as set on the first run)'}`,
    `  MCP endpoint   ${mcpUrl}`,
    '',
  ];
  if (seeded.apiKey) {
    lines.push(`  API key        ${seeded.apiKey}`, '  (shown this once: Toolgate stores only its hash, so copy it now)', '');
    lines.push(...clientConfigs(mcpUrl, seeded.apiKey), '');
  } else {
    lines.push(
      '  API key        shown on the first run only; create another in the console:',
      `                 ${consoleUrl}/keys`,
      '',
    );
  }
  if (embedded) {
    lines.push(`  Data and generated secrets are kept in ${path.relative(ROOT, DATA_DIR)}/ (${path.relative(ROOT, SECRETS_FILE)}); delete it to start over.`);
  }
  lines.push('  Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
}

async function main() {
  const secrets = loadLocalSecrets();
  if (!(await ensureBuilt())) return shutdown(1, 'the build failed; see its output above');

  databaseStarting = openDatabase();
  const database = await databaseStarting;
  if (shuttingDown) return; // a signal arrived meanwhile; shutdown() is stopping the database

  const consolePort = await findFreePort(PREFERRED_PORTS.console);
  let apiPort = await findFreePort(PREFERRED_PORTS.api);
  while (apiPort === consolePort) apiPort = await findFreePort(0);
  const consoleUrl = `http://localhost:${consolePort}`;
  const publicUrl = process.env.PUBLIC_URL ?? consoleUrl;

  const apiEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    DATABASE_URL: database.url,
    TOOLGATE_SECRET: secrets.TOOLGATE_SECRET,
    SEED_ADMIN_PASSWORD: secrets.SEED_ADMIN_PASSWORD,
    PUBLIC_URL: publicUrl,
    // Production turns on HTTPS-only session cookies; this console is served over plain http.
    COOKIE_SECURE: process.env.COOKIE_SECURE ?? String(publicUrl.startsWith('https:')),
    // Readable log lines for a person at a terminal; JSON lines when piped to a file or a collector.
    LOG_PRETTY: process.env.LOG_PRETTY ?? String(Boolean(process.stdout.isTTY)),
    HOST: '127.0.0.1',
    PORT: String(apiPort),
  };

  say('applying database migrations…');
  const migrated = await run(process.execPath, [API_CLI, 'migrate'], { cwd: ROOT, env: apiEnv });
  if (migrated !== 0) return shutdown(1, `migrations failed (exit code ${migrated}); see the output above`);
  say('seeding the demo tenant…');
  const seeded = await seed(apiEnv);
  if (shuttingDown) return;

  say(`starting the api on 127.0.0.1:${apiPort} and the console on ${consoleUrl}…`);
  startServer('api', process.execPath, [API_MAIN], { cwd: ROOT, env: apiEnv });
  startServer('console', process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(consolePort)], {
    cwd: ADMIN_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(consolePort),
      TOOLGATE_API_URL: `http://127.0.0.1:${apiPort}`,
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  await Promise.all([
    waitForHttp('api', `http://127.0.0.1:${apiPort}/readyz`, (response) => response.status === 200),
    waitForHttp('console', `http://127.0.0.1:${consolePort}/`, () => true),
  ]);
  if (shuttingDown) return;

  printBanner({ consoleUrl, seeded, password: secrets.SEED_ADMIN_PASSWORD, embedded: !process.env.DATABASE_URL });
}

main().catch((error) => shutdown(1, error?.message ?? String(error)));
