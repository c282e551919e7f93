// SSRF through the whole product (SECURITY 26): upstream MCP sources and HTTP (OpenAPI) tools whose address is
// loopback, private, link-local or cloud metadata are refused unless the tenant's allowlist names them, before any
// connection is made; every redirect hop is re-checked. Sources are created with the admin API and called by a real
// MCP SDK Client through the gateway. Nothing leaves 127.0.0.1: the refused addresses are never dialled, and the
// socket watcher proves it.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { auth, createGroup, createKey, createTenant, TestTenant } from '../../../test/factories';
import { sessionClient } from '../../../test/mcp-clients';
import { createTestApp, TestApp } from '../../../test/test-app';
import { PlainHttpServer, startHttpServer, startTestUpstream, TestUpstream, watchConnections } from '../../../test/upstreams';

type Result = CallToolResult & { isError?: boolean };
const text = (r: Result) => (r.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');

const METADATA = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
/** Not routable: a connection attempt would hang until a timeout, so a quick refusal also shows none was made. */
const PRIVATE = 'http://10.255.255.1/mcp';

/** An OpenAPI document whose operations the API server below answers. */
const API_DOCUMENT = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'Inventory', version: '1.0.0' },
  servers: [{ url: 'http://inventory.invalid' }],
  paths: {
    '/items': { get: { operationId: 'listItems', summary: 'Lists the items', responses: { '200': { description: 'ok' } } } },
    '/moved': { get: { operationId: 'movedItems', summary: 'Redirects within the API', responses: { '200': { description: 'ok' } } } },
    '/leave': { get: { operationId: 'leaveApi', summary: 'Redirects to the metadata service', responses: { '200': { description: 'ok' } } } },
  },
});

describe('SSRF guard for upstream sources, through the admin API and the gateway', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let group: { id: string; serverCode: string };
  let client: Client;
  let up: TestUpstream;
  let api: PlainHttpServer;
  let dialled: ReturnType<typeof watchConnections>;
  let n = 0;

  const as = () => auth(tenant.owner.token, tenant.id);
  const setAllowlist = async (networkAllowlist: string[]) => {
    const res = await t.http().patch('/api/v1/tenant').set(as()).send({ networkAllowlist });
    expect(res.status).toBe(200);
    expect(res.body.networkAllowlist).toEqual(networkAllowlist);
    // No wait: a tenant change drops this replica's cached sources at once (the cache would hold them 1 s).
  };
  const createSource = async (body: Record<string, unknown>) => {
    const res = await t
      .http()
      .post('/api/v1/sources')
      .set(as())
      .send({ name: 'Upstream', namespace: `ssrf_${++n}`, ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; status: string; lastError: string | null; toolCount: number };
  };
  const expose = async (sourceId: string, upstreamName: string): Promise<string> => {
    const list = await t.http().get(`/api/v1/tools?sourceId=${sourceId}`).set(as());
    const tool = (list.body.items as Array<{ id: string; name: string; upstreamName: string }>).find((x) => x.upstreamName === upstreamName)!;
    expect((await t.http().patch(`/api/v1/tools/${tool.id}`).set(as()).send({ enabled: true })).status).toBe(200);
    expect((await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(as()).send({})).status).toBe(200);
    return tool.name;
  };
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as Result;
  const lastLog = async (toolName: string): Promise<{ outcome: string; error_code: string | null }> =>
    (await t.db.query(`SELECT outcome, error_code FROM call_logs WHERE tool_name = $1 ORDER BY created_at DESC LIMIT 1`, [toolName]))[0];
  /** No socket was ever opened to a refused address (10.x, 169.254.x). */
  const expectNothingDialledOutside = () => expect(dialled.hosts.filter((h) => /^(10\.|169\.254\.)/.test(h))).toEqual([]);

  beforeAll(async () => {
    dialled = watchConnections();
    t = await createTestApp({ listen: true });
    tenant = await createTenant(t);
    group = await createGroup(t, tenant);
    ({ client } = await sessionClient(t.url!, group.serverCode, (await createKey(t, tenant, group.id)).plaintext));
    up = await startTestUpstream();
    api = await startHttpServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/items') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: ['bolt', 'nut'] }));
      else if (path === '/moved') res.writeHead(301, { location: '/items' }).end();
      else if (path === '/leave') res.writeHead(302, { location: METADATA }).end();
      else if (path === '/mcp-307') res.writeHead(307, { location: METADATA }).end();
      else if (path === '/mcp-302') res.writeHead(302, { location: 'http://10.255.255.1/mcp' }).end();
      else if (path === '/openapi-302') res.writeHead(302, { location: `${METADATA}openapi.json` }).end();
      else res.writeHead(404).end();
    });
  });

  afterAll(async () => {
    await client?.close();
    await t?.close();
    await up?.close();
    await api?.close();
    dialled.restore();
  });

  afterEach(() => expectNothingDialledOutside());

  it('refuses MCP sources on loopback, localhost, 10.x and the metadata address without an allowlist entry: saved with status error naming the refusal, nothing dialled', async () => {
    await setAllowlist([]);
    const port = new URL(up.url).port;
    const cases: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${port}/mcp`, /127\.0\.0\.1 is a loopback address; add it to the tenant's network allowlist to allow it/],
      [`http://localhost:${port}/mcp`, /localhost resolves to (127\.0\.0\.1|::1), a loopback address; add localhost or (127\.0\.0\.1|::1) to the tenant's network allowlist/],
      [PRIVATE, /10\.255\.255\.1 is a private address; add it to the tenant's network allowlist/],
      ['http://169.254.169.254/mcp', /169\.254\.169\.254 is a cloud metadata address; add it to the tenant's network allowlist/],
    ];
    const started = Date.now();
    for (const [url, refusal] of cases) {
      for (const kind of ['mcp_http', 'mcp_sse']) {
        const source = await createSource({ kind, name: 'Internal CRM', config: { urls: [url] }, secrets: { Authorization: 'Bearer must-not-travel' } });
        expect(source).toMatchObject({ status: 'error', toolCount: 0 });
        expect(source.lastError).toMatch(refusal);
        expect(source.lastError).toMatch(/source "Internal CRM"/);
        const status = await t.http().get(`/api/v1/sources/${source.id}/status`).set(as());
        expect(status.body).toMatchObject({ discovery: 'error' });
        expect(status.body.lastError).toMatch(refusal);
      }
    }
    // Refused before connecting: an attempt on 10.255.255.1 would have waited for a connect timeout.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(up.requests).toEqual([]);
    expect(dialled.hosts.some((h) => h === 'localhost' || h === '10.255.255.1' || h === '169.254.169.254')).toBe(false);
  });

  it('refuses HTTP (OpenAPI) tools whose base URL is private or the metadata address: a clear isError, nothing dialled', async () => {
    await setAllowlist([]);
    for (const [baseUrl, refusal] of [
      ['http://169.254.169.254', /169\.254\.169\.254 is a cloud metadata address/],
      ['http://10.255.255.1:8080', /10\.255\.255\.1 is a private address/],
      [api.url, /127\.0\.0\.1 is a loopback address/],
    ] as const) {
      // The document is uploaded, so discovery needs no network; the call does.
      const source = await createSource({ kind: 'http', name: 'Inventory API', config: { document: API_DOCUMENT, baseUrl } });
      expect(source.status).toBe('healthy');
      const name = await expose(source.id, 'listItems');
      const started = Date.now();
      const result = await call(name);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(refusal);
      expect(text(result)).toMatch(/source "Inventory API"/);
      expect(await lastLog(name)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_REFUSED_ADDRESS' });
    }
    expect(api.requests).toEqual([]);
  });

  it("a tool works while the tenant's allowlist names its host, and is refused with a clear isError once the entry is removed", async () => {
    await setAllowlist(['127.0.0.1']);
    const mcp = await createSource({ kind: 'mcp_http', name: 'Loopback CRM', config: { urls: [up.url] } });
    expect(mcp.status).toBe('healthy');
    const echo = await expose(mcp.id, 'echo');
    const http = await createSource({ kind: 'http', name: 'Loopback API', config: { document: API_DOCUMENT, baseUrl: api.url } });
    const listItems = await expose(http.id, 'listItems');
    expect(text(await call(echo, { text: 'allowed' }))).toBe('echo: allowed');
    expect(JSON.parse(text(await call(listItems)))).toEqual({ items: ['bolt', 'nut'] });
    // The watcher sees the connections that are allowed (so an empty list elsewhere means something).
    expect(dialled.hosts).toContain('127.0.0.1');

    await setAllowlist([]);
    const echoCalls = up.calls.get('echo') ?? 0;
    const apiRequests = api.requests.length;
    const refusedMcp = await call(echo, { text: 'refused' });
    expect(refusedMcp.isError).toBe(true);
    expect(text(refusedMcp)).toMatch(/Tool "ssrf_\d+__echo" failed: .*source "Loopback CRM".*127\.0\.0\.1 is a loopback address; add it to the tenant's network allowlist/);
    expect(await lastLog(echo)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_REFUSED_ADDRESS' });
    const refusedHttp = await call(listItems);
    expect(refusedHttp.isError).toBe(true);
    expect(text(refusedHttp)).toMatch(/source "Loopback API".*127\.0\.0\.1 is a loopback address/);
    expect(await lastLog(listItems)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_REFUSED_ADDRESS' });
    expect(up.calls.get('echo') ?? 0).toBe(echoCalls);
    expect(api.requests.length).toBe(apiRequests);

    // Named again, it works again.
    await setAllowlist(['127.0.0.1']);
    expect(text(await call(echo, { text: 'again' }))).toBe('echo: again');
  });

  it('never follows an MCP source to another origin: a local upstream redirecting to the metadata address or 10.x is refused, nothing dialled', async () => {
    await setAllowlist(['127.0.0.1']);
    for (const kind of ['mcp_http', 'mcp_sse']) {
      for (const [path, refusal] of [
        ['/mcp-307', /source "Redirecting CRM" redirected the request to http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/ \(HTTP 307\); redirects to another origin are not followed/],
        ['/mcp-302', /source "Redirecting CRM" redirected the request to http:\/\/10\.255\.255\.1\/mcp \(HTTP 302\); redirects to another origin are not followed/],
      ] as const) {
        const source = await createSource({ kind, name: 'Redirecting CRM', config: { urls: [`${api.url}${path}`] } });
        expect(source.status).toBe('error');
        expect(source.lastError).toMatch(refusal);
      }
    }
    expect(api.requests.filter((r) => r.url.startsWith('/mcp-')).length).toBeGreaterThanOrEqual(2);

    // A source that worked, whose upstream starts redirecting: the call is refused, not followed.
    const live = await createSource({ kind: 'mcp_http', name: 'Turning CRM', config: { urls: [up.url] } });
    const echo = await expose(live.id, 'echo');
    expect(text(await call(echo, { text: 'before' }))).toBe('echo: before');
    const callsBefore = up.requests.filter((r) => r.rpc === 'tools/call').length;
    up.redirectTo = METADATA;
    try {
      const refused = await call(echo, { text: 'after' });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/source "Turning CRM" redirected the request to http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/ \(HTTP 307\); redirects to another origin are not followed/);
      expect(await lastLog(echo)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_UPSTREAM_ERROR' });
      // Final, not retried (echo is read-only, so a transient failure would have been).
      expect(up.requests.filter((r) => r.rpc === 'tools/call').length).toBe(callsBefore + 1);
    } finally {
      up.redirectTo = null;
    }
  });

  it('an HTTP tool follows a redirect within its API but never one to another origin; an OpenAPI document URL redirecting to the metadata address is refused', async () => {
    await setAllowlist(['127.0.0.1']);
    const source = await createSource({ kind: 'http', name: 'Inventory API', config: { document: API_DOCUMENT, baseUrl: api.url }, secrets: { Authorization: 'Bearer api-secret-123' } });
    const moved = await expose(source.id, 'movedItems');
    const leave = await expose(source.id, 'leaveApi');

    expect(JSON.parse(text(await call(moved)))).toEqual({ items: ['bolt', 'nut'] });
    const refused = await call(leave);
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/HTTP 302: the API redirected to http:\/\/169\.254\.169\.254; redirects to another origin are not followed/);
    // The API got the request with its credential; the redirect target got nothing.
    const leaves = api.requests.filter((r) => r.url === '/leave');
    expect(leaves).toHaveLength(1);
    expect(leaves[0].headers.authorization).toBe('Bearer api-secret-123');

    const byUrl = await createSource({ kind: 'http', name: 'Remote document', config: { documentUrl: `${api.url}/openapi-302`, baseUrl: api.url } });
    expect(byUrl.status).toBe('error');
    expect(byUrl.lastError).toMatch(/Redirect from http:\/\/127\.0\.0\.1:\d+\/openapi-302 to http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/openapi\.json refused: 169\.254\.169\.254 is a cloud metadata address/);
  });
});
