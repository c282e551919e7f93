// Discovery and namespacing through the real app: upstreams on 127.0.0.1 (@modelcontextprotocol/server-everything over
// stdio, an SDK McpServer over Streamable HTTP and legacy SSE) are added through the admin API, their tools arrive
// disabled under `<namespace>__<tool>` (or the source's template), and once put in a group they are listed and
// called through /mcp/{serverCode} by the SDK client. Also: the stdio command allowlist, the status API, tenant
// isolation, list_changed and scheduled refreshes. Every wait is bounded.
import { addMember, auth, createGroup, createKey, createPlatformAdmin, createTenant, TestTenant, TestUser } from '../../../test/factories';
import { sessionClient } from '../../../test/mcp-clients';
import { allowLoopback, createSource, eventually, expose, listChangedWatcher, owner, streamOpen, toolsOf } from '../../../test/sources';
import { createTestApp, TestApp } from '../../../test/test-app';
import { childPids, deadUrl, EVERYTHING, startTestUpstream, TestUpstream, waitFor } from '../../../test/upstreams';
import { SourceDiscoveryService } from './source-discovery.service';
import { UpstreamCatalog } from './upstream-catalog';

type Json = Record<string, any>;

const UPSTREAM_TOOLS = ['big', 'echo', 'hang', 'progress', 'read-flaky', 'slow-echo', 'write-flaky'];
const textOf = (result: Json) => (result.content as Json[]).map((c) => c.text).join('');

describe('source discovery and namespacing (real upstreams, real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let root: TestUser;
  let upstream: TestUpstream;
  let baseline: number[];

  beforeAll(async () => {
    baseline = childPids();
    // No scheduled refresh here (the last describe runs its own app for that): refreshes happen only when a test asks.
    t = await createTestApp({ listen: true, env: { SOURCE_REFRESH_TICK_MS: '0' } });
    root = await createPlatformAdmin(t);
    [tenant, other] = [await createTenant(t), await createTenant(t)];
    await allowLoopback(t, tenant);
    upstream = await startTestUpstream();
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
    // The app's shutdown stops every stdio process it started.
    await waitFor('no stdio process left', () => childPids().length === baseline.length, 5000);
  });

  describe('the platform stdio command allowlist', () => {
    const stdioBody = (command: string, namespace: string) => ({ kind: 'mcp_stdio', name: 'stdio', namespace, config: { command, args: [EVERYTHING, 'stdio'] } });

    it('refuses a stdio source whose command is not on the list with 422 COMMAND_NOT_ALLOWED, storing and starting nothing', async () => {
      const before = childPids().length;
      for (const command of ['/bin/sh', process.execPath]) {
        const res = await t.http().post('/api/v1/sources').set(owner(tenant)).send(stdioBody(command, 'not_allowed'));
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('COMMAND_NOT_ALLOWED');
        expect(res.body.error.message).toContain(command);
      }
      const list = await t.http().get('/api/v1/sources').set(owner(tenant)).expect(200);
      expect(list.body.items.map((s: Json) => s.namespace)).not.toContain('not_allowed');
      expect(childPids().length).toBe(before);
    });

    it('lets only platform admins read or edit the list: tenant owners and admins get 403', async () => {
      const admin = await addMember(t, tenant, 'admin');
      for (const user of [tenant.owner, admin]) {
        const headers = auth(user.token, tenant.id);
        expect((await t.http().put('/api/v1/platform/stdio-commands').set(headers).send({ command: process.execPath })).status).toBe(403);
        expect((await t.http().get('/api/v1/platform/stdio-commands').set(headers)).status).toBe(403);
        expect((await t.http().delete(`/api/v1/platform/stdio-commands/${encodeURIComponent('/bin/sh')}`).set(headers)).status).toBe(403);
      }
      const listed = await t.http().get('/api/v1/platform/stdio-commands').set(auth(root.token)).expect(200);
      expect(listed.body.items).toEqual([]);
      // Still refused after the attempts: nothing was added.
      const res = await t.http().post('/api/v1/sources').set(owner(tenant)).send(stdioBody(process.execPath, 'still_refused'));
      expect(res.body.error?.code).toBe('COMMAND_NOT_ALLOWED');
    });

    it('a platform admin adds a command; a command taken off the list is refused again', async () => {
      const added = await t.http().put('/api/v1/platform/stdio-commands').set(auth(root.token)).send({ command: '/usr/bin/true', description: 'test' });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ command: '/usr/bin/true', description: 'test' });
      // Created with the command allowed (no discovery: disabled)…
      const created = await t.http().post('/api/v1/sources').set(owner(tenant)).send({ ...stdioBody('/usr/bin/true', 'true_cmd'), enabled: false });
      expect(created.status).toBe(201);
      await t.http().delete(`/api/v1/platform/stdio-commands/${encodeURIComponent('/usr/bin/true')}`).set(auth(root.token)).expect(204);
      // …and once it is off the list, it can no longer be configured.
      const changed = await t.http().patch(`/api/v1/sources/${created.body.id}`).set(owner(tenant)).send({ config: { command: '/usr/bin/true', args: ['x'] } });
      expect(changed.status).toBe(422);
      expect(changed.body.error.code).toBe('COMMAND_NOT_ALLOWED');
    });
  });

  describe('server-everything over stdio', () => {
    let source: Json;
    let tools: Map<string, Json>;

    beforeAll(async () => {
      await t.http().put('/api/v1/platform/stdio-commands').set(auth(root.token)).send({ command: process.execPath, description: 'node, for server-everything' }).expect(200);
      source = await createSource(t, tenant, { kind: 'mcp_stdio', namespace: 'every', config: { command: process.execPath, args: [EVERYTHING, 'stdio'] } });
      tools = await toolsOf(t, tenant, source.id);
    });

    it('discovers every tool as every__<tool>, all disabled, and counts them on the source', () => {
      expect(source).toMatchObject({ kind: 'mcp_stdio', status: 'healthy', lastError: null, toolCount: tools.size });
      expect(source.lastRefreshedAt).toEqual(expect.any(String));
      expect([...tools.keys()]).toEqual(expect.arrayContaining(['every__echo', 'every__get-sum', 'every__get-env', 'every__trigger-long-running-operation']));
      for (const [name, tool] of tools) {
        expect(name).toMatch(/^every__[a-z-]+$/);
        expect(tool).toMatchObject({ sourceId: source.id, enabled: false, status: 'active', upstreamName: name.slice('every__'.length) });
      }
      expect(tools.get('every__echo')!.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } });
    });

    it('a disabled tool in a group is not served; enabled, it is listed and called through the gateway', async () => {
      const group = await createGroup(t, tenant);
      const echo = tools.get('every__echo')!;
      await t.http().put(`/api/v1/groups/${group.id}/tools/${echo.id}`).set(owner(tenant)).send({}).expect(200);
      const key = await createKey(t, tenant, group.id);
      const { client } = await sessionClient(t.url!, group.serverCode, key.plaintext);
      try {
        expect((await client.listTools()).tools).toEqual([]);
        await expose(t, tenant, group.id, [echo.id, tools.get('every__get-sum')!.id]);
        const listed = await eventually('the enabled tools listed', async () => {
          const names = (await client.listTools()).tools;
          return names.length === 2 && names;
        });
        expect(listed.map((x) => x.name)).toEqual(['every__echo', 'every__get-sum']);
        expect(listed[0].inputSchema).toMatchObject({ properties: { message: { type: 'string' } } });
        expect(textOf(await client.callTool({ name: 'every__echo', arguments: { message: 'hello through the gateway' } }))).toBe('Echo: hello through the gateway');
        expect(textOf(await client.callTool({ name: 'every__get-sum', arguments: { a: 2, b: 40 } }))).toContain('42');
        // The upstream's own name is not callable through the gateway.
        await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toThrow(/Unknown tool/);
      } finally {
        await client.close();
      }
      const logged: Json[] = await t.db.query(`SELECT tool_name, outcome FROM call_logs WHERE group_id = $1 AND method = 'tools/call' ORDER BY created_at`, [group.id]);
      expect(logged.map((r) => [r.tool_name, r.outcome])).toEqual(expect.arrayContaining([['every__echo', 'ok'], ['every__get-sum', 'ok']]));
    });

    it('the status API reports the running process, its latency and the catalog', async () => {
      const current = await t.http().get(`/api/v1/sources/${source.id}`).set(owner(tenant)).expect(200);
      const res = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
      expect(res.body).toMatchObject({
        sourceId: source.id,
        state: 'ready',
        discovery: 'healthy',
        lastError: null,
        inFlight: 0,
        restarts: 0,
        toolCount: tools.size,
        lastRefreshedAt: expect.any(String),
        pendingReviews: 0,
      });
      // server-everything may announce list_changed at any time, which refreshes the source between the two reads.
      expect(Date.parse(res.body.lastRefreshedAt)).toBeGreaterThanOrEqual(Date.parse(current.body.lastRefreshedAt));
      expect(res.body.p50Ms).toEqual(expect.any(Number));
      expect(res.body.p95Ms).toBeGreaterThanOrEqual(res.body.p50Ms);
    });
  });

  describe('Streamable HTTP and legacy SSE', () => {
    let http: Json;
    let sse: Json;

    beforeAll(async () => {
      http = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'remote', config: { urls: [upstream.url] } });
      sse = await createSource(t, tenant, { kind: 'mcp_sse', namespace: 'legacy', config: { urls: [upstream.sseUrl], toolNameTemplate: '{namespace}.{tool}' } });
    });

    it('names Streamable HTTP tools remote__<tool> and SSE tools by the source template, all disabled', async () => {
      const httpTools = await toolsOf(t, tenant, http.id);
      expect([...httpTools.keys()].sort()).toEqual(UPSTREAM_TOOLS.map((n) => `remote__${n}`));
      const sseTools = await toolsOf(t, tenant, sse.id);
      expect([...sseTools.keys()].sort()).toEqual(UPSTREAM_TOOLS.map((n) => `legacy.${n}`));
      for (const tool of [...httpTools.values(), ...sseTools.values()]) expect(tool.enabled).toBe(false);
      expect(httpTools.get('remote__echo')).toMatchObject({ description: 'Echoes', annotations: { readOnlyHint: true }, version: 1 });
      expect(http).toMatchObject({ status: 'healthy', toolCount: UPSTREAM_TOOLS.length });
    });

    it('lists and calls tools of both transports through one group', async () => {
      const [httpTools, sseTools] = [await toolsOf(t, tenant, http.id), await toolsOf(t, tenant, sse.id)];
      const group = await createGroup(t, tenant);
      await expose(t, tenant, group.id, [httpTools.get('remote__echo')!.id, httpTools.get('remote__slow-echo')!.id, sseTools.get('legacy.echo')!.id]);
      const key = await createKey(t, tenant, group.id);
      const { client } = await sessionClient(t.url!, group.serverCode, key.plaintext);
      try {
        expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['legacy.echo', 'remote__echo', 'remote__slow-echo']);
        const before = upstream.requests.filter((r) => r.rpc === 'tools/call').length;
        expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'over streamable http' } }))).toBe('echo: over streamable http');
        expect(textOf(await client.callTool({ name: 'legacy.echo', arguments: { text: 'over sse' } }))).toBe('echo: over sse');
        expect(textOf(await client.callTool({ name: 'remote__slow-echo', arguments: { text: 'slow' } }))).toBe('echo: slow');
        const calls = upstream.requests.filter((r) => r.rpc === 'tools/call').slice(before);
        // The upstream saw its own tool names, over the transport each source names.
        expect(calls.map((r) => r.url)).toEqual(['/mcp', '/messages', '/mcp']);
        // The agent's key never reaches the upstream.
        for (const r of calls) expect(JSON.stringify(r.headers)).not.toContain(key.plaintext.slice(16));
      } finally {
        await client.close();
      }
      const status = await t.http().get(`/api/v1/sources/${http.id}/status`).set(owner(tenant)).expect(200);
      expect(status.body).toMatchObject({ state: 'ready', discovery: 'healthy', toolCount: UPSTREAM_TOOLS.length, pendingReviews: 0, inFlight: 0 });
      expect(status.body.p50Ms).toEqual(expect.any(Number));
      // slow-echo takes 150 ms upstream: the tail shows it.
      expect(status.body.p95Ms).toBeGreaterThanOrEqual(140);
    });

    it('a new template renames the tools at once: agents get list_changed, a taken name gets a stable hash suffix', async () => {
      const sseTools = await toolsOf(t, tenant, sse.id);
      const group = await createGroup(t, tenant);
      await expose(t, tenant, group.id, [sseTools.get('legacy.echo')!.id, sseTools.get('legacy.slow-echo')!.id]);
      const key = await createKey(t, tenant, group.id);
      const { client, transport } = await sessionClient(t.url!, group.serverCode, key.plaintext);
      try {
        const changes = listChangedWatcher(client);
        expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['legacy.echo', 'legacy.slow-echo']);
        await streamOpen(t, transport);
        // `{tool}` alone: "echo" is the builtin echo's name in every tenant, so the upstream's echo cannot have it.
        const renamedMark = changes.mark();
        const patched = await t.http().patch(`/api/v1/sources/${sse.id}`).set(owner(tenant)).send({ config: { urls: [upstream.sseUrl], toolNameTemplate: '{tool}' } });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({ status: 'healthy', toolCount: UPSTREAM_TOOLS.length });
        await renamedMark.arrived();
        const names = (await client.listTools()).tools.map((x) => x.name);
        expect(names).toEqual([expect.stringMatching(/^echo_[0-9a-f]{8}$/), 'slow-echo']);
        expect(textOf(await client.callTool({ name: names[0], arguments: { text: 'renamed' } }))).toBe('echo: renamed');
        // Same tool rows (ids), renamed; the builtin echo is untouched.
        const renamed = await toolsOf(t, tenant, sse.id);
        expect(renamed.get(names[0])!.id).toBe(sseTools.get('legacy.echo')!.id);
        const all = await t.http().get('/api/v1/tools?q=echo').set(owner(tenant)).expect(200);
        expect(all.body.items.filter((x: Json) => x.name === 'echo')).toHaveLength(1);
        // The suffix is stable: a refresh keeps the names.
        const refreshed = await t.http().post(`/api/v1/sources/${sse.id}/refresh`).set(owner(tenant)).expect(200);
        expect(refreshed.body.refresh).toMatchObject({ added: [], removed: [], pendingReview: [], unchanged: UPSTREAM_TOOLS.length });
        expect([...(await toolsOf(t, tenant, sse.id)).keys()]).toContain(names[0]);
      } finally {
        await client.close();
      }
    });

    it('lists every page of an upstream that paginates tools/list', async () => {
      const paged = await startTestUpstream();
      try {
        paged.paginate = true;
        const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'paged', config: { urls: [paged.url] } });
        expect(source).toMatchObject({ status: 'healthy', toolCount: 4 });
        expect([...(await toolsOf(t, tenant, source.id)).keys()].sort()).toEqual(['paged__p1-a', 'paged__p1-b', 'paged__p2-a', 'paged__p3-a']);
        const cursors = paged.requests.filter((r) => r.rpc === 'tools/list');
        expect(cursors.length).toBe(3);
      } finally {
        await paged.close();
      }
    });

    it('a tool removed upstream (list_changed) is marked removed, not deleted, and leaves the group; a manual refresh reports nothing new', async () => {
      const own = await startTestUpstream();
      try {
        const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'shrinking', config: { urls: [own.url] } });
        const tools = await toolsOf(t, tenant, source.id);
        const write = tools.get('shrinking__write-flaky')!;
        const group = await createGroup(t, tenant);
        await expose(t, tenant, group.id, [write.id, tools.get('shrinking__echo')!.id]);
        const key = await createKey(t, tenant, group.id);
        const { client, transport } = await sessionClient(t.url!, group.serverCode, key.plaintext);
        try {
          const changes = listChangedWatcher(client);
          expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['shrinking__echo', 'shrinking__write-flaky']);
          await streamOpen(t, transport);
          const removed = changes.mark();
          own.removeWriteTool();
          // The upstream's list_changed reaches the gateway, which refreshes and tells the group's agents.
          await removed.arrived();
          expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['shrinking__echo']);
          await expect(client.callTool({ name: 'shrinking__write-flaky', arguments: {} })).rejects.toThrow(/Unknown tool/);
        } finally {
          await client.close();
        }
        const kept = await t.http().get(`/api/v1/tools/${write.id}`).set(owner(tenant)).expect(200);
        expect(kept.body).toMatchObject({ name: 'shrinking__write-flaky', status: 'removed', enabled: true });
        const after = await t.http().get(`/api/v1/sources/${source.id}`).set(owner(tenant)).expect(200);
        expect(after.body.toolCount).toBe(UPSTREAM_TOOLS.length - 1);
        const again = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
        expect(again.body.refresh).toEqual({ added: [], pendingReview: [], updated: [], removed: [], restored: [], unchanged: UPSTREAM_TOOLS.length - 1 });
      } finally {
        await own.close();
      }
    });
  });

  it('a list_changed that arrives while a refresh is running is not lost: one more refresh follows it', async () => {
    const own = await startTestUpstream();
    const discovery = t.app.get(SourceDiscoveryService);
    const catalog = t.app.get(UpstreamCatalog);
    const read = catalog.read.bind(catalog);
    const refresh = jest.spyOn(discovery, 'refresh');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    try {
      const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'busy', config: { urls: [own.url] } });
      const echo = (await toolsOf(t, tenant, source.id)).get('busy__echo')!;
      await t.http().patch(`/api/v1/tools/${echo.id}`).set(owner(tenant)).send({ enabled: true }).expect(200);
      // The next refresh of this source lists the upstream, then waits (its result not applied yet) until released.
      jest.spyOn(catalog, 'read').mockImplementation(async (s) => {
        const listed = await read(s);
        if (s.id === source.id && !held) {
          held = true;
          await gate;
        }
        return listed;
      });
      const manual = t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).then((r) => r);
      await eventually('the manual refresh has listed the upstream', async () => held);
      own.driftEcho();
      await eventually('the list_changed refresh requested', async () => refresh.mock.calls.some(([, id, trigger]) => id === source.id && trigger === 'list_changed'));
      release();
      // The manual refresh listed before the drift…
      const done = await manual;
      expect(done.status).toBe(200);
      expect(done.body.refresh.pendingReview).toEqual([]);
      // …and the drift is not lost: the refresh asked for meanwhile runs after it.
      const reviews = await eventually('the drift review', async () => {
        const res = await t.http().get(`/api/v1/tool-reviews?sourceId=${source.id}`).set(owner(tenant)).expect(200);
        return res.body.items.length > 0 && res.body.items;
      });
      expect(reviews[0]).toMatchObject({ toolName: 'busy__echo', status: 'pending' });
    } finally {
      release();
      jest.restoreAllMocks();
      await own.close();
    }
  });

  it('disabling a source takes its tools out of its groups at once (list_changed); enabling brings them back; deleting takes them away', async () => {
    const own = await startTestUpstream();
    try {
      const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'toggled', config: { urls: [own.url] } });
      const tools = await toolsOf(t, tenant, source.id);
      const group = await createGroup(t, tenant);
      await expose(t, tenant, group.id, [tools.get('toggled__echo')!.id]);
      const key = await createKey(t, tenant, group.id);
      const { client, transport } = await sessionClient(t.url!, group.serverCode, key.plaintext);
      try {
        const changes = listChangedWatcher(client);
        expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['toggled__echo']);
        await streamOpen(t, transport);

        const disabled = changes.mark();
        await t.http().patch(`/api/v1/sources/${source.id}`).set(owner(tenant)).send({ enabled: false }).expect(200);
        await disabled.arrived();
        expect((await client.listTools()).tools).toEqual([]);
        const status = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
        expect(status.body).toMatchObject({ state: 'disabled', inFlight: 0 });
        const refused = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant));
        expect(refused.status).toBe(409);
        expect(refused.body.error.message).toMatch(/disabled/);

        const enabled = changes.mark();
        await t.http().patch(`/api/v1/sources/${source.id}`).set(owner(tenant)).send({ enabled: true }).expect(200);
        await enabled.arrived();
        expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['toggled__echo']);
        expect(textOf(await client.callTool({ name: 'toggled__echo', arguments: { text: 'back' } }))).toBe('echo: back');

        const deleted = changes.mark();
        await t.http().delete(`/api/v1/sources/${source.id}`).set(owner(tenant)).expect(204);
        await deleted.arrived();
        expect((await client.listTools()).tools).toEqual([]);
      } finally {
        await client.close();
      }
    } finally {
      await own.close();
    }
  });

  describe('errors, status and tenants', () => {
    it('an unreachable upstream keeps the source with the reason; the status API shows it', async () => {
      const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'dead', config: { urls: [await deadUrl()], resilience: { maxRetries: 0 } } });
      expect(source).toMatchObject({ status: 'error', toolCount: 0, lastRefreshedAt: null });
      expect(source.lastError).toMatch(/unavailable|ECONNREFUSED|connect/i);
      const status = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
      expect(status.body).toMatchObject({ discovery: 'error', toolCount: 0, lastRefreshedAt: null, pendingReviews: 0 });
      expect(status.body.lastError).toEqual(expect.any(String));
      const refresh = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant));
      expect(refresh.status).toBe(502);
      expect(refresh.body.error.code).toBe('SOURCE_UNAVAILABLE');
    });

    it('a loopback upstream is refused until the tenant allows it; then a refresh discovers its tools and clears the error', async () => {
      const source = await createSource(t, other, { kind: 'mcp_http', namespace: 'remote', config: { urls: [upstream.url] } });
      expect(source.status).toBe('error');
      expect(source.lastError).toMatch(/127\.0\.0\.1|loopback/i);
      expect((await toolsOf(t, other, source.id)).size).toBe(0);
      await allowLoopback(t, other);
      const refreshed = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(other)).expect(200);
      expect(refreshed.body.source).toMatchObject({ status: 'healthy', lastError: null, toolCount: UPSTREAM_TOOLS.length });
      expect(refreshed.body.refresh.added.sort()).toEqual(UPSTREAM_TOOLS.map((n) => `remote__${n}`));
      const status = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(other)).expect(200);
      expect(status.body).toMatchObject({ discovery: 'healthy', lastError: null, toolCount: UPSTREAM_TOOLS.length });
      // The same namespace in two tenants: each has its own tools.
      const mine = await toolsOf(t, tenant, (await t.http().get('/api/v1/sources').set(owner(tenant))).body.items.find((s: Json) => s.namespace === 'remote').id);
      const theirs = await toolsOf(t, other, source.id);
      expect(mine.get('remote__echo')!.id).not.toBe(theirs.get('remote__echo')!.id);
    });

    it('another tenant cannot read, refresh, change or see the tools of a source', async () => {
      const list = await t.http().get('/api/v1/sources').set(owner(tenant)).expect(200);
      const source = list.body.items.find((s: Json) => s.namespace === 'every');
      const as = owner(other);
      expect((await t.http().get(`/api/v1/sources/${source.id}`).set(as)).status).toBe(404);
      expect((await t.http().get(`/api/v1/sources/${source.id}/status`).set(as)).status).toBe(404);
      expect((await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(as)).status).toBe(404);
      expect((await t.http().patch(`/api/v1/sources/${source.id}`).set(as).send({ name: 'mine now' })).status).toBe(404);
      expect((await t.http().get(`/api/v1/tools?sourceId=${source.id}`).set(as).expect(200)).body.items).toEqual([]);
      // A member of the owning tenant still reads it; a viewer cannot refresh it.
      const viewer = await addMember(t, tenant, 'viewer');
      expect((await t.http().get(`/api/v1/sources/${source.id}/status`).set(auth(viewer.token, tenant.id))).status).toBe(200);
      expect((await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(auth(viewer.token, tenant.id))).status).toBe(403);
    });
  });
});

describe('scheduled source refresh', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let upstream: TestUpstream;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOURCE_REFRESH_TICK_MS: '100' } });
    tenant = await createTenant(t);
    await allowLoopback(t, tenant);
    upstream = await startTestUpstream();
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
  });

  it('re-lists a source every refreshIntervalSeconds, applying changes the upstream never announced; interval 0 opts out', async () => {
    const scheduled = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'scheduled', config: { urls: [upstream.url], refreshIntervalSeconds: 1 } });
    const manual = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'manual', config: { urls: [upstream.url], refreshIntervalSeconds: 0 } });
    const echoId = (await toolsOf(t, tenant, scheduled.id)).get('scheduled__echo')!.id;
    // A silent change: the upstream now lists other tools, without notifications/tools/list_changed.
    upstream.paginate = true;
    const changed = await eventually(
      'the scheduled refresh',
      async () => {
        const tools = await toolsOf(t, tenant, scheduled.id);
        return tools.has('scheduled__p3-a') && tools;
      },
      5000,
    );
    expect(changed.get('scheduled__echo')).toMatchObject({ id: echoId, status: 'removed' });
    expect(changed.get('scheduled__p1-a')).toMatchObject({ status: 'active', enabled: false });
    const source = await t.http().get(`/api/v1/sources/${scheduled.id}`).set(owner(tenant)).expect(200);
    expect(source.body).toMatchObject({ status: 'healthy', toolCount: 4 });
    expect(new Date(source.body.lastRefreshedAt).getTime()).toBeGreaterThan(new Date(scheduled.lastRefreshedAt).getTime());

    // Back to the full list: the next scheduled refresh restores the same tool row.
    upstream.paginate = false;
    await eventually('the tool restored', async () => (await toolsOf(t, tenant, scheduled.id)).get('scheduled__echo')?.status === 'active', 5000);
    expect((await toolsOf(t, tenant, scheduled.id)).get('scheduled__echo')!.id).toBe(echoId);

    // The opted-out source was never re-listed meanwhile.
    const untouched = await t.http().get(`/api/v1/sources/${manual.id}`).set(owner(tenant)).expect(200);
    expect(untouched.body.lastRefreshedAt).toBe(manual.lastRefreshedAt);
    expect([...(await toolsOf(t, tenant, manual.id)).keys()]).not.toContain('manual__p1-a');
  });
});
