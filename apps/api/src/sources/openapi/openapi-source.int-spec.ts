// OpenAPI sources end to end: a small CRM API on 127.0.0.1 (node:http) serves the fixture document and implements a
// few of its operations. Through the admin API the document is previewed, becomes an http source whose picked
// operations are disabled tools `<ns>__<operationId>`, and through /mcp/{serverCode} the SDK client lists and calls
// them: real HTTP requests carrying the source's key, never the agent's. Document drift goes through review.
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createGroup, createKey, createTenant, TestTenant } from '../../../test/factories';
import { sessionClient } from '../../../test/mcp-clients';
import { allowLoopback, createSource, eventually, expose, listChangedWatcher, owner, streamOpen, toolsOf } from '../../../test/sources';
import { createTestApp, TestApp } from '../../../test/test-app';

type Json = Record<string, any>;

const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'crm-api.openapi-3.0.yaml'), 'utf8');
const TASKS_FIXTURE = readFileSync(join(__dirname, 'fixtures', 'tasks-api.openapi-3.1.json'), 'utf8');
const SOURCE_KEY = 'sk_live_crm_source_key_7d1e';
const PICKED = ['listCustomers', 'getCustomer', 'createCustomer'];

const textOf = (result: Json) => (result.content as Json[]).map((c) => c.text).join('');

interface CrmApi {
  url: string;
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  /** Served at /docs/live.json; tests change it to make the document drift. */
  live: Json;
  /** /docs/slow.yaml answers only once this is called (a slow document host). */
  releaseSlow: () => void;
  close(): Promise<void>;
}

/** The fixture's API, in memory: the documents, and listCustomers, getCustomer and createCustomer behind X-API-Key. */
async function startCrmApi(): Promise<CrmApi> {
  const customers = new Map<string, Json>([
    ['c1', { id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com', status: 'active', tags: ['vip'], createdAt: '2024-01-02T03:04:05Z' }],
    ['c2', { id: 'c2', name: 'Alan Turing', email: 'alan@example.com', status: 'lead', tags: [], createdAt: '2024-02-03T04:05:06Z' }],
  ]);
  let slowGate: () => void = () => undefined;
  const slowReleased = new Promise<void>((resolve) => (slowGate = resolve));
  const api: CrmApi = { url: '', seen: [], live: parseYaml(FIXTURE) as Json, releaseSlow: () => slowGate(), close: async () => undefined };

  const json = (res: ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    api.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/docs/crm.yaml') return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(FIXTURE);
    if (url.pathname === '/docs/live.json') return json(res, 200, api.live);
    if (url.pathname === '/docs/slow.yaml') {
      await slowReleased;
      return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(FIXTURE);
    }
    if (req.headers['x-api-key'] !== SOURCE_KEY) return json(res, 401, { code: 'unauthorized', message: 'bad key' });
    const match = /^\/api\/v1\/customers(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return json(res, 404, { code: 'not_found', message: 'no such route' });
    const id = match[1] ? decodeURIComponent(match[1]) : undefined;
    if (req.method === 'GET' && id) return customers.has(id) ? json(res, 200, customers.get(id)) : json(res, 404, { code: 'not_found', message: `customer ${id} not found` });
    if (req.method === 'GET') {
      const q = url.searchParams.get('q')?.toLowerCase();
      return json(res, 200, { items: [...customers.values()].filter((c) => !q || c.name.toLowerCase().includes(q)), nextCursor: null });
    }
    if (req.method === 'POST' && !id) {
      const customer = { id: `c${customers.size + 1}`, ...(JSON.parse(body) as Json), createdAt: '2025-01-01T00:00:00Z' };
      customers.set(customer.id, customer);
      return json(res, 201, customer);
    }
    return json(res, 405, { code: 'method_not_allowed', message: req.method });
  }
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => !res.headersSent && res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = async () => {
    slowGate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return api;
}

describe('OpenAPI sources (a local HTTP API, real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let api: CrmApi;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { SOURCE_REFRESH_TICK_MS: '0' } });
    [tenant, other] = [await createTenant(t), await createTenant(t)];
    await allowLoopback(t, tenant);
    api = await startCrmApi();
  });
  afterAll(async () => {
    await t.close();
    await api.close();
  });

  const sourceCount = async (as: TestTenant) => (await t.http().get('/api/v1/sources').set(owner(as)).expect(200)).body.items.length;

  describe('preview', () => {
    it('lists the operations of a document fetched by URL and the tool each becomes, storing nothing', async () => {
      const before = await sourceCount(tenant);
      const res = await t.http().post('/api/v1/sources/openapi/preview').set(owner(tenant)).send({ documentUrl: `${api.url}/docs/crm.yaml`, namespace: 'crm' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: 'Acme CRM', version: '1.4.0' });
      const ops = new Map((res.body.operations as Json[]).map((op) => [op.operationId, op]));
      expect(ops.get('getCustomer')).toEqual({ operationId: 'getCustomer', method: 'GET', path: '/customers/{customerId}', summary: 'Get a customer', toolName: 'crm__getCustomer', deprecated: false, unsupported: null });
      expect(ops.get('searchCustomersLegacy')).toMatchObject({ deprecated: true, toolName: 'crm__searchCustomersLegacy' });
      expect(await sourceCount(tenant)).toBe(before);
    });

    it('previews an uploaded document; operations that cannot become tools say why', async () => {
      const res = await t.http().post('/api/v1/sources/openapi/preview').set(owner(tenant)).send({ document: TASKS_FIXTURE });
      expect(res.status).toBe(200);
      const ops = new Map((res.body.operations as Json[]).map((op) => [op.operationId, op]));
      expect(ops.get('complete task!')).toMatchObject({ toolName: 'api__complete_task_', deprecated: true });
      expect(ops.get('uploadAttachment')).toMatchObject({ toolName: null, unsupported: expect.any(String) });
    });

    it('refuses a loopback document URL for a tenant that does not allow it, without a request', async () => {
      const before = api.seen.length;
      const res = await t.http().post('/api/v1/sources/openapi/preview').set(owner(other)).send({ documentUrl: `${api.url}/docs/crm.yaml` });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', message: expect.stringMatching(/127\.0\.0\.1 is a loopback address.*allowlist/) });
      expect(api.seen.length).toBe(before);
    });

    it('two previews at once in one tenant do not break each other', async () => {
      const slow = t.http().post('/api/v1/sources/openapi/preview').set(owner(tenant)).send({ documentUrl: `${api.url}/docs/slow.yaml` }).then((r) => r);
      await eventually('the slow document requested', async () => api.seen.some((r) => r.url === '/docs/slow.yaml'));
      const fast = await t.http().post('/api/v1/sources/openapi/preview').set(owner(tenant)).send({ documentUrl: `${api.url}/docs/crm.yaml` });
      expect(fast.status).toBe(200);
      api.releaseSlow();
      const done = await slow;
      expect({ status: done.status, error: done.body.error?.message }).toEqual({ status: 200, error: undefined });
      expect(done.body.title).toBe('Acme CRM');
    });
  });

  describe('an http source from the document URL', () => {
    let source: Json;
    let tools: Map<string, Json>;

    beforeAll(async () => {
      source = await createSource(t, tenant, {
        kind: 'http',
        namespace: 'crm',
        config: { documentUrl: `${api.url}/docs/crm.yaml`, operations: PICKED },
        secrets: { 'X-API-Key': SOURCE_KEY },
      });
      tools = await toolsOf(t, tenant, source.id);
    });

    it('turns the picked operations into disabled tools crm__<operationId> with schemas from the document', () => {
      expect(source).toMatchObject({ kind: 'http', status: 'healthy', lastError: null, toolCount: 3, secretNames: ['X-API-Key'] });
      expect([...tools.keys()].sort()).toEqual(['crm__createCustomer', 'crm__getCustomer', 'crm__listCustomers']);
      for (const tool of tools.values()) expect(tool).toMatchObject({ enabled: false, status: 'active', version: 1 });
      const get = tools.get('crm__getCustomer')!;
      expect(get).toMatchObject({ upstreamName: 'getCustomer', title: 'Get a customer', annotations: { readOnlyHint: true, destructiveHint: false } });
      expect(get.inputSchema).toMatchObject({ type: 'object', required: ['customerId'], properties: { customerId: { type: 'string' } } });
      // The credential header is the source's secret, not an argument agents could set.
      expect(Object.keys(tools.get('crm__listCustomers')!.inputSchema.properties)).not.toContain('X-API-Key');
      expect(tools.get('crm__createCustomer')!.annotations).toMatchObject({ readOnlyHint: false });
    });

    it('serves them through the gateway: real requests with the source key, never the agent key; the status API shows the latency', async () => {
      const before = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
      expect(before.body).toMatchObject({ discovery: 'healthy', p50Ms: null, p95Ms: null, toolCount: 3, pendingReviews: 0 });

      const group = await createGroup(t, tenant);
      await expose(t, tenant, group.id, [...tools.values()].map((x) => x.id));
      const key = await createKey(t, tenant, group.id);
      const { client } = await sessionClient(t.url!, group.serverCode, key.plaintext);
      const seenBefore = api.seen.length;
      try {
        const listed = (await client.listTools()).tools;
        expect(listed.map((x) => x.name)).toEqual(['crm__createCustomer', 'crm__getCustomer', 'crm__listCustomers']);
        expect(listed.find((x) => x.name === 'crm__getCustomer')!.inputSchema).toMatchObject({ required: ['customerId'] });

        const got = (await client.callTool({ name: 'crm__getCustomer', arguments: { customerId: 'c1' } })) as Json;
        expect(got.isError).toBeFalsy();
        expect(got.structuredContent ?? JSON.parse(textOf(got))).toMatchObject({ id: 'c1', name: 'Ada Lovelace' });
        const found = (await client.callTool({ name: 'crm__listCustomers', arguments: { q: 'alan' } })) as Json;
        expect(textOf(found)).toContain('Alan Turing');
        expect(textOf(found)).not.toContain('Ada');
        const created = (await client.callTool({
          name: 'crm__createCustomer',
          arguments: { 'Idempotency-Key': 'idem-0001-abcd', body: { name: 'Grace Hopper', email: 'grace@example.com', status: 'lead' } },
        })) as Json;
        expect(created.isError).toBeFalsy();
        expect(textOf(created)).toContain('Grace Hopper');
        const missing = (await client.callTool({ name: 'crm__getCustomer', arguments: { customerId: 'nope' } })) as Json;
        expect(missing.isError).toBe(true);
        expect(textOf(missing)).toMatch(/404/);
      } finally {
        await client.close();
      }
      const requests = api.seen.slice(seenBefore);
      expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /api/v1/customers/c1',
        'GET /api/v1/customers?q=alan',
        'POST /api/v1/customers',
        'GET /api/v1/customers/nope',
      ]);
      for (const r of requests) {
        expect(r.headers['x-api-key']).toBe(SOURCE_KEY);
        expect(JSON.stringify(r.headers)).not.toContain(key.plaintext.slice(16));
      }
      expect(requests[2].headers['idempotency-key']).toBe('idem-0001-abcd');
      expect(JSON.parse(requests[2].body)).toEqual({ name: 'Grace Hopper', email: 'grace@example.com', status: 'lead' });

      const after = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
      expect(after.body).toMatchObject({ state: 'ready', discovery: 'healthy', inFlight: 0, toolCount: 3, pendingReviews: 0 });
      expect(after.body.p50Ms).toEqual(expect.any(Number));
      expect(after.body.p95Ms).toBeGreaterThanOrEqual(after.body.p50Ms);
    });

    it('the preview names tools as discovery will: the source template, and a suffix where another source holds the name', async () => {
      const preview = async (body: Json) => {
        const res = await t.http().post('/api/v1/sources/openapi/preview').set(owner(tenant)).send({ documentUrl: `${api.url}/docs/crm.yaml`, ...body });
        expect(res.status).toBe(200);
        return new Map((res.body.operations as Json[]).map((op) => [op.operationId, op.toolName]));
      };
      // The namespace's own source keeps its names.
      expect((await preview({ namespace: 'crm' })).get('getCustomer')).toBe('crm__getCustomer');
      // Another source whose template would give the same names: those held by the crm source get a suffix.
      const names = await preview({ namespace: 'copy', toolNameTemplate: 'crm__{tool}' });
      expect(names.get('getCustomer')).toMatch(/^crm__getCustomer_[0-9a-f]{8}$/);
      expect(names.get('listCategories')).toBe('crm__listCategories');
      const copy = await createSource(t, tenant, {
        kind: 'http',
        namespace: 'copy',
        config: { documentUrl: `${api.url}/docs/crm.yaml`, operations: ['getCustomer', 'listCategories'], toolNameTemplate: 'crm__{tool}' },
      });
      expect([...(await toolsOf(t, tenant, copy.id)).keys()].sort()).toEqual([names.get('getCustomer'), 'crm__listCategories']);
    });

    it('a refresh that finds the same document changes nothing', async () => {
      const before = await toolsOf(t, tenant, source.id);
      const res = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(res.body.refresh).toEqual({ added: [], pendingReview: [], updated: [], removed: [], restored: [], unchanged: 3 });
      const after = await toolsOf(t, tenant, source.id);
      for (const [name, tool] of before) expect(after.get(name)).toEqual(tool);
    });

    it('another tenant cannot read, refresh or see the tools of the source', async () => {
      expect((await t.http().get(`/api/v1/sources/${source.id}`).set(owner(other))).status).toBe(404);
      expect((await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(other))).status).toBe(404);
      expect((await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(other))).status).toBe(404);
      expect((await t.http().get(`/api/v1/tools?sourceId=${source.id}`).set(owner(other)).expect(200)).body.items).toEqual([]);
    });
  });

  it('an uploaded document with a base URL and a naming template', async () => {
    const source = await createSource(t, tenant, {
      kind: 'http',
      namespace: 'uploaded',
      config: { document: FIXTURE, baseUrl: `${api.url}/api/v1`, operations: ['getCustomer'], toolNameTemplate: 'acme.{tool}' },
      secrets: { 'X-API-Key': SOURCE_KEY },
    });
    const tools = await toolsOf(t, tenant, source.id);
    expect([...tools.keys()]).toEqual(['acme.getCustomer']);
    const group = await createGroup(t, tenant);
    await expose(t, tenant, group.id, [tools.get('acme.getCustomer')!.id]);
    const key = await createKey(t, tenant, group.id);
    const { client } = await sessionClient(t.url!, group.serverCode, key.plaintext);
    try {
      const got = (await client.callTool({ name: 'acme.getCustomer', arguments: { customerId: 'c2' } })) as Json;
      expect(textOf(got)).toContain('Alan Turing');
    } finally {
      await client.close();
    }
  });

  it('document drift: a live operation’s change waits for review and approval switches it; a dropped operation is removed', async () => {
    api.live = parseYaml(FIXTURE) as Json;
    const source = await createSource(t, tenant, {
      kind: 'http',
      namespace: 'drift',
      config: { documentUrl: `${api.url}/docs/live.json`, operations: PICKED },
      secrets: { 'X-API-Key': SOURCE_KEY },
    });
    const tools = await toolsOf(t, tenant, source.id);
    const group = await createGroup(t, tenant);
    await expose(t, tenant, group.id, [tools.get('drift__getCustomer')!.id, tools.get('drift__listCustomers')!.id]);
    const key = await createKey(t, tenant, group.id);
    const { client, transport } = await sessionClient(t.url!, group.serverCode, key.plaintext);
    try {
      const changes = listChangedWatcher(client);
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['drift__getCustomer', 'drift__listCustomers']);
      await streamOpen(t, transport);

      // The API's next version: getCustomer gets a new summary and a required query parameter; listCustomers is gone.
      const get = api.live.paths['/customers/{customerId}'].get;
      get.summary = 'Fetch one customer';
      get.parameters.push({ name: 'view', in: 'query', required: true, schema: { type: 'string', enum: ['short', 'full'] } });
      delete api.live.paths['/customers'].get;

      const removedMark = changes.mark();
      const refreshed = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(refreshed.body.refresh).toMatchObject({ pendingReview: ['drift__getCustomer'], removed: ['drift__listCustomers'], added: [] });
      await removedMark.arrived();
      const listed = (await client.listTools()).tools;
      expect(listed.map((x) => [x.name, x.title])).toEqual([['drift__getCustomer', 'Get a customer']]);
      // Still the old request: no `view` needed.
      expect(textOf(await client.callTool({ name: 'drift__getCustomer', arguments: { customerId: 'c1' } }))).toContain('Ada Lovelace');

      const [review] = (await t.http().get(`/api/v1/tool-reviews?sourceId=${source.id}`).set(owner(tenant)).expect(200)).body.items;
      expect(review).toMatchObject({ toolName: 'drift__getCustomer', live: { title: 'Get a customer' }, proposed: { title: 'Fetch one customer' } });
      expect(review.proposed.inputSchema.required.sort()).toEqual(['customerId', 'view']);
      expect(review.proposed).not.toHaveProperty('binding');

      const approvedMark = changes.mark();
      await t.http().post(`/api/v1/tool-reviews/${review.id}/approve`).set(owner(tenant)).expect(200);
      await approvedMark.arrived();
      const v2 = (await client.listTools()).tools[0];
      expect(v2).toMatchObject({ name: 'drift__getCustomer', title: 'Fetch one customer' });
      const invalid = (await client.callTool({ name: 'drift__getCustomer', arguments: { customerId: 'c1' } })) as Json;
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toMatch(/view/);
      // The approved version's request binding is live too: the new query parameter is sent.
      const seenBefore = api.seen.length;
      expect(textOf(await client.callTool({ name: 'drift__getCustomer', arguments: { customerId: 'c1', view: 'short' } }))).toContain('Ada Lovelace');
      expect(api.seen.slice(seenBefore).map((r) => r.url)).toEqual(['/api/v1/customers/c1?view=short']);
    } finally {
      await client.close();
    }
  });

  it('an operation renamed to the name of a removed tool gets its own name instead of failing the refresh', async () => {
    // "find customer" becomes the tool renamed__find_customer; the API then fixes its operationId to "find_customer",
    // whose name would be the same: the removed tool keeps it (old call logs name it), the new one gets a suffix.
    api.live = parseYaml(FIXTURE) as Json;
    api.live.paths['/customers/{customerId}'].get.operationId = 'find customer';
    const source = await createSource(t, tenant, {
      kind: 'http',
      namespace: 'renamed',
      config: { documentUrl: `${api.url}/docs/live.json`, operations: ['find customer', 'find_customer'] },
      secrets: { 'X-API-Key': SOURCE_KEY },
    });
    const first = await toolsOf(t, tenant, source.id);
    expect([...first.keys()]).toEqual(['renamed__find_customer']);
    const old = first.get('renamed__find_customer')!;

    api.live.paths['/customers/{customerId}'].get.operationId = 'find_customer';
    const res = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant));
    expect(res.status).toBe(200);
    expect(res.body.refresh.removed).toEqual(['renamed__find_customer']);
    expect(res.body.refresh.added).toEqual([expect.stringMatching(/^renamed__find_customer_[0-9a-f]{8}$/)]);
    const after = await toolsOf(t, tenant, source.id);
    expect(after.get('renamed__find_customer')).toMatchObject({ id: old.id, status: 'removed', upstreamName: 'find customer' });
    expect(after.get(res.body.refresh.added[0])).toMatchObject({ status: 'active', upstreamName: 'find_customer', enabled: false });
  });
});
