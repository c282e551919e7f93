// The built console in real Chromium, against the real API on PostgreSQL and a real MCP upstream:
// an owner adds a Streamable HTTP source and sees its tools, approves a drifted tool from its review
// diff, reads the audit log, and manages members; a platform admin creates a tenant and sets a
// tenant's platform quota. Also unit-tests the line diff behind the review and audit views (Jest
// picks up no other console specs), and writes docs/screenshots/{sources,source-review,audit,members,tenants}.png.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { auth, createPlatformAdmin, createTenant, PASSWORD, type TestTenant, type TestUser } from '../../api/test/factories';
import type { TestApp } from '../../api/test/test-app';
import { startTestUpstream, type TestUpstream } from '../../api/test/upstreams';
import { diffLines, hasChanges, splitLines, stableJson, toSideBySide } from '../features/sources/diff';
import { type ConsoleStack, newContext, screenshot as screenshotWithin, signIn as signInWithin, startConsoleStack } from './console-harness';

// Every wait has a limit, so a hang fails one step instead of the whole run.
const STEP_MS = 8_000;
const SETUP_MS = 40_000;
const TEST_MS = 25_000;
const STOP_MS = 10_000;

const SOURCE = { name: 'Echo upstream', namespace: 'echo_upstream' };
const LAST_OWNER_MESSAGE = 'A tenant needs at least one owner'; // the API's, see members.service.ts
/** An OpenAPI document uploaded from the browser: two operations that can become tools, one that cannot. */
const OPENAPI_DOCUMENT = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'Task tracker', version: '1.2.0' },
  servers: [{ url: 'http://127.0.0.1:9/api' }],
  paths: {
    '/tasks': {
      get: { operationId: 'listTasks', summary: 'List tasks', responses: { '200': { description: 'The tasks' } } },
      post: {
        operationId: 'createTask',
        summary: 'Create a task',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { title: { type: 'string' } } } } } },
        responses: { '201': { description: 'Created' } },
      },
    },
    '/tasks/{id}/attachment': {
      put: {
        operationId: 'uploadAttachment',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } },
        responses: { '204': { description: 'Stored' } },
      },
    },
  },
});

/** Screenshots without the toasts of earlier steps over the content. */
async function screenshot(page: Page, name: string): Promise<void> {
  // A toast may leave on its own meanwhile: a short wait each, and no complaint.
  for (const dismiss of await page.getByRole('button', { name: 'Dismiss', exact: true }).all()) await dismiss.click({ timeout: 500 }).catch(() => undefined);
  await screenshotWithin(page, name, STEP_MS);
}

/** Signs in from the login page and waits to leave it. */
async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${origin}/login`, { timeout: STEP_MS });
  await signInWithin(page, email, PASSWORD, STEP_MS);
  await page.waitForURL((url) => url.pathname !== '/login', { timeout: STEP_MS });
}

let api: TestApp | undefined;
let upstream: TestUpstream | undefined;
let browser: Browser | undefined;
/** The console's origin, e.g. http://127.0.0.1:41234. */
let origin: string;
let tenant: TestTenant;
let platformAdmin: TestUser;

let stack: ConsoleStack | undefined;

beforeAll(async () => {
  stack = await startConsoleStack(async (a) => {
    upstream = await startTestUpstream();
    tenant = await createTenant(a, 'northwind');
    platformAdmin = await createPlatformAdmin(a);
    const owner = auth(tenant.owner.token, tenant.id);
    // The upstream listens on loopback, which the SSRF guard refuses unless the tenant allows it.
    await expectStatus(a.http().patch('/api/v1/tenant').set(owner).send({ networkAllowlist: ['127.0.0.1'] }), 200);
    // A second source, so the list has more than one row to show.
    await expectStatus(
      a.http().post('/api/v1/sources').set(owner).send({ kind: 'mcp_sse', name: 'Legacy echo (SSE)', namespace: 'legacy', config: { urls: [upstream.sseUrl] } }),
      201,
    );
  });
  ({ api, origin, browser } = stack);
}, SETUP_MS);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
}, STOP_MS * 3);

describe('the line diff of reviews and audit events', () => {
  it('keeps common lines and marks removed and added ones', () => {
    const lines = diffLines(['a', 'b', 'c', 'd'], ['a', 'c', 'x', 'd']);
    expect(lines).toEqual([
      { change: 'same', text: 'a' },
      { change: 'removed', text: 'b' },
      { change: 'same', text: 'c' },
      { change: 'added', text: 'x' },
      { change: 'same', text: 'd' },
    ]);
    expect(hasChanges(lines)).toBe(true);
    expect(hasChanges(diffLines(['same'], ['same']))).toBe(false);
  });

  it('finds the longest common subsequence, not just a common head and tail', () => {
    const lines = diffLines(splitLines('x\na\nb\ny\nc'), splitLines('a\nz\nb\nc\nw'));
    expect(lines.filter((line) => line.change === 'same').map((line) => line.text)).toEqual(['a', 'b', 'c']);
    expect(lines.filter((line) => line.change === 'removed').map((line) => line.text)).toEqual(['x', 'y']);
    expect(lines.filter((line) => line.change === 'added').map((line) => line.text)).toEqual(['z', 'w']);
  });

  it('handles empty sides', () => {
    expect(diffLines([], [])).toEqual([]);
    expect(diffLines([], ['new'])).toEqual([{ change: 'added', text: 'new' }]);
    expect(diffLines(['old'], [])).toEqual([{ change: 'removed', text: 'old' }]);
    expect(splitLines('')).toEqual([]);
  });

  it('lays a changed line beside its replacement, padding the longer side', () => {
    const rows = toSideBySide(diffLines(['k', 'old1', 'old2', 'z'], ['k', 'new1', 'z']));
    expect(rows).toEqual([
      { left: { change: 'same', text: 'k' }, right: { change: 'same', text: 'k' } },
      { left: { change: 'removed', text: 'old1' }, right: { change: 'added', text: 'new1' } },
      { left: { change: 'removed', text: 'old2' }, right: null },
      { left: { change: 'same', text: 'z' }, right: { change: 'same', text: 'z' } },
    ]);
  });

  it('prints JSON with sorted keys, so key order alone is no change', () => {
    const live = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
    const reordered = { required: ['text'], properties: { text: { type: 'string' } }, type: 'object' };
    expect(stableJson(live)).toBe(stableJson(reordered));
    const drifted = { ...live, properties: { ...live.properties, lang: { type: 'string' } } };
    const changed = diffLines(splitLines(stableJson(live)), splitLines(stableJson(drifted))).filter((line) => line.change !== 'same');
    expect(changed.every((line) => line.change === 'added')).toBe(true);
    expect(changed.map((line) => line.text.trim())).toContain('"lang": {');
    expect(stableJson(null)).toBe('null');
  });

  it('stays fast on large inputs', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `line ${i}`);
    const after = before.map((line, i) => (i % 100 === 0 ? `${line} changed` : line));
    const started = Date.now();
    const lines = diffLines(before, after);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lines.filter((line) => line.change === 'added')).toHaveLength(30);
    expect(lines.filter((line) => line.change === 'removed')).toHaveLength(30);

    // Past its search limit it stays correct, only coarser: the differing middle as removed, then added.
    const other = before.map((line) => `${line} elsewhere`);
    const coarse = diffLines(before, other);
    expect(coarse.map((line) => line.change)).toEqual([...before.map(() => 'removed'), ...other.map(() => 'added')]);
  });
});

describe('sources, reviews, audit and members as the tenant owner', () => {
  let context: BrowserContext;
  let page: Page;
  let sourceId = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    context = await newContext(browser);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, tenant.owner.email);
  }, STEP_MS * 3);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'adds a Streamable HTTP source from the form and shows its discovered tools',
    async () => {
      await page.goto(`${origin}/sources`, { timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: 'Legacy echo (SSE)' }).waitFor({ timeout: STEP_MS });
      await page.getByRole('link', { name: 'Add source' }).click({ timeout: STEP_MS });
      await page.waitForURL(`${origin}/sources/new`, { timeout: STEP_MS });

      // Streamable HTTP is the default kind; the namespace follows the name until it is edited.
      expect(await page.getByRole('radio', { name: /Streamable HTTP/ }).isChecked()).toBe(true);
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(SOURCE.name, { timeout: STEP_MS });
      expect(await page.getByRole('textbox', { name: 'Namespace', exact: true }).inputValue()).toBe(SOURCE.namespace);
      await page.getByRole('textbox', { name: 'URLs', exact: true }).fill(upstream!.url, { timeout: STEP_MS });
      await page.getByText('Advanced', { exact: true }).click({ timeout: STEP_MS });
      await page.getByLabel(/Refresh interval/).fill('0', { timeout: STEP_MS });
      await page.getByRole('button', { name: 'Add source' }).click({ timeout: STEP_MS });

      const result = page.getByRole('status', { name: 'Discovery' });
      await result.waitFor({ timeout: TEST_MS - STEP_MS });
      expect(await result.getByText('Healthy', { exact: true }).count()).toBe(1);
      await page.getByRole('link', { name: 'Open source' }).click({ timeout: STEP_MS });
      await page.waitForURL(/\/sources\/[0-9a-f-]{36}$/, { timeout: STEP_MS });
      sourceId = page.url().split('/').pop()!;

      const tools = page.getByRole('region', { name: 'Tools', exact: true });
      await tools.getByRole('link', { name: `${SOURCE.namespace}__echo` }).waitFor({ timeout: STEP_MS });
      expect(await tools.getByRole('link', { name: `${SOURCE.namespace}__echo` }).getAttribute('href')).toMatch(/^\/tools\/[0-9a-f-]{36}$/);
      await page.getByRole('region', { name: 'Health', exact: true }).getByText(/^(Ready|Idle)$/).waitFor({ timeout: STEP_MS });

      await page.goto(`${origin}/sources`, { timeout: STEP_MS });
      const row = page.getByRole('row').filter({ hasText: SOURCE.name });
      await row.getByText('Healthy', { exact: true }).waitFor({ timeout: STEP_MS });
      expect(await row.getByText('Streamable HTTP').count()).toBe(1);
      const legacy = page.getByRole('row').filter({ hasText: 'Legacy echo (SSE)' });
      expect(await legacy.getByText('SSE (legacy)').count()).toBe(1);
      await legacy.getByText(/^(Ready|Idle)$/).waitFor({ timeout: STEP_MS });
      await screenshot(page, 'sources.png');
    },
    TEST_MS * 2,
  );

  it(
    'previews an uploaded OpenAPI document, imports only the picked operations, and names them as discovery will',
    async () => {
      await page.goto(`${origin}/sources/new`, { timeout: STEP_MS });
      // Not a platform admin: the command is free text, with a word on who allows it.
      await page.getByRole('radio', { name: /Stdio process/ }).check({ timeout: STEP_MS });
      await page.getByText('Only commands a platform admin has allowed can run', { exact: false }).waitFor({ timeout: STEP_MS });

      await page.getByRole('radio', { name: /OpenAPI/ }).check({ timeout: STEP_MS });
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Task tracker', { timeout: STEP_MS });
      await page.getByRole('radio', { name: 'Upload a file' }).check({ timeout: STEP_MS });
      await page.getByLabel('Document file').setInputFiles({ name: 'tasks.json', mimeType: 'application/json', buffer: Buffer.from(OPENAPI_DOCUMENT) }, { timeout: STEP_MS });
      await page.getByText('tasks.json loaded').waitFor({ timeout: STEP_MS });
      await page.getByRole('button', { name: 'Preview operations' }).click({ timeout: STEP_MS });

      const operations = page.getByRole('group', { name: 'Task tracker 1.2.0: operations' });
      await operations.waitFor({ timeout: STEP_MS });
      const list = operations.getByRole('checkbox', { name: /List tasks/ });
      expect(await list.isChecked()).toBe(true);
      expect(await operations.getByText('→ task_tracker__listTasks').count()).toBe(1);
      const upload = operations.getByRole('checkbox', { name: /attachment/ });
      expect(await upload.isDisabled()).toBe(true);
      expect(await operations.getByText(/Not supported: its request body is multipart\/form-data/).count()).toBe(1);
      await operations.getByRole('checkbox', { name: /Create a task/ }).uncheck({ timeout: STEP_MS });
      await page.getByText('1 of 2 selected').waitFor({ timeout: STEP_MS });

      await page.getByRole('button', { name: 'Add source' }).click({ timeout: STEP_MS });
      const result = page.getByRole('status', { name: 'Discovery' });
      await result.waitFor({ timeout: STEP_MS });
      expect(await result.getByText('1 tool(s) were found', { exact: false }).count()).toBe(1);
      const sources = await api!.http().get('/api/v1/sources').set(auth(tenant.owner.token, tenant.id));
      const saved = (sources.body.items as { namespace: string; config: { operations?: string[] } }[]).find((item) => item.namespace === 'task_tracker');
      expect(saved?.config.operations).toEqual(['listTasks']);
    },
    TEST_MS,
  );

  it(
    'shows a drifted tool as a side-by-side diff after a refresh, and approves it',
    async () => {
      if (!sourceId) throw new Error('the source was not added (see the earlier failure)');
      // Only a live (enabled) tool waits for review; a disabled one is updated in place.
      const owner = auth(tenant.owner.token, tenant.id);
      const listed = await api!.http().get('/api/v1/tools').query({ sourceId }).set(owner);
      const echo = (listed.body.items as { id: string; name: string }[]).find((tool) => tool.name === `${SOURCE.namespace}__echo`)!;
      await expectStatus(api!.http().patch(`/api/v1/tools/${echo.id}`).set(owner).send({ enabled: true }), 200);
      upstream!.driftEcho();

      await page.goto(`${origin}/sources/${sourceId}`, { timeout: STEP_MS });
      await page.getByRole('button', { name: 'Refresh' }).click({ timeout: STEP_MS });
      await page.getByRole('status').filter({ hasText: 'Last refresh' }).waitFor({ timeout: STEP_MS });

      const review = page.getByRole('article', { name: `${SOURCE.namespace}__echo` });
      await review.waitFor({ timeout: STEP_MS });
      // The description's old and new wording face each other; the new argument is an added line.
      const descriptionDiff = review.getByRole('table', { name: /^Description of/ });
      expect(await descriptionDiff.locator('td[data-change="removed"]').innerText()).toContain('Echoes');
      expect(await descriptionDiff.locator('td[data-change="added"]').innerText()).toContain('Echoes the text, optionally in a language');
      const schemaDiff = review.getByRole('table', { name: /^Input schema of/ });
      expect(await schemaDiff.locator('td[data-change="added"]').filter({ hasText: '"lang"' }).count()).toBe(1);
      expect(await schemaDiff.locator('td[data-change="removed"]').count()).toBe(0);
      await review.scrollIntoViewIfNeeded({ timeout: STEP_MS });
      await screenshot(page, 'source-review.png');

      await review.getByRole('button', { name: 'Approve' }).click({ timeout: STEP_MS });
      const confirm = page.getByRole('alertdialog');
      await confirm.getByRole('button', { name: 'Approve' }).click({ timeout: STEP_MS });
      await page.getByText(`Approved the new version of ${SOURCE.namespace}__echo.`).waitFor({ timeout: STEP_MS });
      await review.waitFor({ state: 'detached', timeout: STEP_MS });

      const after = await api!.http().get(`/api/v1/tools/${echo.id}`).set(owner);
      expect(after.body).toMatchObject({ description: 'Echoes the text, optionally in a language', version: 2 });
    },
    TEST_MS * 2,
  );

  it(
    'lists the audit events, newest first, with before and after on demand and the API’s filters',
    async () => {
      await page.goto(`${origin}/audit`, { timeout: STEP_MS });
      const approved = page.getByRole('row').filter({ hasText: 'Tool change approved' });
      await approved.waitFor({ timeout: STEP_MS });
      expect(await page.getByRole('row').filter({ hasText: 'source.create' }).count()).toBe(3);
      expect(await page.getByRole('row').filter({ hasText: 'tenant.update' }).count()).toBe(1);

      await approved.getByRole('button', { name: 'Show the details of tool_review.approve' }).click({ timeout: STEP_MS });
      const diff = page.getByRole('table', { name: 'State before and after tool_review.approve' });
      await diff.waitFor({ timeout: STEP_MS });
      expect(await diff.locator('td[data-change="added"]').filter({ hasText: 'optionally in a language' }).count()).toBeGreaterThan(0);
      await screenshot(page, 'audit.png');

      await page.getByLabel('Action', { exact: true }).selectOption('source.create', { timeout: STEP_MS });
      await page.getByRole('button', { name: 'Apply filters' }).click({ timeout: STEP_MS });
      await page.getByText('3 event(s) shown').waitFor({ timeout: STEP_MS });
      expect(await approved.count()).toBe(0);
      expect(await page.getByRole('row').filter({ hasText: 'source.create' }).count()).toBe(3);
    },
    TEST_MS,
  );

  it(
    'shows the tenant settings, adds a member with a first password, changes their role, and keeps the last owner',
    async () => {
      const email = 'grace.hopper@northwind.example';
      await page.goto(`${origin}/members`, { timeout: STEP_MS });
      await page.getByRole('region', { name: 'Tenant settings' }).getByText('127.0.0.1', { exact: true }).waitFor({ timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: tenant.owner.email }).waitFor({ timeout: STEP_MS });

      await page.getByRole('button', { name: 'Add member' }).click({ timeout: STEP_MS });
      const dialog = page.getByRole('dialog', { name: 'Add a member' });
      await dialog.getByLabel('Email').fill(email, { timeout: STEP_MS });
      await dialog.getByLabel(/^Name/).fill('Grace Hopper', { timeout: STEP_MS });
      await dialog.getByLabel('Role').selectOption('admin', { timeout: STEP_MS });
      await dialog.getByLabel(/^Initial password/).fill('a-first-password-123', { timeout: STEP_MS });
      await dialog.getByRole('button', { name: 'Add member' }).click({ timeout: STEP_MS });
      await page.getByText(`Added ${email} as Admin.`).waitFor({ timeout: STEP_MS });

      const role = page.getByLabel(`Role of ${email}`);
      expect(await role.inputValue({ timeout: STEP_MS })).toBe('admin');
      await role.selectOption('auditor', { timeout: STEP_MS });
      await page.getByText(`${email} is now Auditor.`).waitFor({ timeout: STEP_MS });
      const members = await api!.http().get('/api/v1/members').set(auth(tenant.owner.token, tenant.id));
      expect(members.body.items).toContainEqual(expect.objectContaining({ email, role: 'auditor', name: 'Grace Hopper' }));
      await screenshot(page, 'members.png');

      // The only owner cannot leave: the dialog shows the API's refusal and stays open.
      await page.getByRole('button', { name: `Remove ${tenant.owner.email}` }).click({ timeout: STEP_MS });
      const confirm = page.getByRole('alertdialog');
      await confirm.getByRole('button', { name: 'Remove' }).click({ timeout: STEP_MS });
      expect(await confirm.getByRole('alert').innerText({ timeout: STEP_MS })).toContain(LAST_OWNER_MESSAGE);
      await confirm.getByRole('button', { name: 'Cancel' }).click({ timeout: STEP_MS });
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'reads in Chinese after switching the language',
    async () => {
      await page.goto(`${origin}/sources`, { timeout: STEP_MS });
      await page.getByLabel('Language').selectOption('zh', { timeout: STEP_MS });
      await page.getByRole('heading', { name: '工具来源', level: 1 }).waitFor({ timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: SOURCE.name }).getByText('正常', { exact: true }).waitFor({ timeout: STEP_MS });
      expect(await page.getByRole('columnheader', { name: '健康状况' }).count()).toBe(1);
    },
    TEST_MS,
  );
});

describe('tenants as a platform admin', () => {
  let context: BrowserContext;

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  }, STEP_MS);

  it(
    'creates a tenant, which the list and the tenant switcher then offer, and sets a tenant\'s platform quota',
    async () => {
      context = await newContext(browser);
      const page = await context.newPage();
      await signIn(page, platformAdmin.email);
      await page.goto(`${origin}/tenants`, { timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: 'northwind' }).waitFor({ timeout: STEP_MS });

      await page.getByRole('button', { name: 'New tenant' }).click({ timeout: STEP_MS });
      const dialog = page.getByRole('dialog', { name: 'New tenant' });
      await dialog.getByLabel('Name').fill('Globex Retail', { timeout: STEP_MS });
      expect(await dialog.getByLabel('Slug').inputValue()).toBe('globex-retail');
      await dialog.getByRole('button', { name: 'Create tenant' }).click({ timeout: STEP_MS });
      await page.getByText('Created Globex Retail.', { exact: false }).waitFor({ timeout: STEP_MS });
      const row = page.getByRole('row').filter({ hasText: 'Globex Retail' });
      await row.waitFor({ timeout: STEP_MS });
      expect(await row.getByText('globex-retail', { exact: true }).count()).toBe(1);
      await page.getByLabel('Tenant', { exact: true }).locator('option', { hasText: 'Globex Retail' }).waitFor({ state: 'attached', timeout: STEP_MS });
      await screenshot(page, 'tenants.png');

      const stored = await api!.http().get('/api/v1/tenants').set(auth(platformAdmin.token));
      expect(stored.body.items).toContainEqual(expect.objectContaining({ slug: 'globex-retail', name: 'Globex Retail' }));

      // A platform quota on northwind: set from its row, shown in it, and stored as the platform's (not the owner's).
      const northwind = page.getByRole('row').filter({ hasText: 'northwind' });
      await northwind.getByRole('button', { name: /^Set the platform quota of/ }).click({ timeout: STEP_MS });
      const quotaDialog = page.getByRole('dialog', { name: 'Platform quota of Tenant northwind' });
      await quotaDialog.getByLabel(/^Calls per minute/).fill('30', { timeout: STEP_MS });
      await quotaDialog.getByLabel(/^Calls per day/).fill('5000', { timeout: STEP_MS });
      await quotaDialog.getByRole('button', { name: 'Save', exact: true }).click({ timeout: STEP_MS });
      await page.getByText('Platform quota of Tenant northwind saved.').waitFor({ timeout: STEP_MS });
      await northwind.getByText('30 per minute · 5,000 per day').waitFor({ timeout: STEP_MS });
      const current = await api!.http().get('/api/v1/tenant').set(auth(tenant.owner.token, tenant.id));
      expect(current.body).toMatchObject({ platformRateLimit: { perMinute: 30, perDay: 5000 }, rateLimit: {} });

      // The stdio allowlist is theirs too, and the source form offers what is on it.
      await page.goto(`${origin}/sources`, { timeout: STEP_MS });
      await page.getByRole('link', { name: 'Stdio commands' }).click({ timeout: STEP_MS });
      await page.getByText('No command is allowed').waitFor({ timeout: STEP_MS });
      await page.getByRole('textbox', { name: 'Command', exact: true }).fill('npx', { timeout: STEP_MS });
      await page.getByLabel(/^Description/).fill('Node package runner', { timeout: STEP_MS });
      await page.getByRole('button', { name: 'Allow', exact: true }).click({ timeout: STEP_MS });
      await page.getByRole('row').filter({ hasText: 'Node package runner' }).waitFor({ timeout: STEP_MS });
      await page.goto(`${origin}/sources/new`, { timeout: STEP_MS });
      await page.getByRole('radio', { name: /Stdio process/ }).check({ timeout: STEP_MS });
      await page.getByLabel('Command', { exact: true }).locator('option', { hasText: 'npx — Node package runner' }).waitFor({ state: 'attached', timeout: STEP_MS });
    },
    TEST_MS,
  );
});

async function expectStatus(request: PromiseLike<{ status: number; body: unknown }>, status: number): Promise<void> {
  const res = await request;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
}
