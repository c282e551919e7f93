import { z } from 'zod';
import { JsonObjectSchema } from './common';
import { SourceKindSchema } from './tools';

export const NamespaceSchema = z.string().regex(/^[a-z0-9][a-z0-9_]{0,39}$/, 'lowercase letters, digits and "_", at most 40');

export const CreateSourceSchema = z.strictObject({
  kind: SourceKindSchema,
  name: z.string().trim().min(1).max(200),
  namespace: NamespaceSchema,
  /** Non-secret settings: URL, command, args, timeouts. */
  config: JsonObjectSchema.default({}),
  /** Secret settings: headers, env, tokens. Encrypted at rest; never returned. */
  secrets: z.record(z.string(), z.string().max(10_000)).default({}),
  enabled: z.boolean().default(true),
});
export type CreateSource = z.infer<typeof CreateSourceSchema>;

export const UpdateSourceSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  config: JsonObjectSchema.optional(),
  /** Replaces the whole secret set when present. */
  secrets: z.record(z.string(), z.string().max(10_000)).optional(),
  enabled: z.boolean().optional(),
});

export const SourceDtoSchema = z.object({
  id: z.uuid(),
  kind: SourceKindSchema,
  name: z.string(),
  namespace: z.string(),
  config: JsonObjectSchema,
  /** Names of the stored secrets, never their values. */
  secretNames: z.array(z.string()),
  enabled: z.boolean(),
  status: z.string(),
  lastError: z.string().nullable(),
  lastRefreshedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SourceDto = z.infer<typeof SourceDtoSchema>;
