import { z } from 'zod';
import { IsoDateTimeSchema } from './common';

/**
 * Limits of one key, overriding its group's: `perMinute` replaces the group's perKeyPerMinute for this key,
 * `perDay` caps the key per day. The group's own limits (perMinute, perDay) still apply on top.
 */
export const KeyRateLimitSchema = z.strictObject({
  perMinute: z.number().int().min(1).max(1_000_000).nullable().optional(),
  perDay: z.number().int().min(1).max(100_000_000).nullable().optional(),
});
export type KeyRateLimit = z.infer<typeof KeyRateLimitSchema>;

export const CreateApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  expiresAt: IsoDateTimeSchema.nullable().optional(),
  /** Tool names (as exposed by the group) this key may call; null or absent = every tool of the group. */
  toolAllowlist: z.array(z.string().min(1).max(200)).max(1000).nullable().optional(),
  rateLimit: KeyRateLimitSchema.optional(),
});
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;

export const UpdateApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  toolAllowlist: z.array(z.string().min(1).max(200)).max(1000).nullable().optional(),
  expiresAt: IsoDateTimeSchema.nullable().optional(),
  rateLimit: KeyRateLimitSchema.optional(),
});

export const RotateApiKeySchema = z.strictObject({
  /** How long the old key keeps working after rotation. */
  overlapSeconds: z.number().int().min(0).max(30 * 24 * 3600).default(24 * 3600),
});

export const ApiKeyDtoSchema = z.object({
  id: z.uuid(),
  groupId: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  last4: z.string(),
  toolAllowlist: z.array(z.string()).nullable(),
  rateLimit: KeyRateLimitSchema,
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.uuid().nullable(),
  rotatedFromId: z.uuid().nullable(),
  status: z.enum(['active', 'revoked', 'expired']),
});
export type ApiKeyDto = z.infer<typeof ApiKeyDtoSchema>;

/** Returned once, on create, rotate and regenerate: the only time the plaintext key exists outside the agent. */
export const ApiKeyWithSecretSchema = z.object({ key: ApiKeyDtoSchema, plaintext: z.string() });
export type ApiKeyWithSecret = z.infer<typeof ApiKeyWithSecretSchema>;
