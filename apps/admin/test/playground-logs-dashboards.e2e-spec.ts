// The built console (`next start`) in real Chromium, against the real API on PostgreSQL: a tool called in the
// playground through the group's real MCP endpoint, its result and call-log row; the same call found in the
// explorer by text in its arguments, its detail drawer, CSV and NDJSON exports; counted on the dashboards; the
// pages in Chinese; and an auditor who may read logs and dashboards but not use the playground.
// Writes docs/screenshots/{playground,logs,log-detail,dashboards}.png.
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addMember, auth, createEchoEndpoint, createTenant, PASSWORD, type TestTenant, type TestUser } from '../../api/test/factories';
import type { TestApp } from '../../api/test/test-app';
import { type ConsoleStack, navLinks, newContext, screenshot, signIn, startConsoleStack } from './console-harness';

const STEP_MS = 6_000;
const AGENT_OK_CALLS = 9;
/** Calls in the explorer's long-list test: 50 keyset pages of 100. */
const BULK_ROWS = 5_000;
/** The setup's agent calls plus the playground's one. */
const TOTAL_CALLS = AGENT_OK_CALLS + 2 + 1;
const SAVE_PICKER_STUB = `
  window.__savedFiles = {};
  window.showSaveFilePicker = async (options) => {
    const name = (options && options.suggestedName) || 'export';
    const parts = [];
    return {
      name,
      createWritable: async () => ({
        write: async (chunk) => { parts.push(chunk.slice()); },
        close: async () => { window.__savedFiles[name] = await new Blob(parts).text(); },
        abort: async () => {},
      }),
    };
  };
`;
const SETUP_MS = 30_000;
const TEST_MS = 15_000;

// Unique text in the call's arguments: the explorer's text search must find exactly this call.
const MARKER = `order-${Date.now().toString(36)}-e2e`;

let api: TestApp | undefined;
let browser: Browser | undefined;
let origin: string;
let tenant: TestTenant;
let auditor: TestUser;
let group: { id: string; name: string; serverCode: string };

let stack: ConsoleStack | undefined;

beforeAll(async () => {
  stack = await startConsoleStack(async (a) => {
    api = a;
    tenant = await createTenant(a, 'acme');
    const echo = await createEchoEndpoint(a, tenant);
    group = echo.group;
    // An agent's traffic before the console is opened, so the dashboards have more than one call to show:
    // echo calls, one with a missing argument and one to a tool the group does not have (both errors).
    for (let i = 0; i < AGENT_OK_CALLS; i++) await agentCall(echo.plaintext, 'echo', { text: `ping ${i}` });
    await agentCall(echo.plaintext, 'echo', {});
    await agentCall(echo.plaintext, 'no_such_tool', { text: 'x' });
    auditor = await addMember(a, tenant, 'auditor');
  });
  ({ api, origin, browser } = stack);
}, SETUP_MS);

afterAll(async () => {
  await stack?.stop();
}, 15_000);

describe('playground, call logs and dashboards as the tenant owner', () => {
  let context: BrowserContext;
  let page: Page;
  let called = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    context = await newContext(browser);
    // A stand-in for the File System Access API's save dialog (a native dialog headless Chromium cannot
    // answer): it records what the console writes, so the NDJSON export exercises the stream-to-file path.
    await context.addInitScript(SAVE_PICKER_STUB);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/login`, { timeout: STEP_MS });
    await signIn(page, tenant.owner.email, PASSWORD, STEP_MS);
    await page.waitForURL(`${origin}/groups`, { timeout: STEP_MS });
  }, STEP_MS * 4);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  function requireCall() {
    if (!called) throw new Error('the playground call did not happen (see the earlier failure)');
  }

  it(
    "calls echo through the group's MCP endpoint and shows its result and its call-log row",
    async () => {
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Playground' }).click({ timeout: STEP_MS });
      await page.waitForURL(`${origin}/playground`, { timeout: STEP_MS });
      await page.getByRole('heading', { name: 'Playground' }).waitFor({ timeout: STEP_MS });

      expect(await page.getByLabel('Group').inputValue({ timeout: STEP_MS })).toBe(group.id);
      await eventually(() => page.getByLabel('Tool', { exact: true }).inputValue(), 'echo');
      const form = page.getByRole('form', { name: 'Arguments for echo' });
      await form.getByRole('textbox', { name: /^text/ }).fill(`Refund for ${MARKER}`, { timeout: STEP_MS });
      await form.getByRole('button', { name: 'Call tool' }).click({ timeout: STEP_MS });

      const response = page.locator('.playground-response');
      await response.getByText('Success', { exact: true }).waitFor({ timeout: STEP_MS });
      // The gateway's text content for a tool with an output schema is the structured result as JSON.
      expect(JSON.parse(await response.locator('.playground-text').innerText())).toEqual({ text: `Refund for ${MARKER}` });
      expect(await response.locator('dt:text-is("isError") + dd').innerText()).toBe('false');
      // structuredContent, as the echo tool's output schema says.
      expect(await response.getByRole('region', { name: 'Structured content' }).innerText()).toContain(`"text": "Refund for ${MARKER}"`);

      // The call-log row the gateway wrote for this very request (found by its X-Request-Id).
      const logRow = response.locator('.playground-log');
      await logRow.waitFor({ timeout: STEP_MS });
      expect(await logRow.getByText('OK', { exact: true }).count()).toBe(1);
      expect(await logRow.innerText()).toContain(MARKER);
      const requestId = await response.locator('.playground-status + .kv code').first().innerText();
      expect(requestId).toMatch(/^playground-[0-9a-f]{24}$/);
      called = true;

      // The playground made its key for this group, named after the user, expiring within the hour.
      await page.getByText(/Key in use: tg_/).waitFor({ timeout: STEP_MS });
      await logRow.scrollIntoViewIfNeeded({ timeout: STEP_MS });
      await screenshot(page, 'playground.png', STEP_MS);

      const keys = await playgroundKeys();
      expect(keys).toHaveLength(1);
      expect(keys[0].groupId).toBe(group.id);
      expect(keys[0].status).toBe('active');
      expect(Date.parse(keys[0].expiresAt!) - Date.now()).toBeLessThanOrEqual(3_600_000);
      expect(Date.parse(keys[0].expiresAt!) - Date.now()).toBeGreaterThan(50 * 60_000);
    },
    TEST_MS,
  );

  it(
    'revokes the playground key when the user leaves the page',
    async () => {
      requireCall();
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Call logs' }).click({ timeout: STEP_MS });
      await page.waitForURL(`${origin}/logs`, { timeout: STEP_MS });
      await eventually(async () => (await playgroundKeys()).map((key) => key.status), ['revoked']);
    },
    TEST_MS,
  );

  it(
    'finds the call in the explorer by text in its arguments and opens its detail drawer',
    async () => {
      requireCall();
      await page.getByRole('heading', { name: 'Call logs' }).waitFor({ timeout: STEP_MS });
      const grid = page.getByRole('grid', { name: 'Calls' });
      const rows = grid.locator('[data-log-id]');
      // Every call of the last 24 hours, newest (the playground's) first.
      await page.getByText(`${TOTAL_CALLS} calls`, { exact: true }).waitFor({ timeout: STEP_MS });
      expect(await rows.count()).toBe(TOTAL_CALLS);
      expect(await rows.first().innerText()).toContain(MARKER);
      await screenshot(page, 'logs.png', STEP_MS);

      await page.getByRole('searchbox', { name: 'Text in the arguments' }).fill(MARKER, { timeout: STEP_MS });
      await page.waitForURL(/[?&]q=/, { timeout: STEP_MS });
      await page.getByText('1 call', { exact: true }).waitFor({ timeout: STEP_MS });
      await eventually(() => rows.count(), 1);
      expect(await rows.first().innerText()).toContain('echo');

      // Keyboard: focus the row, Enter opens the drawer.
      await rows.first().focus();
      await page.keyboard.press('Enter');
      const drawer = page.getByRole('dialog', { name: 'echo' });
      await drawer.waitFor({ timeout: STEP_MS });
      await drawer.getByRole('region', { name: 'Arguments' }).getByText(MARKER, { exact: false }).waitFor({ timeout: STEP_MS });
      expect(await drawer.getByRole('region', { name: 'Result' }).innerText()).toContain(MARKER);
      expect(await drawer.innerText()).toMatch(/playground-[0-9a-f]{24}/);
      await screenshot(page, 'log-detail.png', STEP_MS);

      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached', timeout: STEP_MS });
    },
    TEST_MS,
  );

  it(
    'exports the filtered calls as NDJSON (streamed to the file the user picked) and as CSV (downloaded)',
    async () => {
      requireCall();
      await page.getByRole('button', { name: 'Export NDJSON' }).click({ timeout: STEP_MS });
      await page.getByText(/Saved 1 call to call-logs-\d{8}T\d{6}Z\.ndjson/).waitFor({ timeout: STEP_MS });
      const saved = (await page.evaluate('window.__savedFiles')) as Record<string, string>;
      const [ndjson] = Object.values(saved);
      const lines = ndjson.trim().split('\n');
      expect(lines).toHaveLength(1);
      const row = JSON.parse(lines[0]) as { toolName: string; outcome: string; arguments: { text: string }; requestId: string };
      expect(row).toMatchObject({ toolName: 'echo', outcome: 'ok', arguments: { text: `Refund for ${MARKER}` } });
      expect(row.requestId).toMatch(/^playground-/);

      // Without the File System Access API the export is saved through a download.
      await page.evaluate('delete window.showSaveFilePicker');
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: STEP_MS }),
        page.getByRole('button', { name: 'Export CSV' }).click({ timeout: STEP_MS }),
      ]);
      expect(download.suggestedFilename()).toMatch(/^call-logs-acme-.*\.csv$/);
      const csv = fs.readFileSync((await download.path())!, 'utf8');
      const csvLines = csv.trim().split('\r\n');
      expect(csvLines[0]).toMatch(/^id,createdAt,groupId,apiKeyId,toolId,toolName/);
      expect(csvLines).toHaveLength(2);
      expect(csvLines[1]).toContain(',echo,tools/call,ok,');
      expect(csvLines[1]).toContain(MARKER);
    },
    TEST_MS,
  );

  it(
    'counts the call on the dashboards',
    async () => {
      requireCall();
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Dashboards' }).click({ timeout: STEP_MS });
      await page.getByRole('heading', { name: 'Dashboards' }).waitFor({ timeout: STEP_MS });
      const totals = page.getByLabel('Totals for the range');
      await totals.waitFor({ timeout: STEP_MS });
      await eventually(() => tile(page, 'Calls'), String(TOTAL_CALLS));
      expect(await tile(page, 'Error rate')).toBe(`${Math.round((2 / TOTAL_CALLS) * 10_000) / 100}%`);
      const topTools = page.getByRole('group', { name: 'Top tools' });
      expect(await topTools.locator('text', { hasText: /^echo$/ }).count()).toBe(1);
      expect(await topTools.locator('text', { hasText: 'no_such_tool' }).count()).toBe(1);
      const topKeys = page.getByRole('group', { name: 'Top keys' });
      expect(await topKeys.locator('text', { hasText: /^agent$/ }).count()).toBe(1);
      expect(await topKeys.locator('text', { hasText: 'Console playground' }).count()).toBe(1);
      expect(await page.getByRole('group', { name: 'Calls by group' }).locator('text', { hasText: group.name }).count()).toBe(1);

      // Scoped to the group, and to the last 15 minutes: still the one call.
      await page.getByLabel('Scope').selectOption(group.id, { timeout: STEP_MS });
      await page.getByRole('button', { name: 'Last 15 min' }).click({ timeout: STEP_MS });
      await page.waitForURL(/range=15m/, { timeout: STEP_MS });
      await eventually(() => tile(page, 'Calls'), String(TOTAL_CALLS));

      // The chart's tooltip, from the keyboard: the newest point, then one step back with ←.
      await dismissToasts(page);
      const chart = page.getByRole('group', { name: 'Calls per minute' });
      await chart.focus();
      const tooltip = chart.getByRole('status');
      await tooltip.waitFor({ timeout: STEP_MS });
      expect(await tooltip.innerText()).toMatch(/Calls per minute: \d/);
      await screenshot(page, 'dashboards.png', STEP_MS);

      // The month's usage by tool (the README shows it with these calls in it).
      await page.goto(`${origin}/usage?by=tool`, { timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: /^echo/ }).first().waitFor({ timeout: STEP_MS });
      await screenshot(page, 'usage.png', STEP_MS);
      // Back to the dashboards (a full load, settled), where the next test switches the language.
      await page.goto(`${origin}/dashboards?range=15m`, { timeout: STEP_MS, waitUntil: 'networkidle' });
      await page.getByLabel('Totals for the range').waitFor({ timeout: STEP_MS });
    },
    TEST_MS,
  );

  it(
    'shows these pages in Chinese after switching the language',
    async () => {
      requireCall();
      await page.getByLabel('Language').selectOption('zh', { timeout: STEP_MS });
      await page.getByRole('heading', { name: '仪表盘' }).waitFor({ timeout: STEP_MS });
      expect(await page.getByLabel('时间范围内的汇总').getByText('调用次数').count()).toBe(1);
      expect(await page.getByRole('button', { name: '最近 15 分钟' }).count()).toBe(1);

      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '调用日志' }).click({ timeout: STEP_MS });
      await page.getByRole('heading', { name: '调用日志' }).waitFor({ timeout: STEP_MS });
      expect(await page.getByRole('button', { name: '导出 CSV' }).count()).toBe(1);
      await page.getByRole('columnheader', { name: '参数' }).waitFor({ timeout: STEP_MS });
      // The first users read Chinese: the README shows this page in Chinese too (machines without CJK fonts draw boxes).
      await screenshot(page, 'logs-zh.png');

      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '调试台' }).click({ timeout: STEP_MS });
      await page.getByRole('heading', { name: '调试台' }).waitFor({ timeout: STEP_MS });
      await page.getByRole('button', { name: '调用工具' }).waitFor({ timeout: STEP_MS });
      expect(await page.getByText(/临时 API 密钥/).count()).toBe(1);

      await page.getByLabel('语言').selectOption('en', { timeout: STEP_MS });
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  /** The playground's keys in the tenant, through the admin API. */
  async function playgroundKeys(): Promise<{ groupId: string; status: string; expiresAt: string | null }[]> {
    const res = await api!.http().get('/api/v1/keys').set(auth(tenant.owner.token, tenant.id));
    const items = res.body.items as { name: string; groupId: string; status: string; expiresAt: string | null }[];
    return items.filter((key) => key.name === `Console playground (${tenant.owner.email})`);
  }
});

describe('the explorer with many calls', () => {
  let context: BrowserContext;

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'keeps only the rows in view in the page while scrolling through every keyset page to the oldest call',
    async () => {
      // Another tenant, its log filled straight in the database: BULK_ROWS calls over the last hour.
      const bulk = await createTenant(api!, 'bulk');
      const endpoint = await createEchoEndpoint(api!, bulk);
      await api!.db.query(
        `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_name, method, outcome, is_error, duration_ms, arguments)
         SELECT gen_random_uuid(), now() - (($5 - n) * interval '500 milliseconds') - interval '1 minute', $1, $2, $3, 'echo', 'tools/call',
                'ok', false, n % 90, jsonb_build_object('n', n)
         FROM generate_series(0, $4 - 1) AS n`,
        [bulk.id, endpoint.group.id, endpoint.key.id, BULK_ROWS, BULK_ROWS],
      );

      context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${origin}/login`, { timeout: STEP_MS });
      await signIn(page, bulk.owner.email, PASSWORD, STEP_MS);
      await page.waitForURL(`${origin}/groups`, { timeout: STEP_MS });
      await page.goto(`${origin}/logs`, { timeout: STEP_MS });

      const grid = page.getByRole('grid', { name: 'Calls' });
      await page.getByText(`${BULK_ROWS.toLocaleString('en')} calls`, { exact: true }).waitFor({ timeout: STEP_MS });
      expect(await grid.getAttribute('aria-rowcount')).toBe(String(BULK_ROWS + 1));
      // Newest first: the highest n.
      await grid.locator('[data-log-id]').first().getByText(`{"n":${BULK_ROWS - 1}}`).waitFor({ timeout: STEP_MS });

      // Scroll to the end of what is loaded, again and again: each time the next page comes by its cursor.
      const oldest = grid.getByText('{"n":0}', { exact: true });
      const deadline = Date.now() + 20_000;
      let mostRows = 0;
      while ((await oldest.count()) === 0) {
        if (Date.now() > deadline) throw new Error('the oldest call never came into view');
        await grid.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
        await page.waitForTimeout(50);
        mostRows = Math.max(mostRows, await grid.locator('[role="row"]').count());
      }
      // A few dozen rows in the DOM at any time, not thousands.
      expect(mostRows).toBeLessThan(60);
      expect(await grid.locator('[role="row"]').count()).toBeLessThan(60);
      // The end of the list: no loading row left.
      expect(await grid.getByText('Loading more calls…').count()).toBe(0);
    },
    35_000,
  );
});

describe('as an auditor', () => {
  let context: BrowserContext;

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'opens the call logs and the dashboards, but not the playground',
    async () => {
      context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${origin}/login`, { timeout: STEP_MS });
      await signIn(page, auditor.email, PASSWORD, STEP_MS);
      await page.waitForURL(`${origin}/logs`, { timeout: STEP_MS });

      const links = await navLinks(page, 'Main navigation', STEP_MS);
      expect(links).toEqual(expect.arrayContaining(['Call logs', 'Dashboards', 'Audit']));
      expect(links).not.toContain('Playground');

      // The auditor cannot read the configuration; the filters offer what the logs name.
      // The rows and the filters' names come from two queries: wait for each, never assume their order.
      await page.getByRole('grid', { name: 'Calls' }).locator('[data-log-id]').first().waitFor({ timeout: STEP_MS });
      const groupOption = page.getByLabel('Group').locator('option', { hasText: group.name });
      await groupOption.waitFor({ state: 'attached', timeout: STEP_MS });
      expect(await groupOption.count()).toBe(1);

      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Dashboards' }).click({ timeout: STEP_MS });
      await page.getByRole('heading', { name: 'Dashboards' }).waitFor({ timeout: STEP_MS });
      await page.getByLabel('Totals for the range').waitFor({ timeout: STEP_MS });

      await page.goto(`${origin}/playground`, { timeout: STEP_MS });
      await page.waitForURL(`${origin}/logs`, { timeout: STEP_MS });
    },
    TEST_MS,
  );
});

/** A tools/call as an agent makes it (stateless 2026-07-28 form), straight to the API's gateway. */
async function agentCall(key: string, name: string, args: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${api!.url}/mcp/${group.serverCode}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${key}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'tools/call',
      'Mcp-Name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
    }),
  });
  if (response.status !== 200) throw new Error(`agent call ${name} answered ${response.status}: ${await response.text()}`);
}

/** Closes the toasts, which would otherwise cover part of a screenshot. */
async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0) await buttons.first().click({ timeout: STEP_MS });
}

async function tile(page: Page, label: string): Promise<string> {
  return page.getByLabel('Totals for the range').locator('.dash-tile', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').innerText();
}

/** Waits until `read()` gives `expected` (compared as JSON), failing with the last value after STEP_MS. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (JSON.stringify(last) === JSON.stringify(expected)) return;
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  expect(last).toEqual(expected);
}
