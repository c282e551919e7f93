// The PRD's business tools (R001–R004) over the sample `crm` schema. Every query is scoped to ctx.tenantId.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '../../tools/schema-hash';
import { McpTool, ToolContext, ToolError } from '../mcp-tool.decorator';
import { exactlyOne, optionalDateTime, optionalEnum, optionalInteger, optionalString, requiredId, requiredString } from '../tool-args';
import { CrmSchemas, MESSAGES_LIMIT, TASK_STATUSES, TaskStatus } from './crm.schemas';

type Args = Record<string, unknown>;

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
// Writes repeat safely because each carries an idempotency key.
const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const notFound = (message: string) => new ToolError(message, 'NOT_FOUND');

@Injectable()
export class CrmTools {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @McpTool({
    name: 'get_user_profile',
    title: 'Get user profile',
    description: 'Looks up a user by user_id or username and returns their profile: name, contact details, service tier and sign-up date.',
    inputSchema: CrmSchemas.getUserProfile.input,
    outputSchema: CrmSchemas.getUserProfile.output,
    annotations: { title: 'Get user profile', ...READ },
    timeoutSeconds: 10,
  })
  async getUserProfile(args: Args, ctx: ToolContext): Promise<UserProfile> {
    return toUserProfile(await this.findUser(this.db.manager, ctx, args));
  }

  @McpTool({
    name: 'get_customer_profile',
    title: 'Get customer profile and portrait',
    description:
      "Looks up a customer by user_id or username and returns their profile, commercial details (company, industry, lifetime value, tags) and customer portrait (preferences, segments, churn risk, satisfaction, last contact, suggested next action). Use it before answering a customer so the answer fits them.",
    inputSchema: CrmSchemas.getCustomerProfile.input,
    outputSchema: CrmSchemas.getCustomerProfile.output,
    annotations: { title: 'Get customer profile and portrait', ...READ },
    timeoutSeconds: 10,
  })
  async getCustomerProfile(args: Args, ctx: ToolContext) {
    const user = await this.findUser(this.db.manager, ctx, args);
    ctx.signal.throwIfAborted();
    const [p]: ProfileRow[] = await this.db.query(
      `SELECT company, industry, lifetime_value::float8 AS lifetime_value, currency, tags, portrait, updated_at
       FROM crm.customer_profiles WHERE tenant_id = $1 AND user_id = $2`,
      [ctx.tenantId, user.id],
    );
    return {
      user: toUserProfile(user),
      customer: p
        ? { company: p.company, industry: p.industry, lifetime_value: p.lifetime_value, currency: p.currency, tags: p.tags, updated_at: p.updated_at.toISOString() }
        : null,
      portrait: p ? p.portrait : null,
    };
  }

  @McpTool({
    name: 'get_conversation_messages',
    title: 'Get conversation messages',
    description:
      "Returns messages between a customer and the service team, newest first. Give user_id for the newest messages across all of the user's conversations, conversation_id for one conversation, or message_id for one message with the messages around it. limit caps how many come back (default 20, at most 200).",
    inputSchema: CrmSchemas.getConversationMessages.input,
    outputSchema: CrmSchemas.getConversationMessages.output,
    annotations: { title: 'Get conversation messages', ...READ },
    timeoutSeconds: 10,
  })
  async getConversationMessages(args: Args, ctx: ToolContext) {
    const by = exactlyOne(args, ['user_id', 'conversation_id', 'message_id'] as const);
    const limit = optionalInteger(args, 'limit', MESSAGES_LIMIT.min, MESSAGES_LIMIT.max, MESSAGES_LIMIT.default);
    const focus = by === 'message_id' ? requiredId(args, 'message_id') : null;
    const { userId, rows, hasMore } =
      focus !== null
        ? await this.around(ctx, focus, limit)
        : by === 'user_id'
          ? await this.newestOfUser(ctx, args, limit)
          : await this.newestOfConversation(ctx, requiredId(args, 'conversation_id'), limit);

    ctx.signal.throwIfAborted();
    const conversationIds = [...new Set(rows.map((r) => r.conversation_id))];
    const conversations: ConversationRow[] = conversationIds.length
      ? await this.db.query(
          `SELECT id, user_id, channel, subject, started_at FROM crm.conversations
           WHERE tenant_id = $1 AND id = ANY($2::bigint[]) ORDER BY started_at DESC, id DESC`,
          [ctx.tenantId, conversationIds],
        )
      : [];
    return {
      user_id: userId,
      conversations: conversations.map((c) => ({
        conversation_id: Number(c.id),
        user_id: Number(c.user_id),
        channel: c.channel,
        subject: c.subject,
        started_at: c.started_at.toISOString(),
      })),
      messages: rows.map((r) => ({
        message_id: Number(r.id),
        conversation_id: Number(r.conversation_id),
        sender: r.sender,
        body: r.body,
        sent_at: r.sent_at.toISOString(),
      })),
      has_more: hasMore,
      focus_message_id: focus,
    };
  }

  @McpTool({
    name: 'get_task',
    title: 'Get task',
    description: "Returns one of a user's follow-up tasks: title, description, status, due date.",
    inputSchema: CrmSchemas.getTask.input,
    outputSchema: CrmSchemas.getTask.output,
    annotations: { title: 'Get task', ...READ },
    timeoutSeconds: 10,
  })
  async getTask(args: Args, ctx: ToolContext): Promise<{ task: Task }> {
    const taskId = requiredId(args, 'task_id');
    const user = await this.findUser(this.db.manager, ctx, args);
    ctx.signal.throwIfAborted();
    return { task: toTask(await this.findTask(this.db.manager, ctx.tenantId, Number(user.id), taskId)) };
  }

  @McpTool({
    name: 'create_task',
    title: 'Create task',
    description:
      'Creates a follow-up task for a user (status "open"). Requires an idempotency_key: calling again with the same key and arguments returns the task created the first time instead of creating another.',
    inputSchema: CrmSchemas.createTask.input,
    outputSchema: CrmSchemas.createTask.output,
    annotations: { title: 'Create task', ...WRITE },
    timeoutSeconds: 15,
  })
  async createTask(args: Args, ctx: ToolContext) {
    const title = requiredString(args, 'title', 200);
    const description = optionalString(args, 'description', 5000) ?? '';
    const dueAt = optionalDateTime(args, 'due_at') ?? null;
    const key = requiredString(args, 'idempotency_key', 200);
    requiredId(args, 'user_id');
    return this.once(ctx, 'create_task', key, args, async (m) => {
      const user = await this.findUser(m, ctx, args);
      const [row]: TaskRow[] = await m.query(
        `INSERT INTO crm.tasks (tenant_id, user_id, title, description, due_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, user_id, title, description, status, due_at, created_at, updated_at`,
        [ctx.tenantId, user.id, title, description, dueAt],
      );
      return { task: toTask(row) };
    });
  }

  @McpTool({
    name: 'update_task_status',
    title: 'Update task status',
    description:
      'Sets the status of one of a user\'s tasks to open, in_progress, done or cancelled, and returns the task with its previous status. Requires an idempotency_key: calling again with the same key and arguments returns the first result and changes nothing.',
    inputSchema: CrmSchemas.updateTaskStatus.input,
    outputSchema: CrmSchemas.updateTaskStatus.output,
    annotations: { title: 'Update task status', ...WRITE },
    timeoutSeconds: 15,
  })
  async updateTaskStatus(args: Args, ctx: ToolContext) {
    const taskId = requiredId(args, 'task_id');
    const status = optionalEnum<TaskStatus>(args, 'status', TASK_STATUSES);
    if (!status) throw new ToolError(`"status" is required: one of ${TASK_STATUSES.join(', ')}.`, 'INVALID_ARGUMENTS');
    const key = requiredString(args, 'idempotency_key', 200);
    requiredId(args, 'user_id');
    return this.once(ctx, 'update_task_status', key, args, async (m) => {
      const user = await this.findUser(m, ctx, args);
      const before = await this.findTask(m, ctx.tenantId, Number(user.id), taskId, true);
      // Wrapped in a SELECT because TypeORM answers a bare UPDATE with [rows, count] instead of the rows.
      const [row]: TaskRow[] = await m.query(
        `WITH updated AS (
           UPDATE crm.tasks SET status = $4, updated_at = now() WHERE tenant_id = $1 AND user_id = $2 AND id = $3
           RETURNING id, user_id, title, description, status, due_at, created_at, updated_at
         )
         SELECT * FROM updated`,
        [ctx.tenantId, user.id, taskId, status],
      );
      return { task: toTask(row), previous_status: before.status };
    });
  }

  private async newestOfUser(ctx: ToolContext, args: Args, limit: number): Promise<MessagePage> {
    const userId = Number((await this.findUser(this.db.manager, ctx, args)).id);
    ctx.signal.throwIfAborted();
    const rows: MessageRow[] = await this.db.query(
      `SELECT m.id, m.conversation_id, m.sender, m.body, m.sent_at FROM crm.messages m
       JOIN crm.conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
       WHERE m.tenant_id = $1 AND c.user_id = $2 ORDER BY m.sent_at DESC, m.id DESC LIMIT $3`,
      [ctx.tenantId, userId, limit + 1],
    );
    return { userId, rows: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  private async newestOfConversation(ctx: ToolContext, conversationId: number, limit: number): Promise<MessagePage> {
    const [c]: { user_id: string }[] = await this.db.query(`SELECT user_id FROM crm.conversations WHERE tenant_id = $1 AND id = $2`, [
      ctx.tenantId,
      conversationId,
    ]);
    if (!c) throw notFound(`Conversation ${conversationId} not found.`);
    ctx.signal.throwIfAborted();
    const rows: MessageRow[] = await this.db.query(
      `SELECT id, conversation_id, sender, body, sent_at FROM crm.messages
       WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY sent_at DESC, id DESC LIMIT $3`,
      [ctx.tenantId, conversationId, limit + 1],
    );
    return { userId: Number(c.user_id), rows: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** The `limit` messages nearest to one message in its conversation; on a tie the earlier, which led up to it. */
  private async around(ctx: ToolContext, messageId: number, limit: number): Promise<MessagePage> {
    const [m]: { conversation_id: string; user_id: string }[] = await this.db.query(
      `SELECT m.conversation_id, c.user_id FROM crm.messages m
       JOIN crm.conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
       WHERE m.tenant_id = $1 AND m.id = $2`,
      [ctx.tenantId, messageId],
    );
    if (!m) throw notFound(`Message ${messageId} not found.`);
    ctx.signal.throwIfAborted();
    const rows: (MessageRow & { total: string })[] = await this.db.query(
      `WITH ranked AS (
         SELECT id, conversation_id, sender, body, sent_at, row_number() OVER (ORDER BY sent_at, id) AS rn, count(*) OVER () AS total
         FROM crm.messages WHERE tenant_id = $1 AND conversation_id = $2
       ), nearest AS (
         SELECT r.* FROM ranked r, (SELECT rn FROM ranked WHERE id = $3) f ORDER BY abs(r.rn - f.rn), r.rn LIMIT $4
       )
       SELECT * FROM nearest ORDER BY sent_at DESC, id DESC`,
      [ctx.tenantId, m.conversation_id, messageId, limit],
    );
    return { userId: Number(m.user_id), rows, hasMore: rows.length > 0 && Number(rows[0].total) > rows.length };
  }

  /** The user named by `user_id` or `username` (exactly one), or a not-found ToolError. */
  private async findUser(m: EntityManager, ctx: ToolContext, args: Args): Promise<UserRow> {
    const by = exactlyOne(args, ['user_id', 'username'] as const);
    ctx.signal.throwIfAborted();
    const columns = 'id, username, display_name, email, phone, tier, created_at';
    if (by === 'user_id') {
      const id = requiredId(args, 'user_id');
      const [row]: UserRow[] = await m.query(`SELECT ${columns} FROM crm.users WHERE tenant_id = $1 AND id = $2`, [ctx.tenantId, id]);
      if (!row) throw notFound(`User ${id} not found.`);
      return row;
    }
    const username = requiredString(args, 'username', 64);
    const [row]: UserRow[] = await m.query(`SELECT ${columns} FROM crm.users WHERE tenant_id = $1 AND lower(username) = lower($2)`, [ctx.tenantId, username]);
    if (!row) throw notFound(`User "${username}" not found.`);
    return row;
  }

  private async findTask(m: EntityManager, tenantId: string, userId: number, taskId: number, forUpdate = false): Promise<TaskRow> {
    const [row]: TaskRow[] = await m.query(
      `SELECT id, user_id, title, description, status, due_at, created_at, updated_at FROM crm.tasks
       WHERE tenant_id = $1 AND user_id = $2 AND id = $3${forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, userId, taskId],
    );
    if (!row) throw notFound(`Task ${taskId} not found for user ${userId}.`);
    return row;
  }

  /**
   * Runs a write once per idempotency key. The key's row is claimed first, in the write's transaction: a concurrent
   * call with the same key waits on the primary key, then finds the first call's result and returns it. A failed
   * write rolls the claim back, so the key stays usable.
   */
  private async once<T extends Record<string, unknown>>(ctx: ToolContext, tool: string, key: string, args: Args, write: (m: EntityManager) => Promise<T>): Promise<T> {
    const requestHash = createHash('sha256').update(canonicalJson({ ...args, idempotency_key: undefined })).digest('hex');
    ctx.signal.throwIfAborted();
    return this.db.transaction(async (m) => {
      const claimed: unknown[] = await m.query(
        `INSERT INTO crm.idempotency_keys (tenant_id, tool, key, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, tool, key) DO NOTHING RETURNING 1`,
        [ctx.tenantId, tool, key, requestHash],
      );
      if (!claimed.length) {
        const [prior]: { request_hash: string; result: T }[] = await m.query(
          `SELECT request_hash, result FROM crm.idempotency_keys WHERE tenant_id = $1 AND tool = $2 AND key = $3`,
          [ctx.tenantId, tool, key],
        );
        if (prior.request_hash !== requestHash) {
          throw new ToolError(`The idempotency_key "${key}" was already used for a different ${tool} request; use a new key for a new request.`, 'IDEMPOTENCY_KEY_REUSED');
        }
        return prior.result;
      }
      const result = await write(m);
      // Cancelled while writing: roll back rather than commit a change the caller was told did not finish.
      ctx.signal.throwIfAborted();
      // Answer with the stored copy, so the first call and every repeat return the very same JSON (jsonb orders keys).
      const [stored]: { result: T }[] = await m.query(
        `WITH stored AS (
           UPDATE crm.idempotency_keys SET result = $4 WHERE tenant_id = $1 AND tool = $2 AND key = $3 RETURNING result
         )
         SELECT result FROM stored`,
        [ctx.tenantId, tool, key, JSON.stringify(result)],
      );
      return stored.result;
    });
  }
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  tier: string;
  created_at: Date;
}

interface ProfileRow {
  company: string | null;
  industry: string | null;
  lifetime_value: number;
  currency: string;
  tags: string[];
  portrait: Record<string, unknown>;
  updated_at: Date;
}

interface ConversationRow {
  id: string;
  user_id: string;
  channel: string;
  subject: string;
  started_at: Date;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  sender: 'user' | 'agent';
  body: string;
  sent_at: Date;
}

interface MessagePage {
  userId: number;
  rows: MessageRow[];
  hasMore: boolean;
}

interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string;
  status: TaskStatus;
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type UserProfile = ReturnType<typeof toUserProfile>;
type Task = ReturnType<typeof toTask>;

function toUserProfile(u: UserRow) {
  return {
    user_id: Number(u.id),
    username: u.username,
    display_name: u.display_name,
    email: u.email,
    phone: u.phone,
    tier: u.tier,
    created_at: u.created_at.toISOString(),
  };
}

function toTask(t: TaskRow) {
  return {
    task_id: Number(t.id),
    user_id: Number(t.user_id),
    title: t.title,
    description: t.description,
    status: t.status,
    due_at: t.due_at ? t.due_at.toISOString() : null,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
  };
}
