// Drift review at the gateway: a real upstream (an SDK McpServer on 127.0.0.1) changes a live tool's schema. The old
// version stays what agents see and call until an admin approves the new one (agents then get list_changed and the
// new schema) or rejects it (the old one stays, and that version is not proposed again). Every wait is bounded.
import { addMember, auth, createGroup, createKey, createTenant, TestTenant } from '../../../test/factories';
import { sessionClient } from '../../../test/mcp-clients';
import { allowLoopback, createSource, eventually, expose, listChangedWatcher, owner, streamOpen, toolsOf } from '../../../test/sources';
import { createTestApp, TestApp } from '../../../test/test-app';
import { startTestUpstream, TestUpstream } from '../../../test/upstreams';

type Json = Record<string, any>;

const textOf = (result: Json) => (result.content as Json[]).map((c) => c.text).join('');
/** The argument names of an input schema (PostgreSQL's jsonb does not keep key order). */
const argsOf = (schema: Json) => Object.keys(schema.properties ?? {}).sort();

describe('drift reviews (real upstreams, real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  const upstreams: TestUpstream[] = [];

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { SOURCE_REFRESH_TICK_MS: '0' } });
    [tenant, other] = [await createTenant(t), await createTenant(t)];
    await allowLoopback(t, tenant);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  const upstream = async () => {
    const u = await startTestUpstream();
    upstreams.push(u);
    return u;
  };
  const reviews = async (query: string, as = owner(tenant)) => {
    const res = await t.http().get(`/api/v1/tool-reviews?${query}`).set(as).expect(200);
    return res.body.items as Json[];
  };
  /** A source on its own upstream with echo live in a group, and an SDK session on that group. */
  async function liveEcho(namespace: string) {
    const u = await upstream();
    const source = await createSource(t, tenant, { kind: 'mcp_http', namespace, config: { urls: [u.url] } });
    const tools = await toolsOf(t, tenant, source.id);
    const echo = tools.get(`${namespace}__echo`)!;
    const group = await createGroup(t, tenant);
    await expose(t, tenant, group.id, [echo.id]);
    const key = await createKey(t, tenant, group.id);
    const { client, transport } = await sessionClient(t.url!, group.serverCode, key.plaintext);
    const changes = listChangedWatcher(client);
    await client.listTools();
    await streamOpen(t, transport);
    return { u, source, tools, echo, group, client, changes };
  }

  it('list_changed from the upstream opens a review; the old version stays live; approval switches it and tells the agents', async () => {
    const { u, source, echo, client, changes } = await liveEcho('drifty');
    try {
      const v1 = (await client.listTools()).tools[0];
      expect(v1).toMatchObject({ name: 'drifty__echo', description: 'Echoes' });
      expect(argsOf(v1.inputSchema)).toEqual(['text']);

      u.driftEcho();
      // The upstream's notifications/tools/list_changed makes the gateway refresh the source: a review appears.
      const [review] = await eventually('the drift review', async () => {
        const items = await reviews(`sourceId=${source.id}`);
        return items.length > 0 && items;
      });
      expect(review).toMatchObject({
        sourceId: source.id,
        toolId: echo.id,
        toolName: 'drifty__echo',
        status: 'pending',
        live: { description: 'Echoes' },
        proposed: { description: 'Echoes the text, optionally in a language' },
        decidedAt: null,
        decidedBy: null,
      });
      expect(argsOf(review.live.inputSchema)).toEqual(['text']);
      expect(argsOf(review.proposed.inputSchema)).toEqual(['lang', 'text']);
      expect((await t.http().get(`/api/v1/tool-reviews/${review.id}`).set(owner(tenant)).expect(200)).body).toEqual(review);
      const status = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
      expect(status.body.pendingReviews).toBe(1);

      // Agents still see the old version and call the tool by it; the catalog did not change, so nobody was told.
      const listed = (await client.listTools()).tools[0];
      expect(listed).toEqual(v1);
      expect(textOf(await client.callTool({ name: 'drifty__echo', arguments: { text: 'still v1' } }))).toBe('echo: still v1');
      expect(changes.count).toBe(0);
      expect((await t.http().get(`/api/v1/tools/${echo.id}`).set(owner(tenant)).expect(200)).body).toMatchObject({ version: 1, description: 'Echoes' });

      const approvedMark = changes.mark();
      const approved = await t.http().post(`/api/v1/tool-reviews/${review.id}/approve`).set(owner(tenant)).expect(200);
      expect(approved.body).toMatchObject({ id: review.id, status: 'approved', decidedBy: tenant.owner.email, decidedAt: expect.any(String) });
      await approvedMark.arrived();
      const v2 = (await client.listTools()).tools[0];
      expect(v2).toMatchObject({ name: 'drifty__echo', description: 'Echoes the text, optionally in a language' });
      expect(argsOf(v2.inputSchema)).toEqual(['lang', 'text']);
      expect(textOf(await client.callTool({ name: 'drifty__echo', arguments: { text: 'bonjour', lang: 'fr' } }))).toBe('echo: bonjour (fr)');
      expect((await t.http().get(`/api/v1/tools/${echo.id}`).set(owner(tenant)).expect(200)).body).toMatchObject({ version: 2, enabled: true, status: 'active' });

      // Nothing is pending any more; a refresh finds the live version current; a decided review stays decided.
      expect(await reviews(`sourceId=${source.id}`)).toEqual([]);
      expect((await reviews(`sourceId=${source.id}&status=approved`)).map((r) => r.id)).toEqual([review.id]);
      const refreshed = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(refreshed.body.refresh).toMatchObject({ pendingReview: [], updated: [], added: [], removed: [] });
      const again = await t.http().post(`/api/v1/tool-reviews/${review.id}/reject`).set(owner(tenant));
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('REVIEW_CLOSED');
      const audit: Json[] = await t.db.query(`SELECT action FROM audit_events WHERE tenant_id = $1 AND entity_id = $2 AND action LIKE 'tool_review.%'`, [tenant.id, echo.id]);
      expect(audit.map((a) => a.action)).toEqual(['tool_review.approve']);
    } finally {
      await client.close();
    }
  });

  it('a manual refresh finds a drift nobody announced; rejection keeps the old version and the same version is not proposed again', async () => {
    const { u, source, echo, client, changes } = await liveEcho('quiet');
    try {
      // Close the gateway's connection to this upstream (a source change does), so its list_changed reaches nobody.
      await t.http().patch(`/api/v1/sources/${source.id}`).set(owner(tenant)).send({ name: 'Quiet upstream' }).expect(200);
      expect((await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200)).body.state).toBe('idle');
      u.driftEcho();

      const refreshed = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(refreshed.body.refresh).toMatchObject({ pendingReview: ['quiet__echo'], updated: [], added: [], removed: [] });
      const [review] = await reviews(`sourceId=${source.id}`);
      expect(review).toMatchObject({ toolId: echo.id, status: 'pending' });

      const rejected = await t.http().post(`/api/v1/tool-reviews/${review.id}/reject`).set(owner(tenant)).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: tenant.owner.email });
      const tool = (await t.http().get(`/api/v1/tools/${echo.id}`).set(owner(tenant)).expect(200)).body;
      expect(tool).toMatchObject({ version: 1, description: 'Echoes' });
      expect(argsOf(tool.inputSchema)).toEqual(['text']);
      const listed = (await client.listTools()).tools[0];
      expect(listed.description).toBe('Echoes');
      expect(changes.count).toBe(0);

      // The upstream still offers the rejected version: refreshing does not propose it again.
      const again = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(again.body.refresh.pendingReview).toEqual([]);
      expect(await reviews(`sourceId=${source.id}`)).toEqual([]);
      expect((await reviews(`sourceId=${source.id}&status=rejected`)).map((r) => r.id)).toEqual([review.id]);
      const status = await t.http().get(`/api/v1/sources/${source.id}/status`).set(owner(tenant)).expect(200);
      expect(status.body.pendingReviews).toBe(0);
      const approve = await t.http().post(`/api/v1/tool-reviews/${review.id}/approve`).set(owner(tenant));
      expect(approve.status).toBe(409);
      expect(approve.body.error.code).toBe('REVIEW_CLOSED');
    } finally {
      await client.close();
    }
  });

  it('a changed tool that is not live (disabled) is updated in place, version + 1, without a review', async () => {
    const u = await upstream();
    const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'idle', config: { urls: [u.url] } });
    const echo = (await toolsOf(t, tenant, source.id)).get('idle__echo')!;
    expect(echo).toMatchObject({ enabled: false, version: 1 });
    u.driftEcho();
    const updated = await eventually('the disabled tool updated', async () => {
      const tool = (await t.http().get(`/api/v1/tools/${echo.id}`).set(owner(tenant)).expect(200)).body;
      return tool.version === 2 && tool;
    });
    expect(updated).toMatchObject({ description: 'Echoes the text, optionally in a language', enabled: false });
    expect(argsOf(updated.inputSchema)).toEqual(['lang', 'text']);
    expect(await reviews(`sourceId=${source.id}`)).toEqual([]);
  });

  it('a tool gone from the upstream is removed (its pending review superseded) and leaves the group; back, it is restored and its drift proposed again', async () => {
    const { u, source, echo, client, changes } = await liveEcho('leaving');
    try {
      u.driftEcho();
      const [review] = await eventually('the drift review', async () => {
        const items = await reviews(`sourceId=${source.id}`);
        return items.length > 0 && items;
      });
      // Silently (no list_changed) the upstream lists other tools only; a manual refresh sees it.
      u.paginate = true;
      const goneMark = changes.mark();
      const gone = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(gone.body.refresh.removed).toContain('leaving__echo');
      await goneMark.arrived();
      expect((await client.listTools()).tools).toEqual([]);
      await expect(client.callTool({ name: 'leaving__echo', arguments: { text: 'x' } })).rejects.toThrow(/Unknown tool/);
      expect((await t.http().get(`/api/v1/tools/${echo.id}`).set(owner(tenant)).expect(200)).body).toMatchObject({ status: 'removed', version: 1 });
      expect((await t.http().get(`/api/v1/tool-reviews/${review.id}`).set(owner(tenant)).expect(200)).body.status).toBe('superseded');
      const closed = await t.http().post(`/api/v1/tool-reviews/${review.id}/approve`).set(owner(tenant));
      expect(closed.status).toBe(409);

      // Back: the same row is active again with its live version, and the upstream's changed version is proposed anew.
      u.paginate = false;
      const backMark = changes.mark();
      const back = await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(owner(tenant)).expect(200);
      expect(back.body.refresh.restored).toContain('leaving__echo');
      expect(back.body.refresh.pendingReview).toEqual(['leaving__echo']);
      await backMark.arrived();
      const listed = (await client.listTools()).tools;
      expect(listed.map((x) => [x.name, x.description])).toEqual([['leaving__echo', 'Echoes']]);
      const pending = await reviews(`sourceId=${source.id}`);
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ toolId: echo.id, status: 'pending' });
      expect(pending[0].id).not.toBe(review.id);
    } finally {
      await client.close();
    }
  });

  it('another tenant cannot list, read, approve or reject a tenant’s reviews, nor refresh its source; a viewer cannot decide', async () => {
    const u = await upstream();
    const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'private', config: { urls: [u.url] } });
    const echo = (await toolsOf(t, tenant, source.id)).get('private__echo')!;
    await t.http().patch(`/api/v1/tools/${echo.id}`).set(owner(tenant)).send({ enabled: true }).expect(200);
    u.driftEcho();
    const [review] = await eventually('the drift review', async () => {
      const items = await reviews(`sourceId=${source.id}`);
      return items.length > 0 && items;
    });
    const theirs = owner(other);
    expect(await reviews('', theirs)).toEqual([]);
    expect(await reviews(`sourceId=${source.id}`, theirs)).toEqual([]);
    for (const [method, path] of [
      ['get', `/api/v1/tool-reviews/${review.id}`],
      ['post', `/api/v1/tool-reviews/${review.id}/approve`],
      ['post', `/api/v1/tool-reviews/${review.id}/reject`],
      ['post', `/api/v1/sources/${source.id}/refresh`],
      ['get', `/api/v1/sources/${source.id}/status`],
    ] as const) {
      const res = await t.http()[method](path).set(theirs);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const viewer = await addMember(t, tenant, 'viewer');
    expect((await t.http().get(`/api/v1/tool-reviews/${review.id}`).set(auth(viewer.token, tenant.id))).status).toBe(200);
    expect((await t.http().post(`/api/v1/tool-reviews/${review.id}/approve`).set(auth(viewer.token, tenant.id))).status).toBe(403);
    // Still pending, and the tool still at version 1: none of the refused requests changed anything.
    expect((await t.http().get(`/api/v1/tool-reviews/${review.id}`).set(owner(tenant)).expect(200)).body.status).toBe('pending');
    expect((await t.http().get(`/api/v1/tools/${echo.id}`).set(owner(tenant)).expect(200)).body.version).toBe(1);
  });
});
