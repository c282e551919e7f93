// The gateway end to end: real SDK clients (2025-11-25 sessions and 2026-07-28 stateless) over HTTP,
// the real app and PostgreSQL, the builtin CRM tools on seeded data, and the call log behind every call.
import { Injectable, Module } from '@nestjs/common';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { CrmDemoData } from '../builtin-tools/crm/crm-demo-data';
import { McpTool, ToolContext } from '../builtin-tools/mcp-tool.decorator';
import { auth, createGroup, createKey, createTenant, TestTenant } from '../../test/factories';
import { sessionClient, statelessClient } from '../../test/mcp-clients';
import { createTestApp, TestApp } from '../../test/test-app';

/** A test-only tool that waits until it is cancelled (or 10 s), to prove timeouts cancel the work. */
const slowCalls: { aborted: boolean }[] = [];
@Injectable()
class SlowTools {
  @McpTool({ name: 'test_slow', description: 'Waits until cancelled.', inputSchema: { type: 'object', properties: {} }, timeoutSeconds: 30 })
  async slow(_args: Record<string, unknown>, ctx: ToolContext) {
    const call = { aborted: false };
    slowCalls.push(call);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      ctx.signal.addEventListener('abort', () => {
        call.aborted = true;
        clearTimeout(timer);
        resolve();
      });
    });
    return { done: true };
  }

  @McpTool({ name: 'test_config', description: 'Returns its config_data.', inputSchema: { type: 'object', properties: {} }, outputSchema: { type: 'object' } })
  async config(_args: Record<string, unknown>, ctx: ToolContext) {
    return { config: ctx.configData };
  }
}
@Module({ providers: [SlowTools] })
class SlowToolsModule {}

type Json = Record<string, any>;

describe('MCP gateway (SDK clients over HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let groupA: { id: string; serverCode: string };
  let groupB: { id: string; serverCode: string };
  let tools: Map<string, string>;
  let keyA: string;
  let keyAId: string;
  let keyB: string;
  const owner = () => auth(tenant.owner.token, tenant.id);

  const assign = (groupId: string, toolName: string, body: Json = {}) =>
    t.http().put(`/api/v1/groups/${groupId}/tools/${tools.get(toolName)}`).set(owner()).send(body).expect(200);

  beforeAll(async () => {
    t = await createTestApp({ listen: true, imports: [SlowToolsModule] });
    tenant = await createTenant(t);
    await t.db.transaction((m) => t.app.get(CrmDemoData).seed(m, tenant.id));
    const list = await t.http().get('/api/v1/tools').set(owner());
    tools = new Map(list.body.items.map((x: Json) => [x.name, x.id]));
    groupA = await createGroup(t, tenant, { rateLimit: { perKeyPerMinute: 1000 } });
    groupB = await createGroup(t, tenant);
    for (const name of ['get_user_profile', 'get_customer_profile', 'get_conversation_messages', 'get_task', 'create_task', 'update_task_status']) {
      await assign(groupA.id, name, name === 'get_user_profile' ? { description: 'Look up a customer account (group override).' } : {});
    }
    await assign(groupA.id, 'echo', { alias: 'say' });
    await assign(groupA.id, 'test_slow', { timeoutSeconds: 1 });
    await assign(groupB.id, 'echo');
    const created = await createKey(t, tenant, groupA.id);
    keyA = created.plaintext;
    keyAId = created.key.id;
    keyB = (await createKey(t, tenant, groupB.id)).plaintext;
  });
  afterAll(() => t.close());

  const A_TOOLS = ['create_task', 'get_conversation_messages', 'get_customer_profile', 'get_task', 'get_user_profile', 'say', 'test_slow', 'update_task_status'];

  describe('both protocol eras', () => {
    it('a 2025-11-25 session client lists exactly the group’s enabled tools, with its overrides', async () => {
      const { client } = await sessionClient(t.url!, groupA.serverCode, keyA);
      const { tools: listed } = await client.listTools();
      expect(listed.map((x) => x.name).sort()).toEqual(A_TOOLS);
      expect(listed.find((x) => x.name === 'get_user_profile')!.description).toBe('Look up a customer account (group override).');
      expect(listed.find((x) => x.name === 'say')!.inputSchema).toMatchObject({ type: 'object', properties: { text: expect.any(Object) } });
      const said = await client.callTool({ name: 'say', arguments: { text: '你好' } });
      expect(said.structuredContent).toEqual({ text: '你好' });
      await client.close();
    });

    it('a 2026-07-28 stateless client lists and calls the same tools, with no session', async () => {
      const { client, transport } = await statelessClient(t.url!, groupA.serverCode, keyA);
      expect((transport as unknown as { sessionId?: string }).sessionId).toBeUndefined();
      const { tools: listed } = await client.listTools();
      expect(listed.map((x: Json) => x.name).sort()).toEqual(A_TOOLS);
      const res = (await client.callTool({ name: 'get_user_profile', arguments: { username: 'wang.fang' } })) as Json;
      expect(res.isError).toBeFalsy();
      expect(res.structuredContent).toMatchObject({ username: 'wang.fang', display_name: '王芳' });
      await client.close();
    });

    it('group B sees only its own tool', async () => {
      const { client } = await sessionClient(t.url!, groupB.serverCode, keyB);
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['echo']);
      await client.close();
    });
  });

  describe('the crm tools return the seeded data', () => {
    let client: Awaited<ReturnType<typeof sessionClient>>['client'];
    beforeAll(async () => {
      ({ client } = await sessionClient(t.url!, groupA.serverCode, keyA));
    });
    afterAll(() => client.close());

    const call = async (name: string, args: Json) => {
      const res = (await client.callTool({ name, arguments: args })) as Json;
      expect(res.isError).toBeFalsy();
      return res.structuredContent as Json;
    };

    it('R001 get_user_profile and R002 get_customer_profile, by username and by id', async () => {
      const profile = await call('get_user_profile', { username: 'li.na' });
      expect(profile).toMatchObject({ username: 'li.na', display_name: '李娜' });
      expect(await call('get_user_profile', { user_id: profile.user_id })).toMatchObject({ username: 'li.na' });
      const customer = await call('get_customer_profile', { user_id: profile.user_id });
      expect(customer.user).toMatchObject({ username: 'li.na' });
      expect(customer.customer).toEqual(expect.objectContaining({ company: expect.any(String) }));
      expect(customer.portrait).toEqual(expect.any(Object));
    });

    it('R003 get_conversation_messages honours the limit, newest first', async () => {
      const profile = await call('get_user_profile', { username: 'wang.fang' });
      const res = await call('get_conversation_messages', { user_id: profile.user_id, limit: 2 });
      expect(res.messages.length).toBeLessThanOrEqual(2);
      const times = res.messages.map((m: Json) => Date.parse(m.sent_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('R004 tasks: create with an idempotency key twice gives one task; update status; get it back', async () => {
      const profile = await call('get_user_profile', { username: 'zhang.wei' });
      const args = { user_id: profile.user_id, title: 'Call back about the refund', idempotency_key: 'gw-test-1' };
      const first = await call('create_task', args);
      const again = await call('create_task', args);
      expect(again.task.task_id).toBe(first.task.task_id);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM crm.tasks WHERE tenant_id = $1 AND title = $2`, [tenant.id, args.title]);
      expect(n).toBe(1);
      const updated = await call('update_task_status', { user_id: profile.user_id, task_id: first.task.task_id, status: 'done', idempotency_key: 'gw-test-2' });
      expect(updated).toMatchObject({ previous_status: 'open', task: { status: 'done' } });
      expect((await call('get_task', { user_id: profile.user_id, task_id: first.task.task_id })).task.status).toBe('done');
    });
  });

  describe('refusals', () => {
    it('no key, an unknown key and a key of another group are all refused alike', async () => {
      for (const key of [null, 'tg_aaaaaaaaaaaa_' + 'a'.repeat(43), keyB]) {
        await expect(sessionClient(t.url!, groupA.serverCode, key)).rejects.toThrow(/401|Unauthorized/);
      }
    });

    it('a key revoked while its session is open is refused on the next call', async () => {
      const k = await createKey(t, tenant, groupA.id);
      const { client } = await sessionClient(t.url!, groupA.serverCode, k.plaintext);
      await client.callTool({ name: 'say', arguments: { text: 'before' } });
      await t.http().post(`/api/v1/keys/${k.key.id}/revoke`).set(owner()).send({}).expect(200);
      await expect(client.callTool({ name: 'say', arguments: { text: 'after' } })).rejects.toThrow(/401|Unauthorized/);
      await client.close().catch(() => undefined);
    });

    it('an expired key is refused (within the 1 s cache)', async () => {
      const k = await createKey(t, tenant, groupA.id);
      const { client } = await sessionClient(t.url!, groupA.serverCode, k.plaintext);
      await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [k.key.id]);
      await new Promise((r) => setTimeout(r, 1100));
      await expect(client.callTool({ name: 'say', arguments: { text: 'late' } })).rejects.toThrow(/401|Unauthorized/);
      await client.close().catch(() => undefined);
    });

    it('a disabled group refuses everyone', async () => {
      const g = await createGroup(t, tenant);
      const k = await createKey(t, tenant, g.id);
      await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: false }).expect(200);
      await expect(sessionClient(t.url!, g.serverCode, k.plaintext)).rejects.toThrow(/401|Unauthorized/);
    });

    it('a tool disabled in the group, one outside the key’s allowlist, and an unknown one answer the same, with suggestions', async () => {
      const g = await createGroup(t, tenant);
      await assign(g.id, 'echo');
      await assign(g.id, 'get_task');
      const k = await createKey(t, tenant, g.id, { toolAllowlist: ['echo'] });
      const { client } = await sessionClient(t.url!, g.serverCode, k.plaintext);
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['echo']);
      await expect(client.callTool({ name: 'get_task', arguments: { user_id: 1, task_id: 1 } })).rejects.toThrow(/Unknown tool "get_task"/);
      await expect(client.callTool({ name: 'ecko', arguments: {} })).rejects.toThrow(/Unknown tool "ecko"\. Did you mean "echo"\?/);
      await t.http().put(`/api/v1/groups/${g.id}/tools/${tools.get('echo')}`).set(owner()).send({ enabled: false }).expect(200);
      await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow(/Unknown tool "echo"/);
      await client.close();
    });

    it('invalid arguments: an isError result whose message names the field', async () => {
      const { client } = await sessionClient(t.url!, groupA.serverCode, keyA);
      const res = (await client.callTool({ name: 'get_task', arguments: { user_id: 'abc', task_id: 1 } })) as Json;
      expect(res.isError).toBe(true);
      expect(res.content[0].text).toMatch(/user_id/);
      const missing = (await client.callTool({ name: 'create_task', arguments: { user_id: 1 } })) as Json;
      expect(missing.content[0].text).toMatch(/title/);
      await client.close();
    });

    it('a tool over its timeout answers isError within the deadline and its work is cancelled', async () => {
      const { client } = await sessionClient(t.url!, groupA.serverCode, keyA);
      const started = Date.now();
      const res = (await client.callTool({ name: 'test_slow', arguments: {} })) as Json;
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.isError).toBe(true);
      expect(res.content[0].text).toMatch(/within 1 s/);
      expect(slowCalls.at(-1)?.aborted).toBe(true);
      await client.close();
    });

    it('over the rate limit: a JSON-RPC error carrying retry-after; another group is unaffected', async () => {
      const g = await createGroup(t, tenant, { rateLimit: { perKeyPerMinute: 2 } });
      await assign(g.id, 'echo');
      const k = await createKey(t, tenant, g.id);
      const { client } = await sessionClient(t.url!, g.serverCode, k.plaintext);
      await client.callTool({ name: 'echo', arguments: { text: '1' } });
      await client.callTool({ name: 'echo', arguments: { text: '2' } });
      const err = await client.callTool({ name: 'echo', arguments: { text: '3' } }).catch((e: Json) => e);
      expect(err.code).toBe(-32029);
      expect(err.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      const other = await sessionClient(t.url!, groupB.serverCode, keyB);
      expect((await other.client.callTool({ name: 'echo', arguments: { text: 'fine' } })).isError).toBeFalsy();
      await client.close();
      await other.client.close();
    });
  });

  it('per-tool settings take effect: config_data reaches the tool, tool-level timeout and enabled apply', async () => {
    const g = await createGroup(t, tenant);
    await assign(g.id, 'test_config');
    await assign(g.id, 'test_slow');
    const k = await createKey(t, tenant, g.id);
    await t.http().patch(`/api/v1/tools/${tools.get('test_config')}`).set(owner()).send({ configData: { region: 'cn-east', maxRows: 50 } }).expect(200);
    await t.http().patch(`/api/v1/tools/${tools.get('test_slow')}`).set(owner()).send({ timeoutSeconds: 1 }).expect(200);
    const { client } = await sessionClient(t.url!, g.serverCode, k.plaintext);
    expect((await client.callTool({ name: 'test_config', arguments: {} })).structuredContent).toEqual({ config: { region: 'cn-east', maxRows: 50 } });
    const slow = (await client.callTool({ name: 'test_slow', arguments: {} })) as Json;
    expect(slow.content[0].text).toMatch(/within 1 s/);
    await t.http().patch(`/api/v1/tools/${tools.get('test_config')}`).set(owner()).send({ enabled: false }).expect(200);
    await expect(client.callTool({ name: 'test_config', arguments: {} })).rejects.toThrow(/Unknown tool "test_config"/);
    await t.http().patch(`/api/v1/tools/${tools.get('test_slow')}`).set(owner()).send({ timeoutSeconds: 30 }).expect(200);
    await client.close();
  });

  it('list_changed reaches an open session when a tool is added to its group', async () => {
    const g = await createGroup(t, tenant);
    await assign(g.id, 'echo');
    const k = await createKey(t, tenant, g.id);
    const { client } = await sessionClient(t.url!, g.serverCode, k.plaintext);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await client.listTools();
    // Give the client's GET stream a moment to open before the change.
    await new Promise((r) => setTimeout(r, 200));
    await assign(g.id, 'get_task');
    await expect(Promise.race([changed.then(() => 'changed'), new Promise((r) => setTimeout(() => r('timeout'), 3000))])).resolves.toBe('changed');
    expect((await client.listTools()).tools.map((x) => x.name).sort()).toEqual(['echo', 'get_task']);
    await client.close();
  });

  it('every call has exactly one log row with the right fields, and no secret in any of them', async () => {
    const g = await createGroup(t, tenant);
    await assign(g.id, 'echo');
    await assign(g.id, 'get_task');
    const k = await createKey(t, tenant, g.id);
    const { client } = await sessionClient(t.url!, g.serverCode, k.plaintext);
    await client.callTool({ name: 'echo', arguments: { text: 'logged' } });
    await client.callTool({ name: 'get_task', arguments: { user_id: 'bad', task_id: 1, password: 'hunter2-secret' } });
    await client.callTool({ name: 'nope', arguments: {} }).catch(() => undefined);
    await client.close();
    const rows: Json[] = await t.db.query(`SELECT * FROM call_logs WHERE group_id = $1 ORDER BY created_at`, [g.id]);
    expect(rows.map((r) => [r.tool_name, r.outcome])).toEqual([
      ['echo', 'ok'],
      ['get_task', 'invalid_arguments'],
      ['nope', 'not_found'],
    ]);
    expect(rows[0]).toMatchObject({
      tenant_id: tenant.id,
      api_key_id: k.key.id,
      tool_id: tools.get('echo'),
      method: 'tools/call',
      client_name: 'toolgate-test',
      is_error: false,
      arguments: { text: 'logged' },
      session_id: expect.any(String),
      request_id: expect.any(String),
    });
    expect(rows[0].result_summary.structuredContent).toEqual({ text: 'logged' });
    expect(rows[1].arguments.password).toBe('[REDACTED]');
    const all = JSON.stringify(await t.db.query('SELECT * FROM call_logs'));
    expect(all).not.toContain('hunter2-secret');
    for (const key of [keyA, keyB, k.plaintext]) expect(all).not.toContain(key.slice(16));
  });

  it("logs arguments with the tool's own redaction paths applied, and truncates oversized values", async () => {
    const g = await createGroup(t, tenant);
    await assign(g.id, 'get_task');
    await assign(g.id, 'echo');
    const k = await createKey(t, tenant, g.id);
    await t.http().patch(`/api/v1/tools/${tools.get('get_task')}`).set(owner()).send({ redactionPaths: ['user_id'] }).expect(200);
    const { client } = await sessionClient(t.url!, g.serverCode, k.plaintext);
    await client.callTool({ name: 'get_task', arguments: { user_id: 424242, task_id: 1 } });
    const big = '你'.repeat(9000); // ~27 KB, over the default 16 KB CALL_LOG_MAX_VALUE_BYTES
    expect((await client.callTool({ name: 'echo', arguments: { text: big } })).structuredContent).toEqual({ text: big });
    await client.close();
    await t.http().patch(`/api/v1/tools/${tools.get('get_task')}`).set(owner()).send({ redactionPaths: [] }).expect(200);
    const rows: Json[] = await t.db.query(`SELECT tool_name, arguments, result_summary FROM call_logs WHERE group_id = $1 ORDER BY created_at`, [g.id]);
    expect(rows[0].arguments).toEqual({ user_id: '[REDACTED]', task_id: 1 });
    expect(rows[1].arguments).toMatchObject({ truncated: true, originalBytes: expect.any(Number) });
    expect(rows[1].result_summary).toMatchObject({ truncated: true });
    expect(JSON.stringify(rows[1]).length).toBeLessThan(20_000);
  });

  it('counts exactly one row per tools/call from this key over the whole file', async () => {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE api_key_id = $1 AND method = 'tools/call'`, [keyAId]);
    const calls =
      1 + // say, session era
      1 + // get_user_profile, stateless era
      3 + // R001/R002: two profiles and one customer profile
      2 + // R003: a profile and the messages
      5 + // R004: a profile, create twice, update, get
      2 + // invalid arguments
      1; // the timeout
    expect(n).toBe(calls);
  });
});
