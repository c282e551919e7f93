import { z } from 'zod';

export const USAGE_DIMENSIONS = ['tenant', 'group', 'key', 'tool'] as const;
export const UsageDimensionSchema = z.enum(USAGE_DIMENSIONS);
export type UsageDimension = z.infer<typeof UsageDimensionSchema>;

/** A calendar month in UTC, `YYYY-MM`. */
export const UsageMonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

export const UsageQuerySchema = z.strictObject({
  /** Default: the current month (UTC). */
  month: UsageMonthSchema.optional(),
  /** Default: tenant (one row, the tenant's total). */
  by: UsageDimensionSchema.optional(),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

export const PlatformUsageQuerySchema = z.strictObject({ month: UsageMonthSchema.optional() });
export type PlatformUsageQuery = z.infer<typeof PlatformUsageQuerySchema>;

/** Calls and errors of one entity in the month. `id` is null for calls to a tool name that matched no tool. */
export const UsageItemSchema = z.object({
  id: z.string().nullable(),
  /** The entity's current name; for a deleted tool or key, the name it was called by, or null. */
  name: z.string().nullable(),
  /** Keys: the public key prefix. */
  prefix: z.string().nullable().optional(),
  /** Keys: the group the key belongs to. */
  groupId: z.string().nullable().optional(),
  /** Tenants (platform usage): the slug. */
  slug: z.string().nullable().optional(),
  calls: z.number().int(),
  errors: z.number().int(),
});
export type UsageItem = z.infer<typeof UsageItemSchema>;

export const UsageDtoSchema = z.object({
  month: z.string(),
  by: UsageDimensionSchema,
  /** [from, to) in ISO form: the month's bounds in UTC. */
  from: z.string(),
  to: z.string(),
  /** Most calls first. */
  items: z.array(UsageItemSchema),
  total: z.object({ calls: z.number().int(), errors: z.number().int() }),
});
export type UsageDto = z.infer<typeof UsageDtoSchema>;
