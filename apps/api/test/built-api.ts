// The real built API (node apps/api/dist/apps/api/src/main.js) as a child process, for specs about the process
// itself (signals, exit codes); built first when its output is missing or older than its sources.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
export const API_MAIN = join(ROOT, 'apps/api/dist/apps/api/src/main.js');
const SOURCES = ['apps/api/src', 'migrations', 'libs/contracts/src'];
const NOT_SOURCE = /([.-]spec\.ts|\.tsbuildinfo)$/;

function newest(dir: string, skip: (name: string) => boolean = () => false): number {
  let max = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) max = Math.max(max, newest(full, skip));
    else if (!skip(e.name)) max = Math.max(max, statSync(full).mtimeMs);
  }
  return max;
}

/** Runs the API's build (tsc -p apps/api/tsconfig.build.json, ~15 s) when a source is newer than its output. */
export function ensureApiBuilt(): void {
  const built = newest(join(ROOT, 'apps/api/dist'));
  const source = Math.max(...SOURCES.map((d) => newest(join(ROOT, d), (n) => NOT_SOURCE.test(n))));
  if (built > 0 && built >= source) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'apps/api/tsconfig.build.json')], { cwd: ROOT, stdio: 'pipe' });
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface BuiltApi {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (its JSON log lines), so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the time it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts the built API on a free port and waits until /readyz answers 200. */
export async function startBuiltApi(env: Record<string, string>, readyTimeoutMs = 20_000): Promise<BuiltApi> {
  const port = await freePort();
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((ok) =>
    child.once('exit', (code, signal) => ok({ code, signal, at: Date.now() })),
  );
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + readyTimeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`the API exited before it was ready:\n${out.slice(-4000)}`);
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the API was not ready within ${readyTimeoutMs} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => out, exited };
}
