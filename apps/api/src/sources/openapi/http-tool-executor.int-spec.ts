// The importer end to end against a real HTTP server on 127.0.0.1 that implements the CRM fixture: the document is
// fetched from the server, parsed, turned into tools, and every operation is called through executeHttpTool.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { UpstreamError } from '../upstream/upstream.types';
import { executeHttpTool, type HttpToolContext } from './http-tool-executor';
import { type OpenApiDocument, parseOpenApiDocument } from './openapi-document';
import { listOperations, type OperationTool, operationToTool } from './openapi-tools';

const SOURCE_SECRET = 'sk_live_crm_source_secret_5f2c';
/** What the agent sends to Toolgate: none of it may ever reach the upstream. */
const AGENT_KEY = 'tg_agent0000001_agentsecretagentsecretagentsecret000';
const MAX_RESPONSE_BYTES = 256 * 1024;
const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'crm-api.openapi-3.0.yaml'), 'utf8');

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The fixture API, in memory. Every /api/v1 request needs the source's key. */
function crmServer() {
  const seen: Seen[] = [];
  const customers = new Map<string, Record<string, unknown>>([
    ['c1', { id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com', status: 'active', tags: ['vip'], createdAt: '2024-01-02T03:04:05Z' }],
    ['c2', { id: 'c2', name: 'Alan Turing', email: 'alan@example.com', status: 'lead', tags: [], createdAt: '2024-02-03T04:05:06Z' }],
  ]);
  const notes = new Map<string, Record<string, unknown>[]>([['c1', [{ id: 'n1', body: 'Prefers email', pinned: true }]]]);
  const idempotency = new Map<string, Record<string, unknown>>();
  let nextId = 3;

  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }).end(body);
  };
  const notFound = (res: ServerResponse, what: string) => json(res, 404, { code: 'not_found', message: `${what} not found` });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/docs/openapi.yaml') {
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(FIXTURE);
      return;
    }
    if (!url.pathname.startsWith('/api/v1/')) return notFound(res, 'Route');
    if (req.headers['x-api-key'] !== SOURCE_SECRET) return json(res, 401, { code: 'unauthorized', message: 'bad key' });

    // Like Express: segments are split on the raw path, then decoded.
    const parts = url.pathname.slice('/api/v1/'.length).split('/').map(decodeURIComponent);
    const literal = ['customers/search', 'admin/stats'].includes(parts.join('/'));
    const route = `${req.method} /${parts.map((p, i) => (i % 2 === 1 && !literal ? ':id' : p)).join('/')}`;
    const id = parts[1];
    const parsed = () => JSON.parse(body) as Record<string, unknown>;

    switch (route) {
      case 'GET /customers': {
        const statuses = url.searchParams.getAll('status');
        const q = url.searchParams.get('q')?.toLowerCase();
        const limit = Number(url.searchParams.get('limit') ?? 20);
        const items = [...customers.values()].filter((c) => (!statuses.length || statuses.includes(c.status as string)) && (!q || String(c.name).toLowerCase().includes(q)));
        return json(res, 200, { items: items.slice(0, limit), nextCursor: null });
      }
      case 'POST /customers': {
        const key = req.headers['idempotency-key'] as string | undefined;
        if (!key) return json(res, 422, { code: 'invalid', message: 'Idempotency-Key is required' });
        if (idempotency.has(key)) return json(res, 201, idempotency.get(key));
        const customer = { id: `c${nextId++}`, ...parsed(), createdAt: '2025-01-01T00:00:00Z' };
        customers.set(customer.id, customer);
        idempotency.set(key, customer);
        return json(res, 201, customer);
      }
      case 'GET /customers/search': {
        const q = url.searchParams.get('q')?.toLowerCase() ?? '';
        return json(res, 200, { items: [...customers.values()].filter((c) => String(c.name).toLowerCase().includes(q)), nextCursor: null });
      }
      case 'GET /customers/:id': {
        if (id === 'explode') {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error: database connection lost');
          return;
        }
        const customer = customers.get(id);
        if (!customer) return notFound(res, `Customer ${id}`);
        const expand = url.searchParams.get('expand')?.split(',') ?? [];
        return json(res, 200, { ...customer, ...(expand.includes('notes') ? { notes: notes.get(id) ?? [] } : {}) });
      }
      case 'PUT /customers/:id': {
        if (!customers.has(id)) return notFound(res, `Customer ${id}`);
        const customer = { ...parsed(), id, createdAt: customers.get(id)!.createdAt };
        customers.set(id, customer);
        return json(res, 200, customer);
      }
      case 'PATCH /customers/:id': {
        if (req.headers['content-type'] !== 'application/merge-patch+json') return json(res, 415, { code: 'unsupported', message: 'merge-patch only' });
        const customer = customers.get(id);
        if (!customer) return notFound(res, `Customer ${id}`);
        Object.assign(customer, parsed());
        return json(res, 200, customer);
      }
      case 'DELETE /customers/:id':
        if (!customers.delete(id)) return notFound(res, `Customer ${id}`);
        res.writeHead(204).end();
        return;
      case 'GET /customers/:id/notes': {
        const locale = /(?:^|;\s*)locale=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? 'en';
        return json(res, 200, (notes.get(id) ?? []).map((n) => ({ ...n, locale })));
      }
      case 'POST /customers/:id/notes': {
        const note = { id: `n${nextId++}`, pinned: false, ...parsed() };
        notes.set(id, [...(notes.get(id) ?? []), note]);
        return json(res, 201, note);
      }
      case 'GET /customers/:id/history': {
        // Streamed without a length: the cap must hold while reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"events":[');
        for (let i = 0; i < 20_000; i++) res.write(`${i ? ',' : ''}{"n":${i},"change":"field updated by someone"}`);
        res.end(']}');
        return;
      }
      case 'PUT /tags/:id':
        return json(res, 200, { name: url.searchParams.get('name'), customers: [...customers.values()].filter((c) => (c.tags as string[] | undefined)?.includes(id)).length });
      case 'GET /categories':
        return json(res, 200, { items: [{ id: 1, name: 'Retail', children: [{ id: 2, name: 'Food', children: [] }] }] });
      case 'POST /categories':
        return json(res, 201, { id: 10, ...parsed() });
      case 'GET /files/:id': {
        const size = id === 'huge' ? 2 * 1024 * 1024 : 64;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size }).end(Buffer.alloc(size, 7));
        return;
      }
      case 'GET /admin/stats':
        return json(res, 200, { customers: customers.size, secretCount: 42 });
      default:
        return notFound(res, 'Route');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  return { server, seen };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('HTTP tools against a real server (127.0.0.1)', () => {
  const { server, seen } = crmServer();
  let origin: string;
  let doc: OpenApiDocument;
  const tools = new Map<string, OperationTool>();

  beforeAll(async () => {
    origin = await listen(server);
    // Imported from a URL: the relative server "/api/v1" resolves against it.
    const documentUrl = `${origin}/docs/openapi.yaml`;
    const text = await (await fetch(documentUrl)).text();
    doc = parseOpenApiDocument(text, { documentUrl });
    for (const { operationId } of listOperations(doc)) tools.set(operationId, operationToTool(doc, operationId, { namespace: 'crm' }));
  });

  afterAll(() => close(server));

  beforeEach(() => {
    seen.length = 0;
  });

  const ctx = (overrides: Partial<HttpToolContext> = {}): HttpToolContext => ({
    fetch,
    headers: { 'X-API-Key': SOURCE_SECRET },
    signal: AbortSignal.timeout(10_000),
    maxResponseBytes: MAX_RESPONSE_BYTES,
    ...overrides,
  });
  const call = (operationId: string, args: Record<string, unknown>, overrides: Partial<HttpToolContext> = {}) => {
    const tool = tools.get(operationId);
    if (!tool) throw new Error(`no tool ${operationId}`);
    return executeHttpTool(tool.binding, args, ctx(overrides));
  };
  const text = (result: { content: { type: string; text?: string }[] }) => result.content.map((c) => c.text ?? '').join('');

  it('resolved the document server against the URL it was imported from', () => {
    expect(tools.get('getCustomer')!.binding.serverUrl).toBe(`${origin}/api/v1`);
  });

  it('calls every JSON operation and returns the server data', async () => {
    const list = await call('listCustomers', { status: ['active', 'lead'], limit: 10, q: 'a', 'X-Request-Id': '0b6c3c6e-1f4f-4a58-9d7c-5b0b7e6f1a2b' });
    expect(list.isError).toBeUndefined();
    expect((list.structuredContent!.items as { id: string }[]).map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(seen[0].url).toBe('/api/v1/customers?limit=10&status=active&status=lead&q=a');
    expect(seen[0].headers['x-request-id']).toBe('0b6c3c6e-1f4f-4a58-9d7c-5b0b7e6f1a2b');

    const created = await call('createCustomer', { 'Idempotency-Key': 'idem-0001', body: { name: 'Grace Hopper', email: 'grace@example.com', status: 'lead', phone: null } });
    expect(created.structuredContent).toMatchObject({ id: 'c3', name: 'Grace Hopper', phone: null });
    const again = await call('createCustomer', { 'Idempotency-Key': 'idem-0001', body: { name: 'Grace Hopper', email: 'grace@example.com' } });
    expect(again.structuredContent).toEqual(created.structuredContent);
    expect(JSON.parse(seen[1].body)).toEqual({ name: 'Grace Hopper', email: 'grace@example.com', status: 'lead', phone: null });
    expect(seen[1].headers['content-type']).toBe('application/json');

    expect((await call('searchCustomersLegacy', { q: 'grace' })).structuredContent).toMatchObject({ items: [{ id: 'c3' }] });
    expect((await call('getCustomer', { customerId: 'c1', expand: ['notes', 'tags'] })).structuredContent).toMatchObject({
      id: 'c1',
      notes: [{ id: 'n1', body: 'Prefers email' }],
    });
    expect(seen.at(-1)!.url).toBe('/api/v1/customers/c1?expand=notes,tags');

    const replaced = await call('updateCustomer', { customerId: 'c2', body: { name: 'Alan M. Turing', email: 'alan@example.com', status: 'active' } });
    expect(replaced.structuredContent).toMatchObject({ id: 'c2', name: 'Alan M. Turing', status: 'active' });

    const patched = await call('patch_customers_customerId', { customerId: 'c2', body: { status: 'churned' } });
    expect(patched.structuredContent).toMatchObject({ id: 'c2', status: 'churned' });

    const notes = await call('get_customers_customerId_notes', { customerId: 'c1', locale: 'fr' });
    expect(JSON.parse(text(notes))).toEqual([{ id: 'n1', body: 'Prefers email', pinned: true, locale: 'fr' }]);
    expect(notes.structuredContent).toBeUndefined();

    expect((await call('addNote', { customerId: 'c1', body: { body: 'Called back' } })).structuredContent).toMatchObject({ body: 'Called back', pinned: false });
    expect((await call('renameTag', { path_name: 'vip', query_name: 'gold' })).structuredContent).toEqual({ name: 'gold', customers: 1 });
    expect(seen.at(-1)!.url).toBe('/api/v1/tags/vip?name=gold');
    expect((await call('listCategories', {})).structuredContent).toMatchObject({ items: [{ name: 'Retail', children: [{ name: 'Food' }] }] });
    expect((await call('createCategory', { body: { name: 'Tools', children: [{ name: 'Saws' }] } })).structuredContent).toEqual({ id: 10, name: 'Tools', children: [{ name: 'Saws' }] });
    expect((await call('adminStats', {})).structuredContent).toEqual({ customers: 3, secretCount: 42 });

    expect(await call('deleteCustomer', { customerId: 'c3' })).toEqual({ content: [{ type: 'text', text: 'HTTP 204 No Content (empty body)' }] });
    expect((await call('getCustomer', { customerId: 'c3' })).isError).toBe(true);
  });

  it('sends the source secret and never the agent\'s key or headers', async () => {
    // Whatever the agent puts in its arguments besides declared parameters goes nowhere.
    await call('listCustomers', { limit: 1, Authorization: `Bearer ${AGENT_KEY}`, 'X-API-Key': AGENT_KEY, Cookie: `session=${AGENT_KEY}` });
    await call('createCustomer', { 'Idempotency-Key': 'idem-0002', body: { name: 'Katherine Johnson', email: 'kj@example.com' }, headers: { Authorization: AGENT_KEY } });
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      expect(request.headers['x-api-key']).toBe(SOURCE_SECRET);
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
      expect(JSON.stringify(request)).not.toContain(AGENT_KEY);
    }
  });

  it('cannot reach another route through a path parameter', async () => {
    for (const customerId of ['../admin/stats', '../../admin/stats', '..', 'c1/../../admin/stats']) {
      const result = await call('getCustomer', { customerId });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/^Invalid arguments: "customerId" must not contain/);
    }
    expect(seen).toHaveLength(0);

    // Already percent-encoded by the agent: sent as a literal, it names a customer that does not exist.
    const encoded = await call('getCustomer', { customerId: '..%2F..%2Fadmin%2Fstats' });
    expect(encoded.isError).toBe(true);
    expect(text(encoded)).toMatch(/^HTTP 404 Not Found: .*Customer \.\.%2F\.\.%2Fadmin%2Fstats not found/);
    expect(seen.map((s) => s.url)).toEqual(['/api/v1/customers/..%252F..%252Fadmin%252Fstats']);
    expect(seen.some((s) => s.url.includes('/admin/'))).toBe(false);
  });

  it('answers 404 and 500 as isError results with the status', async () => {
    const missing = await call('getCustomer', { customerId: 'nobody' });
    expect(missing).toEqual({ isError: true, content: [{ type: 'text', text: 'HTTP 404 Not Found: {"code":"not_found","message":"Customer nobody not found"}' }] });
    const broken = await call('getCustomer', { customerId: 'explode' });
    expect(broken).toEqual({ isError: true, content: [{ type: 'text', text: 'HTTP 500 Internal Server Error: Internal error: database connection lost' }] });
    const unauthorized = await call('listCustomers', {}, { headers: {} });
    expect(text(unauthorized)).toMatch(/^HTTP 401 Unauthorized/);
  });

  it('refuses oversized responses, streamed or declared', async () => {
    await expect(call('getCustomerHistory', { customerId: 'c1' })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    await expect(call('downloadFile', { fileId: 'huge' })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    // Within the cap, binary content is still not something to hand an agent.
    const small = await call('downloadFile', { fileId: 'small' });
    expect(small.isError).toBe(true);
    expect(text(small)).toMatch(/application\/octet-stream \(64 bytes\)/);
    // The server is fine afterwards.
    expect((await call('listCustomers', { limit: 1 })).isError).toBeUndefined();
  });

  it('reports a refused connection as UNAVAILABLE, never sent', async () => {
    const gone = createServer();
    const goneOrigin = await listen(gone);
    await close(gone);
    const err = await call('getCustomer', { customerId: 'c1' }, { baseUrl: `${goneOrigin}/api/v1` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', notSent: true });
    expect((err as Error).message).toBe(`GET /customers/{customerId}: could not reach ${new URL(goneOrigin).host} (ECONNREFUSED).`);
  });
});
