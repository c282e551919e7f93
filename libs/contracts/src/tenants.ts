import { z } from 'zod';
import { RoleSchema } from './roles';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;
export const SlugSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(SLUG_PATTERN, 'lowercase letters, digits, "-" and "_", starting and ending with a letter or digit');

export const CreateTenantSchema = z.strictObject({
  slug: SlugSchema,
  name: z.string().trim().min(1).max(200),
});
/** A tenant's own ceiling on tools/call across all its groups and keys (null or absent = none). */
export const TenantRateLimitSchema = z.strictObject({
  perMinute: z.number().int().min(1).max(10_000_000).nullable().optional(),
  perDay: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
});
export type TenantRateLimit = z.infer<typeof TenantRateLimitSchema>;

/** What platform admins may change on any tenant: the platform's ceiling, which the tenant's owners cannot raise. */
export const UpdatePlatformTenantSchema = z.strictObject({
  /** Replaced as a whole, like rateLimit: {} lifts the platform's ceiling. */
  platformRateLimit: TenantRateLimitSchema,
});
export type UpdatePlatformTenant = z.infer<typeof UpdatePlatformTenantSchema>;

export const UpdateTenantSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  networkAllowlist: z.array(z.string().min(1).max(253)).max(100).optional(),
  rateLimit: TenantRateLimitSchema.optional(),
});
export const TenantDtoSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  networkAllowlist: z.array(z.string()),
  rateLimit: TenantRateLimitSchema,
  /** Set by platform admins, read-only to the tenant; per window the stricter of this and rateLimit applies. */
  platformRateLimit: TenantRateLimitSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TenantDto = z.infer<typeof TenantDtoSchema>;

export const AddMemberSchema = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200).optional(),
  role: RoleSchema,
  /** Needed only when the user does not exist yet. */
  password: z.string().min(12).max(200).optional(),
});
export const UpdateMemberSchema = z.strictObject({ role: RoleSchema });
export const MemberDtoSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  createdAt: z.string(),
});
export type MemberDto = z.infer<typeof MemberDtoSchema>;
