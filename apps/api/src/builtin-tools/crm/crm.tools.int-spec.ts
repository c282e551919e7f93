import Ajv2020 from 'ajv/dist/2020';
import { randomUUID } from 'node:crypto';
import { createTenant, TestTenant } from '../../../test/factories';
import { createTestApp, TestApp } from '../../../test/test-app';
import { BuiltinToolRegistry } from '../builtin-tool-registry';
import { ToolContext, ToolResult } from '../mcp-tool.decorator';
import { testToolContext } from '../tool-context.testing';
import { CrmDemoData } from './crm-demo-data';

/** Tool results, read loosely: the output schema check in `ok` is what holds their shape. */
type Data = Record<string, any>;

describe('crm tools through the registry (real PostgreSQL)', () => {
  let t: TestApp;
  let registry: BuiltinToolRegistry;
  let a: TestTenant;
  let b: TestTenant;
  let ctxA: ToolContext;
  let ctxB: ToolContext;
  // Formats are the gateway's business; here the shape must match.
  const ajv = new Ajv2020({ strict: false, validateFormats: false });

  beforeAll(async () => {
    t = await createTestApp();
    registry = t.app.get(BuiltinToolRegistry);
    a = await createTenant(t);
    b = await createTenant(t);
    for (const tenant of [a, b]) await t.db.transaction((m) => t.app.get(CrmDemoData).seed(m, tenant.id));
    ctxA = testToolContext(a.id);
    ctxB = testToolContext(b.id);
  });
  afterAll(() => t.close());

  const call = (name: string, args: Data, ctx = ctxA): Promise<ToolResult> => registry.get(name)!.invoke(args, ctx);

  /** A successful call's structured result, checked against the tool's output schema and its own text. */
  async function ok(name: string, args: Data, ctx = ctxA): Promise<Data> {
    const result = await call(name, args, ctx);
    expect(result.isError).toBeUndefined();
    const validate = ajv.compile(registry.get(name)!.definition.outputSchema!);
    expect({ name, valid: validate(result.structuredContent), errors: validate.errors ?? null }).toEqual({ name, valid: true, errors: null });
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
    return result.structuredContent as Data;
  }

  /** An expected failure's message. */
  async function fails(name: string, args: Data, ctx = ctxA): Promise<string> {
    const result = await call(name, args, ctx);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    return (result.content[0] as { text: string }).text;
  }

  const idOf = async (tenant: TestTenant, table: string, where: string, params: unknown[] = []): Promise<number> => {
    const [row] = await t.db.query(`SELECT id FROM crm.${table} WHERE tenant_id = $1 AND ${where} ORDER BY id LIMIT 1`, [tenant.id, ...params]);
    return Number(row.id);
  };
  const userId = (tenant: TestTenant, username: string) => idOf(tenant, 'users', 'username = $2', [username]);
  const conversationId = async (tenant: TestTenant, subject: string) => idOf(tenant, 'conversations', 'subject = $2', [subject]);
  const taskCount = async (tenant: TestTenant) => Number((await t.db.query(`SELECT count(*) AS n FROM crm.tasks WHERE tenant_id = $1`, [tenant.id]))[0].n);

  describe('demo data', () => {
    it('seeds users with Chinese and English names, portraits, conversations, messages and tasks, once', async () => {
      const counts = async (tenant: TestTenant) =>
        (
          await t.db.query(
            `SELECT (SELECT count(*)::int FROM crm.users WHERE tenant_id = $1) AS users,
                    (SELECT count(*)::int FROM crm.customer_profiles WHERE tenant_id = $1) AS profiles,
                    (SELECT count(*)::int FROM crm.conversations WHERE tenant_id = $1) AS conversations,
                    (SELECT count(*)::int FROM crm.messages WHERE tenant_id = $1) AS messages,
                    (SELECT count(*)::int FROM crm.tasks WHERE tenant_id = $1) AS tasks`,
            [tenant.id],
          )
        )[0];
      const seeded = await counts(a);
      expect(seeded.users).toBe(12);
      expect(seeded.conversations).toBe(20);
      expect(seeded.messages).toBeGreaterThanOrEqual(70);
      expect(seeded.tasks).toBe(25);
      const names: string[] = (await t.db.query(`SELECT display_name FROM crm.users WHERE tenant_id = $1`, [a.id])).map((r: { display_name: string }) => r.display_name);
      expect(names).toEqual(expect.arrayContaining(['王芳', '李娜', '张伟', 'Emily Carter']));

      const again = await t.db.transaction((m) => t.app.get(CrmDemoData).seed(m, a.id));
      expect(again.seeded).toBe(false);
      expect(await counts(a)).toEqual(seeded);
    });
  });

  describe('get_user_profile (R001)', () => {
    it('finds a user by username (any case) and by user_id', async () => {
      const byName = await ok('get_user_profile', { username: 'Wang.Fang' });
      expect(byName).toMatchObject({ username: 'wang.fang', display_name: '王芳', tier: 'vip', email: 'wang.fang@yunfan-ec.cn', phone: '+86 138 0571 2231' });
      expect(await ok('get_user_profile', { user_id: byName.user_id })).toEqual(byName);
      expect(await ok('get_user_profile', { username: 'emily.carter' })).toMatchObject({ display_name: 'Emily Carter', tier: 'premium' });
    });

    it('wants exactly one of user_id and username', async () => {
      const id = await userId(a, 'li.na');
      expect(await fails('get_user_profile', { user_id: id, username: 'li.na' })).toMatch(/only one of "user_id", "username"/);
      expect(await fails('get_user_profile', {})).toMatch(/Give one of "user_id", "username"/);
      expect(await fails('get_user_profile', { user_id: 'abc' })).toMatch(/"user_id" must be a positive whole number/);
    });

    it("does not find unknown users or another tenant's users", async () => {
      expect(await fails('get_user_profile', { username: 'nobody' })).toBe('User "nobody" not found.');
      const theirs = await userId(b, 'wang.fang');
      expect(await fails('get_user_profile', { user_id: theirs })).toBe(`User ${theirs} not found.`);
      // Each tenant sees its own wang.fang.
      expect((await ok('get_user_profile', { username: 'wang.fang' }, ctxB)).user_id).toBe(theirs);
    });
  });

  describe('get_customer_profile (R002)', () => {
    it('returns the profile, the commercial details and the customer portrait', async () => {
      const result = await ok('get_customer_profile', { username: 'zhao.lei' });
      expect(result.user).toMatchObject({ username: 'zhao.lei', display_name: '赵磊', tier: 'enterprise' });
      expect(result.customer).toMatchObject({ company: '华信精密制造股份有限公司', industry: '制造业', lifetime_value: 1268000, currency: 'CNY' });
      expect(result.customer.tags).toContain('私有化部署');
      expect(result.portrait).toMatchObject({ churn_risk: 'medium', segments: expect.arrayContaining(['strategic']), preferences: { language: 'zh-CN', channel: 'phone' } });
      expect(new Date(result.portrait.last_contact_at).getTime()).toBeLessThan(Date.now());
    });

    it('answers nulls for a user without a customer profile, and not found across tenants', async () => {
      expect(await ok('get_customer_profile', { username: 'huang.min' })).toMatchObject({ user: { display_name: '黄敏' }, customer: null, portrait: null });
      const theirs = await userId(b, 'zhao.lei');
      expect(await fails('get_customer_profile', { user_id: theirs })).toBe(`User ${theirs} not found.`);
    });
  });

  describe('get_conversation_messages (R003)', () => {
    const order = (messages: Data[]) => messages.map((m) => `${m.sent_at}|${String(m.message_id).padStart(12, '0')}`);
    const newestFirst = (messages: Data[]) => expect(order(messages)).toEqual([...order(messages)].sort().reverse());

    it('by conversation: its messages newest first, default limit 20', async () => {
      const id = await conversationId(a, '门店收银机批量升级');
      const result = await ok('get_conversation_messages', { conversation_id: id });
      expect(result.messages.map((m: Data) => m.body)).toEqual([
        '谢谢，辛苦了。',
        '可以，我已为您预约周四 22:00 开始，升级完成后会发送报告给您。',
        '好的，能不能这周四晚上先升级杭州的 5 家？',
        '王总您好！单台升级大约 15 分钟，可以安排在闭店后分批进行，不影响营业。',
        '你好，我们 12 家门店的收银机想统一升级到新版系统，需要停机多久？',
      ]);
      expect(result).toMatchObject({ user_id: await userId(a, 'wang.fang'), has_more: false, focus_message_id: null });
      expect(result.conversations).toEqual([expect.objectContaining({ conversation_id: id, channel: 'wechat', subject: '门店收银机批量升级' })]);
    });

    it('honours limit and says when there is more', async () => {
      const id = await conversationId(a, '门店收银机批量升级');
      const two = await ok('get_conversation_messages', { conversation_id: id, limit: 2 });
      expect(two.messages.map((m: Data) => m.body)).toEqual(['谢谢，辛苦了。', '可以，我已为您预约周四 22:00 开始，升级完成后会发送报告给您。']);
      expect(two.has_more).toBe(true);
    });

    it("by user: the newest messages across the user's conversations", async () => {
      const all = await ok('get_conversation_messages', { user_id: await userId(a, 'wang.fang'), limit: 200 });
      expect(all.messages).toHaveLength(9);
      expect(all.has_more).toBe(false);
      newestFirst(all.messages);
      expect(all.conversations.map((c: Data) => c.subject)).toEqual(['门店收银机批量升级', '年度合同续约咨询']);

      const three = await ok('get_conversation_messages', { user_id: await userId(a, 'wang.fang'), limit: 3 });
      expect(three.messages).toEqual(all.messages.slice(0, 3));
      expect(three.has_more).toBe(true);
      expect(three.conversations).toHaveLength(1);
    });

    it('by message: that message with its neighbours in the conversation, newest first', async () => {
      const id = await conversationId(a, '订单物流延误');
      const conversation = await ok('get_conversation_messages', { conversation_id: id });
      const ids: number[] = conversation.messages.map((m: Data) => m.message_id).reverse(); // oldest first
      const middle = ids[2];

      const around = await ok('get_conversation_messages', { message_id: middle, limit: 3 });
      expect(around.messages.map((m: Data) => m.message_id)).toEqual([ids[3], ids[2], ids[1]]);
      expect(around).toMatchObject({ focus_message_id: middle, has_more: true, user_id: await userId(a, 'zhang.wei') });

      // At the edge the window fills from the other side.
      const first = await ok('get_conversation_messages', { message_id: ids[0], limit: 2 });
      expect(first.messages.map((m: Data) => m.message_id)).toEqual([ids[1], ids[0]]);
      const whole = await ok('get_conversation_messages', { message_id: middle, limit: 50 });
      expect(whole.messages).toEqual(conversation.messages);
      expect(whole.has_more).toBe(false);
    });

    it('refuses bad combinations and limits, and does not find unknown or foreign ids', async () => {
      const id = await conversationId(a, '订单物流延误');
      expect(await fails('get_conversation_messages', { conversation_id: id, user_id: 1 })).toMatch(/Give only one of/);
      expect(await fails('get_conversation_messages', { limit: 5 })).toMatch(/Give one of "user_id", "conversation_id", "message_id"/);
      expect(await fails('get_conversation_messages', { conversation_id: id, limit: 0 })).toMatch(/"limit" must be a whole number from 1 to 200/);
      expect(await fails('get_conversation_messages', { conversation_id: id, limit: 201 })).toMatch(/from 1 to 200/);

      const theirConversation = await conversationId(b, '订单物流延误');
      const theirMessage = await idOf(b, 'messages', 'conversation_id = $2', [theirConversation]);
      expect(await fails('get_conversation_messages', { conversation_id: theirConversation })).toBe(`Conversation ${theirConversation} not found.`);
      expect(await fails('get_conversation_messages', { message_id: theirMessage })).toBe(`Message ${theirMessage} not found.`);
      expect(await fails('get_conversation_messages', { user_id: await userId(b, 'zhang.wei') })).toMatch(/^User \d+ not found\.$/);
    });
  });

  describe('tasks (R004)', () => {
    it("get_task returns a user's task, and not someone else's", async () => {
      const user = await userId(a, 'li.na');
      const task = await idOf(a, 'tasks', `title LIKE '重开第三季度%'`);
      const result = await ok('get_task', { user_id: user, task_id: task });
      expect(result.task).toMatchObject({ task_id: task, user_id: user, status: 'in_progress', title: '重开第三季度增值税专用发票' });
      expect(new Date(result.task.due_at).getTime()).toBeGreaterThan(Date.now());

      const other = await userId(a, 'zhang.wei');
      expect(await fails('get_task', { user_id: other, task_id: task })).toBe(`Task ${task} not found for user ${other}.`);
      const theirTask = await idOf(b, 'tasks', `title LIKE '重开第三季度%'`);
      expect(await fails('get_task', { user_id: user, task_id: theirTask })).toBe(`Task ${theirTask} not found for user ${user}.`);
      expect(await fails('get_task', { user_id: await userId(b, 'li.na'), task_id: theirTask })).toMatch(/^User \d+ not found\.$/);
      expect(await fails('get_task', { user_id: user })).toBe('"task_id" is required.');
    });

    it('create_task creates once per idempotency key: a repeat returns the first result and writes nothing', async () => {
      const user = await userId(a, 'emily.carter');
      const before = await taskCount(a);
      const args = { user_id: user, title: 'Call back about the loyalty rollout', description: 'She asked for a call on Tuesday.', due_at: '2030-03-05T17:00:00-08:00', idempotency_key: randomUUID() };

      const first = await ok('create_task', args);
      const firstText = (await call('create_task', args)).content;
      expect(first.task).toMatchObject({ user_id: user, title: args.title, description: args.description, status: 'open', due_at: '2030-03-06T01:00:00.000Z' });
      const second = await ok('create_task', args);
      expect(second).toEqual(first);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      expect((await call('create_task', args)).content).toEqual(firstText);
      expect(await taskCount(a)).toBe(before + 1);
      expect((await ok('get_task', { user_id: user, task_id: first.task.task_id })).task).toEqual(first.task);

      // The same key for a different request is a mistake worth saying out loud.
      expect(await fails('create_task', { ...args, title: 'Something else' })).toMatch(/idempotency_key ".*" was already used for a different create_task request/);
      expect(await taskCount(a)).toBe(before + 1);
    });

    it('create_task: concurrent calls with one key write one row and all return it', async () => {
      const before = await taskCount(a);
      const args = { user_id: await userId(a, 'james.wilson'), title: 'Replacement arrived?', idempotency_key: `dup-${randomUUID()}` };
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => ok('create_task', args)));
      expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(await taskCount(a)).toBe(before + 1);
    });

    it('create_task: a failed write leaves the key unused; keys are per tenant', async () => {
      const key = `k-${randomUUID()}`;
      const theirs = await userId(b, 'emily.carter');
      expect(await fails('create_task', { user_id: theirs, title: 'x', idempotency_key: key })).toBe(`User ${theirs} not found.`);
      const mine = await userId(a, 'emily.carter');
      expect((await ok('create_task', { user_id: mine, title: 'x', idempotency_key: key })).task.user_id).toBe(mine);
      // Tenant B may use the same key for its own request.
      expect((await ok('create_task', { user_id: theirs, title: 'x', idempotency_key: key }, ctxB)).task.user_id).toBe(theirs);
    });

    it('create_task refuses missing or malformed arguments', async () => {
      const user = await userId(a, 'emily.carter');
      expect(await fails('create_task', { user_id: user, title: 'x' })).toBe('"idempotency_key" is required and must not be empty.');
      expect(await fails('create_task', { user_id: user, title: '  ', idempotency_key: 'k' })).toBe('"title" is required and must not be empty.');
      expect(await fails('create_task', { user_id: user, title: 'x', due_at: 'next friday', idempotency_key: 'k' })).toMatch(/"due_at" must be a date-time/);
      expect(await fails('create_task', { title: 'x', idempotency_key: 'k' })).toBe('"user_id" is required.');
    });

    it('update_task_status changes once per key and returns the first result on a repeat', async () => {
      const user = await userId(a, 'michael.chen');
      const task = await idOf(a, 'tasks', `title = 'Send data-residency whitepaper'`);
      const args = { user_id: user, task_id: task, status: 'in_progress', idempotency_key: randomUUID() };

      const first = await ok('update_task_status', args);
      expect(first).toMatchObject({ previous_status: 'open', task: { task_id: task, status: 'in_progress' } });
      expect(await ok('update_task_status', args)).toEqual(first);

      const done = await ok('update_task_status', { ...args, status: 'done', idempotency_key: randomUUID() });
      expect(done).toMatchObject({ previous_status: 'in_progress', task: { status: 'done' } });
      // Replaying the first key does not move the task back.
      expect(await ok('update_task_status', args)).toEqual(first);
      expect((await ok('get_task', { user_id: user, task_id: task })).task.status).toBe('done');
    });

    it('update_task_status: concurrent calls with one key change the task once', async () => {
      const user = await userId(a, 'olivia.brown');
      const task = await idOf(a, 'tasks', `title = 'Trial ending reminder'`);
      const args = { user_id: user, task_id: task, status: 'cancelled', idempotency_key: randomUUID() };
      const results = await Promise.all([1, 2, 3, 4].map(() => ok('update_task_status', args)));
      expect(results.every((r) => r.previous_status === 'open' && r.task.status === 'cancelled')).toBe(true);
      const [row] = await t.db.query(`SELECT count(*)::int AS n FROM crm.idempotency_keys WHERE tenant_id = $1 AND key = $2`, [a.id, args.idempotency_key]);
      expect(row.n).toBe(1);
    });

    it("update_task_status refuses bad statuses and another user's or tenant's task", async () => {
      const user = await userId(a, 'michael.chen');
      const task = await idOf(a, 'tasks', `title = 'Schedule Azure AD SSO migration call'`);
      expect(await fails('update_task_status', { user_id: user, task_id: task, status: 'finished', idempotency_key: 'k1' })).toBe(
        '"status" must be one of open, in_progress, done, cancelled.',
      );
      const other = await userId(a, 'olivia.brown');
      expect(await fails('update_task_status', { user_id: other, task_id: task, status: 'done', idempotency_key: 'k2' })).toBe(`Task ${task} not found for user ${other}.`);
      expect(await fails('update_task_status', { user_id: await userId(b, 'michael.chen'), task_id: task, status: 'done', idempotency_key: 'k3' }, ctxB)).toBe(
        `Task ${task} not found for user ${await userId(b, 'michael.chen')}.`,
      );
      expect((await ok('get_task', { user_id: user, task_id: task })).task.status).toBe('open');
    });

    it('a write cancelled before it commits leaves nothing behind', async () => {
      const before = await taskCount(a);
      const controller = new AbortController();
      const args = { user_id: await userId(a, 'emily.carter'), title: 'never', idempotency_key: randomUUID() };
      const pending = call('create_task', args, { ...ctxA, signal: controller.signal });
      controller.abort(new Error('client went away'));
      await expect(pending).rejects.toThrow('client went away');
      expect(await taskCount(a)).toBe(before);
      expect(await t.db.query(`SELECT 1 FROM crm.idempotency_keys WHERE tenant_id = $1 AND key = $2`, [a.id, args.idempotency_key])).toEqual([]);
    });
  });
});
