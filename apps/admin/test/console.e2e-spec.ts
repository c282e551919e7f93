// The built console (`next start`) in real Chromium, against the real API on PostgreSQL: sign-in,
// the groups page and its MCP endpoint, the language switch, logout, and what an auditor may see.
// Also writes the screenshots in docs/screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addMember, createGroup, createTenant, PASSWORD, type TestTenant, type TestUser } from '../../api/test/factories';
import { createTestApp, type TestApp } from '../../api/test/test-app';

const ADMIN_DIR = path.resolve(__dirname, '..');
const ROOT_DIR = path.resolve(ADMIN_DIR, '../..');
const BUILD_ID = path.join(ADMIN_DIR, '.next/BUILD_ID');
const NEXT_BIN = path.join(ROOT_DIR, 'node_modules/next/dist/bin/next');
const SCREENSHOT_DIR = path.join(ROOT_DIR, 'docs/screenshots');

// The system Chromium: console tests never download a browser.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const VIEWPORT = { width: 1280, height: 800 };

// Every wait has a limit, so a hang fails one step instead of the whole run. Tests that need the
// owner's session fail at once when signing in failed, which keeps the file under a minute even
// when everything goes wrong.
const STEP_MS = 5_000;
const CONSOLE_READY_MS = 15_000;
const SETUP_MS = 25_000;
const TEST_MS = 8_000;
const STOP_MS = 5_000;

const WRONG_PASSWORD_MESSAGE = 'Wrong email or password.'; // the API's, see auth.service.ts
const GROUP = { name: 'Customer support', serverCode: 'support-desk', description: 'Order lookup and refunds for the support agent.' };

let api: TestApp | undefined;
let nextServer: ChildProcess | undefined;
let nextOutput = '';
let browser: Browser | undefined;
let origin: string;
let tenant: TestTenant;
let auditor: TestUser;

beforeAll(async () => {
  if (!fs.existsSync(BUILD_ID)) {
    throw new Error(
      `The console is not built (${path.relative(ROOT_DIR, BUILD_ID)} is missing): run \`npm run build\` ` +
        '(or `npx nx run admin:build`) first. This test runs the built console and does not build it.',
    );
  }
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  api = await createTestApp({ listen: true });
  tenant = await createTenant(api, 'acme');
  await createGroup(api, tenant, GROUP);
  await createGroup(api, tenant, { name: 'Finance reports', serverCode: 'finance', enabled: false });
  auditor = await addMember(api, tenant, 'auditor');

  origin = await startConsole(api.url!);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: STEP_MS * 2 });
}, SETUP_MS);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stopConsole();
  await api?.close();
}, STOP_MS * 3);

describe('the console as the tenant owner', () => {
  let context: BrowserContext;
  let page: Page;
  let signedIn = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    context = await newContext();
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, STEP_MS * 2);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  /** Tests after sign-in continue its session; without it they have nothing to check. */
  function requireSignIn() {
    if (!signedIn) throw new Error('the owner did not sign in (see the earlier failure)');
  }

  it(
    'sends a visitor without a session from / to the login page',
    async () => {
      await page.goto(`${origin}/`, { timeout: STEP_MS });
      await page.waitForURL(`${origin}/login`, { timeout: STEP_MS });
      await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: STEP_MS });

      await screenshot(page, 'login.png');
    },
    TEST_MS,
  );

  it(
    "shows the API's message for a wrong password and stays on the login page",
    async () => {
      await signIn(page, tenant.owner.email, 'not-the-password');

      // Scoped to the form: Next.js keeps an (empty) route announcer with the alert role on every page.
      const alert = page.locator('form').getByRole('alert');
      await alert.waitFor({ timeout: STEP_MS });
      expect(await alert.innerText()).toContain(WRONG_PASSWORD_MESSAGE);
      expect(page.url()).toBe(`${origin}/login`);
    },
    TEST_MS,
  );

  it(
    'signs the owner in to the groups page, which lists each group with its MCP endpoint on the console origin',
    async () => {
      await signIn(page, tenant.owner.email, PASSWORD);
      await page.waitForURL(`${origin}/groups`, { timeout: STEP_MS });
      signedIn = true;

      const row = page.getByRole('row').filter({ hasText: GROUP.name });
      await row.waitFor({ timeout: STEP_MS });
      expect(await row.locator('code').innerText()).toBe(`${origin}/mcp/${GROUP.serverCode}`);
      expect(await row.getByText('Enabled', { exact: true }).count()).toBe(1);
      expect(await page.getByRole('row').filter({ hasText: 'Finance reports' }).getByText('Disabled', { exact: true }).count()).toBe(1);

      await screenshot(page, 'groups.png');
    },
    TEST_MS,
  );

  it(
    'shows Chinese labels after switching the language',
    async () => {
      requireSignIn();
      await page.getByLabel('Language').selectOption('zh', { timeout: STEP_MS });

      await page.getByRole('heading', { name: '工具组' }).waitFor({ timeout: STEP_MS });
      expect(await navLinks(page, '主导航')).toContain('工具组');
      expect(await page.getByRole('columnheader', { name: 'MCP 端点' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: '退出登录' }).count()).toBe(1);
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    },
    TEST_MS,
  );

  it(
    'logs out to the login page, after which /groups sends back to it',
    async () => {
      requireSignIn();
      await page.getByRole('button', { name: '退出登录' }).click({ timeout: STEP_MS });
      await page.waitForURL(`${origin}/login`, { timeout: STEP_MS });
      // The language choice outlives the session.
      await page.getByRole('heading', { name: '登录' }).waitFor({ timeout: STEP_MS });
      expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('tg_session');

      await page.goto(`${origin}/groups`, { timeout: STEP_MS });
      await page.waitForURL(`${origin}/login`, { timeout: STEP_MS });
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});

describe('the console as an auditor', () => {
  let context: BrowserContext;

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'does not offer Groups in the navigation',
    async () => {
      context = await newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/login`, { timeout: STEP_MS });
      await signIn(page, auditor.email, PASSWORD);

      // After sign-in the console opens /groups, which the shell swaps for the auditor's first section.
      await page.waitForURL(`${origin}/logs`, { timeout: STEP_MS });
      const links = await navLinks(page, 'Main navigation');
      expect(links).toContain('Call logs');
      expect(links).not.toContain('Groups');
    },
    TEST_MS,
  );
});

function newContext(): Promise<BrowserContext> {
  if (!browser) throw new Error('Chromium is not running: the setup failed (see the first error)');
  // A fixed locale and zone: the console picks its language from the browser, and dates are shown.
  return browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email, { timeout: STEP_MS });
  await page.getByLabel('Password').fill(password, { timeout: STEP_MS });
  await page.getByRole('button', { name: 'Sign in' }).click({ timeout: STEP_MS });
}

async function navLinks(page: Page, navLabel: string): Promise<string[]> {
  const links = page.getByRole('navigation', { name: navLabel }).getByRole('link');
  await links.first().waitFor({ timeout: STEP_MS });
  return links.allInnerTexts();
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), animations: 'disabled', timeout: STEP_MS });
}

/** Starts `next start` on a free port, pointed at the API; resolves to its origin once it answers. */
async function startConsole(apiUrl: string): Promise<string> {
  const port = await freePort();
  nextServer = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ADMIN_DIR,
    env: { ...process.env, NODE_ENV: 'production', TOOLGATE_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    // Its own process group, so stopping it also stops anything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keepOutput = (chunk: Buffer) => {
    nextOutput = (nextOutput + chunk.toString()).slice(-4_000);
  };
  nextServer.stdout!.on('data', keepOutput);
  nextServer.stderr!.on('data', keepOutput);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + CONSOLE_READY_MS;
  for (;;) {
    if (nextServer.exitCode !== null || nextServer.signalCode !== null) {
      throw new Error(`next start exited (${nextServer.signalCode ?? `code ${nextServer.exitCode}`}):\n${nextOutput}`);
    }
    try {
      const response = await fetch(`${url}/login`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return url;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within ${CONSOLE_READY_MS / 1000}s:\n${nextOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stops the console's whole process group: SIGTERM, then SIGKILL if `next` has not exited in time. */
async function stopConsole(): Promise<void> {
  const server = nextServer;
  if (!server?.pid) return;
  const exited = new Promise<void>((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) resolve();
    else server.once('exit', () => resolve());
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

  signalGroup(server.pid, 'SIGTERM');
  if (!(await within(STOP_MS - 1_000))) {
    signalGroup(server.pid, 'SIGKILL');
    await within(1_000);
  }
  // Anything `next` started and left behind goes with the group.
  signalGroup(server.pid, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
