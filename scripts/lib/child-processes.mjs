// Starts the commands the scripts run (build, migrations, servers, jest) and stops them, whole trees at once.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import readline from 'node:readline';

const running = new Set();

/**
 * Spawns a command in its own process group, so that a signal sent to the group also reaches the
 * processes it starts (npm → nx → tsc, next → its workers). A terminal's Ctrl-C then reaches only
 * the script, which decides the order things stop in.
 */
export function startChild(command, args, options = {}) {
  const child = spawn(command, args, { stdio: 'inherit', ...options, detached: process.platform !== 'win32' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/** Resolves to { code, signal, error } once the child has ended, even if it already has. */
export function exitOf(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

/** Runs a command to completion with inherited output; resolves to its exit code (1 if it could not start). */
export async function run(command, args, options = {}) {
  const { code, signal, error } = await exitOf(startChild(command, args, options));
  if (error) {
    console.error(`[toolgate] could not run ${command}: ${error.message}`);
    return 1;
  }
  return code ?? 128 + (constants.signals[signal] ?? 0);
}

/** Copies a stream to `out` line by line, each line prefixed, so interleaved logs stay readable. */
export function prefixLines(stream, prefix, out) {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    out.write(`${prefix} ${line}\n`);
  });
}

/** Sends `signal` to the child's whole process group; the group may outlive the child itself. */
function signalGroup(child, signal) {
  if (!child.pid) return false;
  try {
    process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

export function signalChild(child, signal) {
  if (child.exitCode === null && child.signalCode === null) signalGroup(child, signal);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks every running child to stop (SIGTERM to its process group), waits until each group is
 * empty, and kills what is still there after graceMs.
 */
export async function stopChildren({ graceMs = 10_000 } = {}) {
  const children = [...running];
  const deadline = Date.now() + graceMs;
  await Promise.all(
    children.map(async (child) => {
      signalGroup(child, 'SIGTERM');
      await Promise.race([exitOf(child), sleep(graceMs)]);
      while (signalGroup(child, 0) && Date.now() < deadline) await sleep(100);
      if (signalGroup(child, 'SIGKILL')) await exitOf(child);
    }),
  );
}
