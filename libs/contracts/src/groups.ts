import { z } from 'zod';
import { SlugSchema } from './tenants';

export const RateLimitSchema = z.strictObject({
  /** Calls per minute for the whole group (all keys together). */
  perMinute: z.number().int().min(1).max(1_000_000).nullable().optional(),
  /** Calls per minute for each key of the group. */
  perKeyPerMinute: z.number().int().min(1).max(1_000_000).nullable().optional(),
  /** Calls per day for the whole group. */
  perDay: z.number().int().min(1).max(100_000_000).nullable().optional(),
  /** Calls of one key in flight at once; more get a rate-limit error with a short retry-after. */
  maxConcurrentPerKey: z.number().int().min(1).max(10_000).nullable().optional(),
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

const groupFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  serverCode: SlugSchema,
  enabled: z.boolean(),
  /** PRD MCPToolGroup: which end-user roles / tiers the group is meant for (carried to tools as context). */
  allowedRoles: z.array(z.string().min(1).max(100)).max(100),
  allowedUserTiers: z.array(z.string().min(1).max(100)).max(100),
  rateLimit: RateLimitSchema,
};

export const CreateGroupSchema = z.strictObject({
  ...groupFields,
  description: groupFields.description.default(''),
  enabled: groupFields.enabled.default(true),
  allowedRoles: groupFields.allowedRoles.default([]),
  allowedUserTiers: groupFields.allowedUserTiers.default([]),
  rateLimit: groupFields.rateLimit.default({}),
});
export type CreateGroup = z.infer<typeof CreateGroupSchema>;

export const UpdateGroupSchema = z.strictObject(groupFields).partial();
export type UpdateGroup = z.infer<typeof UpdateGroupSchema>;

export const GroupDtoSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  serverCode: z.string(),
  enabled: z.boolean(),
  allowedRoles: z.array(z.string()),
  allowedUserTiers: z.array(z.string()),
  rateLimit: RateLimitSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GroupDto = z.infer<typeof GroupDtoSchema>;

export const GroupToolAssignmentSchema = z.strictObject({
  alias: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'letters, digits, "_", "-" and "." only, at most 128')
    .nullable()
    .optional(),
  description: z.string().max(4000).nullable().optional(),
  enabled: z.boolean().optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).nullable().optional(),
});
export type GroupToolAssignment = z.infer<typeof GroupToolAssignmentSchema>;

export const GroupToolDtoSchema = z.object({
  groupId: z.uuid(),
  toolId: z.uuid(),
  toolName: z.string(),
  alias: z.string().nullable(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  timeoutSeconds: z.number().nullable(),
  /** The name agents see: the alias when set, else the tool's name. */
  exposedName: z.string(),
});
export type GroupToolDto = z.infer<typeof GroupToolDtoSchema>;
