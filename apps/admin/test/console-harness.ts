// The shared pieces of the console specs: the built console (`next start`) pointed at a test API, the
// system Chromium (console tests never download a browser), sign-in, navigation and screenshots.
// Each spec starts its own API (createTestApp, listening, PUBLIC_URL = the console's origin). Not a spec.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../api/test/test-app';

const ADMIN_DIR = path.resolve(__dirname, '..');
const ROOT_DIR = path.resolve(ADMIN_DIR, '../..');
const BUILD_ID = path.join(ADMIN_DIR, '.next/BUILD_ID');
const NEXT_BIN = path.join(ROOT_DIR, 'node_modules/next/dist/bin/next');
export const SCREENSHOT_DIR = path.join(ROOT_DIR, 'docs/screenshots');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const VIEWPORT = { width: 1280, height: 800 };

/** Default limit of one wait (a click, a field, a screenshot); specs pass their own. */
const STEP_MS = 5_000;
const STOP_MS = 5_000;
const CONSOLE_READY_MS = 15_000;

/** Fails at once, saying what to do, when the console has not been built. */
export function requireBuiltConsole(): void {
  if (!fs.existsSync(BUILD_ID)) {
    throw new Error(
      `The console is not built (${path.relative(ROOT_DIR, BUILD_ID)} is missing): run \`npm run build\` ` +
        '(or `npx nx run admin:build`) first. This test runs the built console and does not build it.',
    );
  }
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
}

export function launchChromium(timeoutMs = STEP_MS * 2): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: timeoutMs });
}

/** A fixed locale and zone: the console picks its language from the browser, and dates are shown. */
export function newContext(browser: Browser | undefined): Promise<BrowserContext> {
  if (!browser) throw new Error('Chromium is not running: the setup failed (see the first error)');
  return browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
}

/** Fills the login form on the current page and submits it. */
export async function signIn(page: Page, email: string, password: string, timeoutMs = STEP_MS): Promise<void> {
  await page.getByLabel('Email').fill(email, { timeout: timeoutMs });
  await page.getByLabel('Password').fill(password, { timeout: timeoutMs });
  await page.getByRole('button', { name: 'Sign in' }).click({ timeout: timeoutMs });
}

/** The link texts of a navigation landmark, in order. */
export async function navLinks(page: Page, navLabel: string, timeoutMs = STEP_MS): Promise<string[]> {
  const links = page.getByRole('navigation', { name: navLabel }).getByRole('link');
  await links.first().waitFor({ timeout: timeoutMs });
  return links.allInnerTexts();
}

export async function screenshot(page: Page, name: string, timeoutMs = STEP_MS): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), animations: 'disabled', timeout: timeoutMs });
}

export interface ConsoleStack {
  api: TestApp;
  /** The console's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  browser: Browser;
  /** Stops the browser, the console and the API, whatever got started. */
  stop(): Promise<void>;
}

/**
 * What every console spec runs on: the real API on its own database — with PUBLIC_URL set to the console's origin,
 * as `npm start` does, since the gateway refuses browser requests from other origins (DNS rebinding) — then the
 * built console in front of it and the system Chromium. `seed` fills the API before the console starts.
 */
export async function startConsoleStack(seed: (api: TestApp, origin: string) => Promise<void>): Promise<ConsoleStack> {
  requireBuiltConsole();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let api: TestApp | undefined;
  let consoleApp: RunningConsole | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await consoleApp?.stop();
    await api?.close();
  };
  try {
    api = await createTestApp({ listen: true, env: { PUBLIC_URL: origin } });
    await seed(api, origin);
    consoleApp = await startConsole(api.url!, port, CONSOLE_READY_MS);
    browser = await launchChromium(STEP_MS * 2);
    return { api, origin, browser, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface RunningConsole {
  origin: string;
  stop(): Promise<void>;
}

/** Starts `next start` on the port, pointed at the API; resolves once it answers. */
export async function startConsole(apiUrl: string, port: number, readyMs = CONSOLE_READY_MS): Promise<RunningConsole> {
  let output = '';
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ADMIN_DIR,
    env: { ...process.env, NODE_ENV: 'production', TOOLGATE_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    // Its own process group, so stopping it also stops anything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`next start exited (${child.signalCode ?? `code ${child.exitCode}`}):\n${output}`);
    }
    try {
      const response = await fetch(`${origin}/login`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return { origin, stop: () => stopProcessGroup(child) };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stopProcessGroup(child);
      throw new Error(`next start did not answer within ${readyMs / 1000}s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stops the console's whole process group: SIGTERM, then SIGKILL if `next` has not exited in time. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (!child.pid) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const within = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([exited.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  signalGroup(pid, 'SIGTERM');
  if (!(await within(STOP_MS - 1_000))) {
    signalGroup(pid, 'SIGKILL');
    await within(1_000);
  }
  // Anything `next` started and left behind goes with the group.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
