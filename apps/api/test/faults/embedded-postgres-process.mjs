// A PostgreSQL the fault suite owns and can stop and start (scripts/lib/embedded-pg.mjs), run in a process of its
// own because jest cannot import that ES module. Commands on stdin, one per line: "stop", "start"; each answer is a
// JSON line on stdout ({ event: "started", url, port } | { event: "stopped" } | { event: "error", message }).
// A restart keeps the data directory and the port. stdin closing (the spec is done, or its worker died) stops
// PostgreSQL and ends this process, so no server outlives the suite.
import readline from 'node:readline';
import { startEmbeddedPostgres } from '../../../../scripts/lib/embedded-pg.mjs';

const dataDir = process.argv[2];
let port = 0;
let server = null;
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function start() {
  server = await startEmbeddedPostgres({ dataDir, port, persistent: true, handleSignals: false });
  port = server.port;
  say({ event: 'started', url: server.url, port });
}

async function stop() {
  await server?.stop();
  server = null;
  say({ event: 'stopped' });
}

const report = (error) => say({ event: 'error', message: error?.message ?? String(error) });
const run = (command) => command().catch(report);

let queue = run(start);
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = { start, stop }[line.trim()];
  if (command) queue = queue.then(() => run(command));
});
lines.on('close', () => {
  queue.then(() => server?.stop()).finally(() => process.exit(0));
});
