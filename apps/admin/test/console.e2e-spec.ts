// The built console (`next start`) in real Chromium, against the real API on PostgreSQL: sign-in,
// tool groups (create, edit, disable, connect configs), the tool catalog (search, enable, the input
// schema as a form, add to a group with an alias), API keys (shown once and working on the
// endpoint, rotate with overlap, revoke), usage and quotas (a key's own limit, its call counted on the
// usage page, the tenant's quota), the language switch, logout, and what an auditor and a viewer may see. Writes the screenshots in docs/screenshots. Other console flows live in their own
// *.e2e-spec.ts files on the shared helpers of console-harness.ts.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addMember, auth, createGroup, createTenant, createTool, PASSWORD, type TestTenant, type TestUser } from '../../api/test/factories';
import type { TestApp } from '../../api/test/test-app';
import {
  type ConsoleStack,
  navLinks as navLinksWithin,
  newContext,
  screenshot as screenshotWithin,
  signIn as signInWithin,
  startConsoleStack,
} from './console-harness';

// Every wait has a limit, so a hang fails one step instead of the whole run. Tests that need the
// owner's session fail at once when signing in failed.
const STEP_MS = 5_000;
const SETUP_MS = 30_000;
const TEST_MS = 8_000;
/** Tests that walk through several dialogs. */
const FLOW_MS = 20_000;
const STOP_MS = 5_000;

const signIn = (page: Page, email: string, password: string) => signInWithin(page, email, password, STEP_MS);
const navLinks = (page: Page, label: string) => navLinksWithin(page, label, STEP_MS);
const screenshot = (page: Page, name: string) => screenshotWithin(page, name, STEP_MS);

const WRONG_PASSWORD_MESSAGE = 'Wrong email or password.'; // the API's, see auth.service.ts
const SERVER_CODE_TAKEN_MESSAGE = 'That server_code is already in use; pick another.'; // tool-groups.service.ts
const GROUP = { name: 'Customer support', serverCode: 'support-desk', description: 'Order lookup and refunds for the support agent.' };
const TOOL = {
  name: 'lookup_order',
  description: 'Find an order by its number and tell the customer where it is.',
  inputSchema: {
    type: 'object',
    required: ['order_id'],
    properties: {
      order_id: { type: 'string', description: 'The order number, e.g. A-1001.' },
      channel: { type: 'string', enum: ['email', 'sms', 'phone'], description: 'How to notify the customer.' },
      urgent: { type: 'boolean' },
      max_results: { type: 'integer', minimum: 1, maximum: 50 },
      tags: { type: 'array', items: { type: 'string' } },
      customer: { type: 'object', properties: { email: { type: 'string', format: 'email' }, tier: { type: 'string', enum: ['free', 'pro'] } } },
    },
  },
};

let api: TestApp | undefined;
let browser: Browser | undefined;
/** The console's origin, e.g. http://127.0.0.1:41234. */
let origin: string;
let tenant: TestTenant;
let auditor: TestUser;
let viewer: TestUser;
let supportGroupId: string;
let toolId: string;

let stack: ConsoleStack | undefined;

beforeAll(async () => {
  stack = await startConsoleStack(async (a) => {
    tenant = await createTenant(a, 'acme');
    supportGroupId = (await createGroup(a, tenant, GROUP)).id;
    await createGroup(a, tenant, { name: 'Finance reports', serverCode: 'finance', enabled: false });
    toolId = (await createTool(a, tenant, TOOL)).id; // created disabled, as discovered tools arrive
    auditor = await addMember(a, tenant, 'auditor');
    viewer = await addMember(a, tenant, 'viewer');
  });
  ({ api, origin, browser } = stack);
}, SETUP_MS);

afterAll(async () => {
  await stack?.stop();
}, STOP_MS * 3);

/** The admin API as the owner, to check what the console did. */
function apiGet(path: string) {
  return api!.http().get(path).set(auth(tenant.owner.token, tenant.id));
}

/**
 * One MCP request the way the console's curl line sends it (2026-07-28, stateless), through the
 * console's /mcp proxy, as an agent would; `call` makes it a tools/call. Resolves to the HTTP status
 * and the JSON-RPC message.
 */
async function mcpRequest(serverCode: string, apiKey: string, method: string, call?: { name: string; arguments: Record<string, unknown> }) {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const response = await fetch(`${origin}/mcp/${serverCode}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${apiKey}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': method,
      ...(call ? { 'Mcp-Name': call.name } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...call, _meta: meta } }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const text = await response.text();
  // JSON, or the one event of an SSE answer.
  const json = response.headers.get('content-type')?.includes('text/event-stream')
    ? (text.split('\n').filter((line) => line.startsWith('data:')).pop()?.slice(5) ?? '')
    : text;
  let message: { result?: { tools?: { name: string }[] } } | null = null;
  try {
    message = JSON.parse(json);
  } catch {
    // Not JSON (e.g. an empty 401): the status says enough.
  }
  return { status: response.status, message };
}

async function newPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

describe('the console as the tenant owner', () => {
  let context: BrowserContext;
  let page: Page;
  let signedIn = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    context = await newContext(browser);
    page = await newPage(context, pageErrors);
  }, STEP_MS * 2);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  /** Tests after sign-in continue its session; without it they have nothing to check. */
  function requireSignIn() {
    if (!signedIn) throw new Error('the owner did not sign in (see the earlier failure)');
  }

  describe('signing in', () => {
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
        // The whole navigation of an owner, in its sections.
        expect(await navLinks(page, 'Main navigation')).toEqual(['Groups', 'Keys', 'Tools', 'Sources', 'Playground', 'Call logs', 'Dashboards', 'Usage', 'Audit', 'Members']);

        await screenshot(page, 'groups.png');
      },
      TEST_MS,
    );
  });

  describe('tool groups', () => {
    it(
      'creates a group, then shows its endpoint and ready-to-paste client configurations',
      async () => {
        requireSignIn();
        await page.getByRole('button', { name: 'New group' }).click({ timeout: STEP_MS });
        const dialog = page.getByRole('dialog', { name: 'New tool group' });
        await dialog.getByLabel('Name').fill('Billing agent', { timeout: STEP_MS });
        // The server code follows the name until it is edited.
        expect(await dialog.getByLabel('Server code').inputValue()).toBe('billing-agent');
        await dialog.getByLabel('Description').fill('Invoices and payment status.');
        await dialog.getByRole('button', { name: 'Create group' }).click();

        await page.waitForURL(`${origin}/groups/billing-agent`, { timeout: STEP_MS });
        await page.getByRole('heading', { level: 1, name: 'Billing agent' }).waitFor({ timeout: STEP_MS });
        const endpoint = `${origin}/mcp/billing-agent`;
        expect(await page.locator('.endpoint-url').first().innerText()).toBe(endpoint);

        await page.getByRole('tab', { name: 'Cursor' }).click();
        const cursor = JSON.parse(await page.getByRole('tabpanel').locator('pre').innerText());
        expect(cursor).toEqual({ mcpServers: { 'toolgate-billing-agent': { url: endpoint, headers: { Authorization: 'Bearer tg_…' } } } });
        // Arrow keys move between the tabs.
        await page.keyboard.press('ArrowRight');
        expect(await page.getByRole('tabpanel').innerText()).toContain("-H 'Mcp-Method: tools/list'");
        await page.getByRole('tab', { name: 'Claude Desktop' }).click();
        expect(await page.getByRole('tabpanel').innerText()).toContain('"mcp-remote"');

        const groups = await apiGet('/api/v1/groups');
        expect(groups.body.items.find((group: { serverCode: string }) => group.serverCode === 'billing-agent')).toMatchObject({
          name: 'Billing agent',
          description: 'Invoices and payment status.',
          enabled: true,
        });
      },
      FLOW_MS,
    );

    it(
      "shows the API's message next to a server code that is taken",
      async () => {
        requireSignIn();
        await page.goto(`${origin}/groups`, { timeout: STEP_MS });
        await page.getByRole('button', { name: 'New group' }).click({ timeout: STEP_MS });
        const dialog = page.getByRole('dialog', { name: 'New tool group' });
        await dialog.getByLabel('Name').fill('Support copy', { timeout: STEP_MS });
        await dialog.getByLabel('Server code').fill(GROUP.serverCode);
        await dialog.getByRole('button', { name: 'Create group' }).click();

        await dialog.getByText(SERVER_CODE_TAKEN_MESSAGE).waitFor({ timeout: STEP_MS });
        expect(await dialog.getByLabel('Server code').getAttribute('aria-invalid')).toBe('true');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden', timeout: STEP_MS });
      },
      TEST_MS,
    );

    it(
      'edits the group, and disables it only after confirming',
      async () => {
        requireSignIn();
        await page.goto(`${origin}/groups/billing-agent`, { timeout: STEP_MS });
        await page.getByRole('button', { name: 'Edit', exact: true }).click({ timeout: STEP_MS });
        const dialog = page.getByRole('dialog', { name: 'Edit Billing agent' });
        await dialog.getByLabel('Name').fill('Billing assistant', { timeout: STEP_MS });
        await dialog.getByLabel('Calls per minute (whole group)').fill('120');
        await dialog.getByLabel('Calls at once (each key)').fill('4');
        await dialog.getByRole('button', { name: 'Save' }).click();
        await page.getByRole('heading', { level: 1, name: 'Billing assistant' }).waitFor({ timeout: STEP_MS });
        await page.getByText('120 per minute').waitFor({ timeout: STEP_MS });
        await page.getByText('4 at once per key').waitFor({ timeout: STEP_MS });

        await page.getByRole('button', { name: 'Disable', exact: true }).click();
        const confirm = page.getByRole('alertdialog', { name: 'Disable Billing assistant?' });
        await confirm.getByRole('button', { name: 'Disable' }).click({ timeout: STEP_MS });
        await page.getByRole('heading', { level: 1, name: 'Billing assistant' }).getByText('Disabled').waitFor({ timeout: STEP_MS });
        await page.getByRole('button', { name: 'Enable', exact: true }).waitFor({ timeout: STEP_MS });

        const group = (await apiGet('/api/v1/groups')).body.items.find((item: { serverCode: string }) => item.serverCode === 'billing-agent');
        expect(group).toMatchObject({ name: 'Billing assistant', enabled: false, rateLimit: { perMinute: 120, maxConcurrentPerKey: 4 } });
      },
      FLOW_MS,
    );
  });

  describe('the tool catalog', () => {
    it(
      'searches the catalog and enables a tool',
      async () => {
        requireSignIn();
        await page.goto(`${origin}/tools`, { timeout: STEP_MS });
        await page.getByRole('row').filter({ hasText: 'echo' }).first().waitFor({ timeout: STEP_MS });
        await screenshot(page, 'tools.png');

        await page.getByRole('searchbox', { name: 'Search' }).fill('lookup');
        // The search reaches the URL (and the API) once typing pauses.
        await page.waitForURL(/\/tools\?q=lookup$/, { timeout: STEP_MS });
        const row = page.getByRole('row').filter({ hasText: TOOL.name });
        await row.getByText('Disabled', { exact: true }).waitFor({ timeout: STEP_MS });
        await page.getByRole('row').filter({ hasText: 'echo' }).waitFor({ state: 'detached', timeout: STEP_MS });

        await row.getByRole('button', { name: `Enable ${TOOL.name}` }).click();
        await row.getByText('Enabled', { exact: true }).waitFor({ timeout: STEP_MS });
        expect((await apiGet(`/api/v1/tools/${toolId}`)).body.enabled).toBe(true);

        // Only disabled tools: the one just enabled leaves the list.
        await page.getByLabel('State').selectOption('false');
        await page.getByText('No tools match').waitFor({ timeout: STEP_MS });
      },
      FLOW_MS,
    );

    it(
      "draws the tool's input schema as a form and shows the arguments it makes",
      async () => {
        requireSignIn();
        await page.goto(`${origin}/tools?q=lookup`, { timeout: STEP_MS });
        await page.getByRole('link', { name: TOOL.name }).click({ timeout: STEP_MS });
        await page.waitForURL(`${origin}/tools/${toolId}`, { timeout: STEP_MS });

        await page.getByLabel('order_id').fill('A-1001', { timeout: STEP_MS });
        await page.getByLabel('channel').selectOption('email');
        await page.getByLabel('urgent').check();
        await page.getByLabel('max_results').fill('5');
        await page.getByRole('button', { name: 'Add to tags' }).click();
        await page.getByRole('textbox', { name: /^Item 1/ }).fill('vip');
        await page.getByRole('group', { name: 'customer' }).getByLabel('tier').selectOption('pro');

        const args = JSON.parse(await page.locator('.card').filter({ hasText: 'Arguments' }).locator('pre').first().innerText());
        expect(args).toEqual({ order_id: 'A-1001', channel: 'email', urgent: true, max_results: 5, tags: ['vip'], customer: { tier: 'pro' } });

        // An integer outside its bounds is flagged at the field.
        await page.getByLabel('max_results').fill('80');
        await page.getByText('At most 50.').waitFor({ timeout: STEP_MS });
        await page.getByLabel('max_results').fill('5');
        await page.evaluate('window.scrollTo(0, 0)');
        await screenshot(page, 'tool.png');
      },
      FLOW_MS,
    );

    it(
      'adds the tool to a group under an alias',
      async () => {
        requireSignIn();
        await page.getByRole('button', { name: 'Add to group' }).click({ timeout: STEP_MS });
        const dialog = page.getByRole('dialog', { name: `Add ${TOOL.name} to a group` });
        await dialog.getByLabel('Group', { exact: true }).selectOption({ label: GROUP.name }, { timeout: STEP_MS });
        await dialog.getByLabel('Alias').fill('find_order');
        await dialog.getByLabel('Description for agents').fill('Look up a customer order.');
        await dialog.getByRole('button', { name: 'Add to group' }).click();

        const row = page.getByRole('row').filter({ hasText: GROUP.name });
        await row.getByText('find_order').waitFor({ timeout: STEP_MS });
        expect(await row.innerText()).toContain('Look up a customer order.');

        const tools = (await apiGet(`/api/v1/groups/${supportGroupId}/tools`)).body.items;
        expect(tools).toEqual([
          expect.objectContaining({ toolId, alias: 'find_order', exposedName: 'find_order', description: 'Look up a customer order.', enabled: true }),
        ]);
      },
      FLOW_MS,
    );
  });

  describe('API keys', () => {
    let firstKey = '';
    let rotatedKey = '';

    it(
      'creates a key on the group page, shows it once, and the key works on the endpoint',
      async () => {
        requireSignIn();
        await page.goto(`${origin}/groups/${GROUP.serverCode}`, { timeout: STEP_MS });
        await page.getByRole('row').filter({ hasText: 'find_order' }).waitFor({ timeout: STEP_MS });
        await page.getByRole('button', { name: 'New key' }).click();
        const form = page.getByRole('dialog', { name: 'New API key' });
        await form.getByLabel('Name').fill('support-bot', { timeout: STEP_MS });
        await form.getByRole('button', { name: 'Create key' }).click();

        const shown = page.getByRole('dialog', { name: 'Key support-bot created' });
        firstKey = await shown.getByLabel('API key', { exact: true }).inputValue({ timeout: STEP_MS });
        expect(firstKey).toMatch(/^tg_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
        // The configurations are filled in with the new key.
        await shown.getByRole('tab', { name: 'Cursor' }).click();
        expect(await shown.getByRole('tabpanel').innerText()).toContain(`"Authorization": "Bearer ${firstKey}"`);
        await screenshot(page, 'key-created.png');

        const listed = await mcpRequest(GROUP.serverCode, firstKey, 'tools/list');
        expect(listed.status).toBe(200);
        expect(listed.message?.result?.tools?.map((tool) => tool.name)).toEqual(['find_order']);

        await shown.getByRole('button', { name: 'I have copied it' }).click();
        await shown.waitFor({ state: 'hidden', timeout: STEP_MS });
        // Once closed, the secret is gone from the page; the list shows its prefix and last four.
        const [prefix] = firstKey.match(/^tg_[a-z2-7]{12}/)!;
        await page.getByRole('row').filter({ hasText: `${prefix}_…${firstKey.slice(-4)}` }).waitFor({ timeout: STEP_MS });
        expect(await page.content()).not.toContain(firstKey);
        await screenshot(page, 'group.png');
      },
      FLOW_MS,
    );

    it(
      'rotates a key with an overlap, during which both keys work',
      async () => {
        requireSignIn();
        await page.goto(`${origin}/keys`, { timeout: STEP_MS });
        await page.getByRole('button', { name: 'Rotate the key support-bot' }).click({ timeout: STEP_MS });
        const form = page.getByRole('dialog', { name: 'Rotate support-bot' });
        await form.getByLabel('Old key keeps working for').selectOption({ label: '1 hour' }, { timeout: STEP_MS });
        await form.getByRole('button', { name: 'Rotate key' }).click();

        const shown = page.getByRole('dialog', { name: 'New key for support-bot' });
        rotatedKey = await shown.getByLabel('API key', { exact: true }).inputValue({ timeout: STEP_MS });
        expect(rotatedKey).not.toBe(firstKey);
        await shown.getByRole('button', { name: 'I have copied it' }).click();

        expect((await mcpRequest(GROUP.serverCode, rotatedKey, 'tools/list')).status).toBe(200);
        expect((await mcpRequest(GROUP.serverCode, firstKey, 'tools/list')).status).toBe(200);
        const old = (await apiGet('/api/v1/keys')).body.items.find((key: { last4: string }) => key.last4 === firstKey.slice(-4));
        const overlapLeft = new Date(old.expiresAt).getTime() - Date.now();
        expect(overlapLeft).toBeGreaterThan(55 * 60 * 1000);
        expect(overlapLeft).toBeLessThanOrEqual(60 * 60 * 1000);
      },
      FLOW_MS,
    );

    it(
      'revokes a key only after confirming, and the endpoint refuses it from then on',
      async () => {
        requireSignIn();
        const row = page.getByRole('row').filter({ hasText: `…${rotatedKey.slice(-4)}` });
        await row.getByRole('button', { name: 'Revoke the key support-bot' }).click({ timeout: STEP_MS });
        const confirm = page.getByRole('alertdialog', { name: 'Revoke support-bot?' });
        // Focus starts on Cancel, so a stray Enter revokes nothing.
        await confirm.getByRole('button', { name: 'Cancel' }).waitFor({ timeout: STEP_MS });
        expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Cancel');
        await confirm.getByRole('button', { name: 'Revoke' }).click();
        await row.getByText('Revoked', { exact: true }).waitFor({ timeout: STEP_MS });

        expect((await mcpRequest(GROUP.serverCode, rotatedKey, 'tools/list')).status).toBe(401);
        await screenshot(page, 'keys.png');
      },
      FLOW_MS,
    );
  });

  describe('usage and quotas', () => {
    it(
      "creates a key with its own limit, counts the key's call on the usage page, and saves a tenant quota",
      async () => {
        requireSignIn();
        await page.goto(`${origin}/keys`, { timeout: STEP_MS });
        await page.getByRole('button', { name: 'New key' }).click({ timeout: STEP_MS });
        const form = page.getByRole('dialog', { name: 'New API key' });
        await form.getByLabel('Name').fill('usage-bot', { timeout: STEP_MS });
        await form.getByLabel('Group', { exact: true }).selectOption({ label: GROUP.name }, { timeout: STEP_MS });
        await form.getByLabel('Calls per minute (this key)').fill('30', { timeout: STEP_MS });
        await form.getByRole('button', { name: 'Create key' }).click();
        const shown = page.getByRole('dialog', { name: 'Key usage-bot created' });
        const key = await shown.getByLabel('API key', { exact: true }).inputValue({ timeout: STEP_MS });
        await shown.getByRole('button', { name: 'I have copied it' }).click({ timeout: STEP_MS });
        await page.getByRole('row').filter({ hasText: 'usage-bot' }).getByText('30 per minute').waitFor({ timeout: STEP_MS });
        const created = (await apiGet('/api/v1/keys')).body.items.find((item: { name: string }) => item.name === 'usage-bot');
        expect(created.rateLimit).toEqual({ perMinute: 30, perDay: null });

        // One call by the new key: counted this month, whatever the tool answers.
        expect((await mcpRequest(GROUP.serverCode, key, 'tools/call', { name: 'find_order', arguments: { order_id: 'A-1001' } })).status).toBe(200);
        await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Usage' }).click({ timeout: STEP_MS });
        await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor({ timeout: STEP_MS });
        const now = new Date();
        expect(await page.getByLabel('Month').inputValue({ timeout: STEP_MS })).toBe(`${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`);
        await page.getByLabel('Break down by').selectOption('key', { timeout: STEP_MS });
        // The counts and the names come from two queries: wait for the row with both, never assume their order.
        const row = page.getByRole('row').filter({ hasText: 'usage-bot' }).filter({ hasText: `in ${GROUP.name}` });
        await row.waitFor({ timeout: STEP_MS });
        expect(await row.getByRole('cell').nth(1).innerText({ timeout: STEP_MS })).toBe('1');
        // (Its screenshot is taken in playground-logs-dashboards.e2e-spec.ts, where the month has real traffic.)

        // The tenant's quota: the API's bounds come back as its message, a valid one is saved.
        await page.goto(`${origin}/members`, { timeout: STEP_MS });
        await page.getByRole('button', { name: 'Edit settings' }).click({ timeout: STEP_MS });
        const settings = page.getByRole('dialog', { name: 'Tenant settings' });
        await settings.getByLabel('Calls per minute (whole tenant)').fill('600', { timeout: STEP_MS });
        await settings.getByLabel('Calls per day (whole tenant)').fill('2000000000', { timeout: STEP_MS });
        await settings.getByRole('button', { name: 'Save' }).click({ timeout: STEP_MS });
        await settings.getByRole('alert').getByText(/rateLimit\.perDay/).waitFor({ timeout: STEP_MS });
        await settings.getByLabel('Calls per day (whole tenant)').fill('', { timeout: STEP_MS });
        await settings.getByRole('button', { name: 'Save' }).click({ timeout: STEP_MS });
        await settings.waitFor({ state: 'hidden', timeout: STEP_MS });
        await page.reload({ timeout: STEP_MS });
        await page.getByText('600 per minute').waitFor({ timeout: STEP_MS });
        expect((await apiGet('/api/v1/tenant')).body.rateLimit).toEqual({ perMinute: 600, perDay: null });
        // The next tests start where the key tests left off.
        await page.goto(`${origin}/keys`, { timeout: STEP_MS });
        await page.getByRole('row').filter({ hasText: 'usage-bot' }).waitFor({ timeout: STEP_MS });
      },
      FLOW_MS,
    );
  });

  describe('language and logout', () => {
    it(
      'shows Chinese labels after switching the language',
      async () => {
        requireSignIn();
        await page.getByLabel('Language').selectOption('zh', { timeout: STEP_MS });

        await page.getByRole('heading', { name: 'API 密钥' }).waitFor({ timeout: STEP_MS });
        await page.getByRole('columnheader', { name: '最近使用' }).waitFor({ timeout: STEP_MS });
        expect(await navLinks(page, '主导航')).toContain('工具组');
        expect(await page.getByRole('button', { name: '退出登录' }).count()).toBe(1);
        expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');

        await page.getByRole('link', { name: '工具', exact: true }).click();
        await page.getByRole('heading', { name: '工具目录' }).waitFor({ timeout: STEP_MS });
        await page.getByRole('columnheader', { name: '来源' }).waitFor({ timeout: STEP_MS });
        await page.getByRole('link', { name: '工具组', exact: true }).click();
        await page.getByRole('columnheader', { name: 'MCP 端点' }).waitFor({ timeout: STEP_MS });
      },
      FLOW_MS,
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
});

describe('the console as an auditor', () => {
  let context: BrowserContext;
  const pageErrors: string[] = [];

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'sees call logs, dashboards, usage and audit only, and is sent away from groups, keys and tools',
    async () => {
      context = await newContext(browser);
      const page = await newPage(context, pageErrors);
      await page.goto(`${origin}/login`, { timeout: STEP_MS });
      await signIn(page, auditor.email, PASSWORD);

      // After sign-in the console opens /groups, which the shell swaps for the auditor's first section.
      await page.waitForURL(`${origin}/logs`, { timeout: STEP_MS });
      expect(await navLinks(page, 'Main navigation')).toEqual(['Call logs', 'Dashboards', 'Usage', 'Audit']);

      for (const path of ['/groups', `/groups/${GROUP.serverCode}`, '/keys', '/tools', `/tools/${toolId}`]) {
        await page.goto(`${origin}${path}`, { timeout: STEP_MS });
        await page.waitForURL(`${origin}/logs`, { timeout: STEP_MS });
      }
      expect(pageErrors).toEqual([]);
    },
    FLOW_MS,
  );
});

describe('the console as a viewer', () => {
  let context: BrowserContext;

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'reads groups, keys and tools without the buttons that change them',
    async () => {
      context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${origin}/login`, { timeout: STEP_MS });
      await signIn(page, viewer.email, PASSWORD);
      await page.waitForURL(`${origin}/groups`, { timeout: STEP_MS });
      expect(await navLinks(page, 'Main navigation')).toEqual(['Groups', 'Keys', 'Tools', 'Sources']);

      await page.getByRole('row').filter({ hasText: GROUP.name }).waitFor({ timeout: STEP_MS });
      expect(await page.getByRole('button', { name: 'New group' }).count()).toBe(0);

      await page.goto(`${origin}/tools/${toolId}`, { timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: 'find_order' }).waitFor({ timeout: STEP_MS });
      expect(await page.getByRole('button', { name: /^(Enable|Disable|Add to group|Edit)$/ }).count()).toBe(0);
    },
    FLOW_MS,
  );
});
