// JSON Schemas of the crm tools' arguments and results: what agents read to call them, so every field says what it is.
import { MAX_ID } from '../tool-args';

export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const MESSAGES_LIMIT = { min: 1, max: 200, default: 20 } as const;

const id = (description: string) => ({ type: 'integer', minimum: 1, maximum: MAX_ID, description });
const dateTime = (description: string) => ({ type: 'string', format: 'date-time', description });
const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: [schema.type, 'null'] });

const userId = id("The user's numeric id in the CRM.");
const username = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._-]+$',
  description: 'The user\'s login name, e.g. "wang.fang" or "emily.carter" (matched case-insensitively).',
};
const idempotencyKey = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description:
    'A unique key you choose for this change (a UUID is ideal). Repeating a call with the same key and arguments returns the first result and changes nothing; reuse it only to retry the same request.',
};

// "Exactly one of" is said in words and checked by the tool, not with a top-level oneOf: the Anthropic and OpenAI
// APIs refuse tool schemas with oneOf/anyOf/allOf at the top level, and one such tool breaks the agent's whole list.

/** Look a user up by one of two keys, never both. */
const byUser = {
  type: 'object',
  description: 'Give exactly one of user_id or username.',
  properties: {
    user_id: { ...userId, description: `${userId.description} Give this or "username", not both.` },
    username: { ...username, description: `${username.description} Give this or "user_id", not both.` },
  },
  additionalProperties: false,
};

const userProfile = {
  type: 'object',
  properties: {
    user_id: userId,
    username: { type: 'string', description: 'Login name.' },
    display_name: { type: 'string', description: 'Name to address the user by.' },
    email: nullable({ type: 'string', description: 'Email address, when known.' }),
    phone: nullable({ type: 'string', description: 'Phone number with country code, when known.' }),
    tier: { type: 'string', description: 'Service tier: standard, premium, vip or enterprise.' },
    created_at: dateTime('When the user was registered.'),
  },
  required: ['user_id', 'username', 'display_name', 'email', 'phone', 'tier', 'created_at'],
  additionalProperties: false,
};

const portrait = {
  type: 'object',
  description: 'The customer portrait: what the team knows about this customer, to personalise the answer.',
  properties: {
    summary: { type: 'string', description: 'One or two sentences about the customer.' },
    segments: { type: 'array', items: { type: 'string' }, description: 'Marketing and service segments the customer belongs to.' },
    preferences: {
      type: 'object',
      description: 'How the customer likes to be served.',
      properties: {
        language: { type: 'string', description: 'Preferred language, e.g. zh-CN or en-US.' },
        channel: { type: 'string', description: 'Preferred contact channel.' },
        contact_time: { type: 'string', description: 'When the customer prefers to be contacted.' },
      },
      additionalProperties: true,
    },
    churn_risk: { type: 'string', enum: ['low', 'medium', 'high'], description: 'Estimated risk that the customer leaves.' },
    satisfaction: { type: 'number', minimum: 1, maximum: 5, description: 'Average satisfaction score of recent contacts, 1 to 5.' },
    last_contact_at: nullable(dateTime('When the customer was last in contact.')),
    next_best_action: { type: 'string', description: 'What the team suggests doing next.' },
  },
  additionalProperties: true,
};

const customer = {
  type: 'object',
  description: 'Commercial details.',
  properties: {
    company: nullable({ type: 'string', description: 'Company the customer works for or buys for.' }),
    industry: nullable({ type: 'string', description: 'Industry of that company.' }),
    lifetime_value: { type: 'number', description: 'Total revenue from this customer so far.' },
    currency: { type: 'string', description: 'ISO 4217 currency of lifetime_value.' },
    tags: { type: 'array', items: { type: 'string' }, description: 'Free-form labels set by the team.' },
    updated_at: dateTime('When these details last changed.'),
  },
  required: ['company', 'industry', 'lifetime_value', 'currency', 'tags', 'updated_at'],
  additionalProperties: false,
};

const conversation = {
  type: 'object',
  properties: {
    conversation_id: id('Conversation id.'),
    user_id: userId,
    channel: { type: 'string', description: 'Where it happened: web_chat, email, phone, wechat or app.' },
    subject: { type: 'string', description: 'What the conversation is about.' },
    started_at: dateTime('When it started.'),
  },
  required: ['conversation_id', 'user_id', 'channel', 'subject', 'started_at'],
  additionalProperties: false,
};

const message = {
  type: 'object',
  properties: {
    message_id: id('Message id.'),
    conversation_id: id('The conversation it belongs to.'),
    sender: { type: 'string', enum: ['user', 'agent'], description: 'Who wrote it: the customer ("user") or a service agent ("agent").' },
    body: { type: 'string', description: 'The message text.' },
    sent_at: dateTime('When it was sent.'),
  },
  required: ['message_id', 'conversation_id', 'sender', 'body', 'sent_at'],
  additionalProperties: false,
};

const task = {
  type: 'object',
  properties: {
    task_id: id('Task id.'),
    user_id: userId,
    title: { type: 'string', description: 'Short title.' },
    description: { type: 'string', description: 'Details; empty when none were given.' },
    status: { type: 'string', enum: TASK_STATUSES, description: 'open, in_progress, done or cancelled.' },
    due_at: nullable(dateTime('When it is due, if a due date was set.')),
    created_at: dateTime('When it was created.'),
    updated_at: dateTime('When it last changed.'),
  },
  required: ['task_id', 'user_id', 'title', 'description', 'status', 'due_at', 'created_at', 'updated_at'],
  additionalProperties: false,
};

const taskResult = { type: 'object', properties: { task }, required: ['task'], additionalProperties: false };

export const CrmSchemas = {
  getUserProfile: { input: byUser, output: userProfile },

  getCustomerProfile: {
    input: byUser,
    output: {
      type: 'object',
      properties: {
        user: userProfile,
        customer: nullable({ ...customer, description: 'Commercial details; null when the user has no customer profile.' }),
        portrait: nullable({ ...portrait, description: `${portrait.description} Null when the user has no customer profile.` }),
      },
      required: ['user', 'customer', 'portrait'],
      additionalProperties: false,
    },
  },

  getConversationMessages: {
    input: {
      type: 'object',
      properties: {
        user_id: { ...userId, description: "The newest messages across all of this user's conversations. Give only one of user_id, conversation_id, message_id." },
        conversation_id: id('The newest messages of this conversation. Give only one of user_id, conversation_id, message_id.'),
        message_id: id('This message with the messages around it in its conversation. Give only one of user_id, conversation_id, message_id.'),
        limit: {
          type: 'integer',
          minimum: MESSAGES_LIMIT.min,
          maximum: MESSAGES_LIMIT.max,
          default: MESSAGES_LIMIT.default,
          description: `How many messages to return, ${MESSAGES_LIMIT.min} to ${MESSAGES_LIMIT.max} (default ${MESSAGES_LIMIT.default}).`,
        },
      },
      additionalProperties: false,
      description: 'Give exactly one of user_id, conversation_id or message_id, and optionally limit.',
    },
    output: {
      type: 'object',
      properties: {
        user_id: userId,
        conversations: { type: 'array', items: conversation, description: 'The conversations the returned messages belong to, newest first.' },
        messages: { type: 'array', items: message, description: 'Messages, newest first.' },
        has_more: { type: 'boolean', description: 'True when there are more messages than were returned.' },
        focus_message_id: nullable(id('The message asked for by message_id; null otherwise.')),
      },
      required: ['user_id', 'conversations', 'messages', 'has_more', 'focus_message_id'],
      additionalProperties: false,
    },
  },

  getTask: {
    input: {
      type: 'object',
      properties: { user_id: { ...userId, description: 'The user the task belongs to.' }, task_id: id('The task.') },
      required: ['user_id', 'task_id'],
      additionalProperties: false,
    },
    output: taskResult,
  },

  createTask: {
    input: {
      type: 'object',
      properties: {
        user_id: { ...userId, description: 'The user the task is for.' },
        title: { type: 'string', minLength: 1, maxLength: 200, description: 'Short title, e.g. "Call back about the refund".' },
        description: { type: 'string', maxLength: 5000, description: 'Details for whoever handles the task.' },
        due_at: dateTime('When it is due, with a time zone offset, e.g. 2026-03-01T18:00:00+08:00.'),
        idempotency_key: idempotencyKey,
      },
      required: ['user_id', 'title', 'idempotency_key'],
      additionalProperties: false,
    },
    output: taskResult,
  },

  updateTaskStatus: {
    input: {
      type: 'object',
      properties: {
        user_id: { ...userId, description: 'The user the task belongs to.' },
        task_id: id('The task to change.'),
        status: { type: 'string', enum: TASK_STATUSES, description: 'The new status: open, in_progress, done or cancelled.' },
        idempotency_key: idempotencyKey,
      },
      required: ['user_id', 'task_id', 'status', 'idempotency_key'],
      additionalProperties: false,
    },
    output: {
      type: 'object',
      properties: { task, previous_status: { type: 'string', enum: TASK_STATUSES, description: 'The status before this change.' } },
      required: ['task', 'previous_status'],
      additionalProperties: false,
    },
  },
};
