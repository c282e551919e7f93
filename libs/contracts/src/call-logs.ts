import { z } from 'zod';
import { IsoDateTimeSchema } from './common';

/** What happened to a call: every row has exactly one. */
export const CALL_OUTCOMES = [
  'ok',
  'tool_error',
  'unauthenticated',
  'denied',
  'not_found',
  'invalid_arguments',
  'rate_limited',
  'timeout',
  'cancelled',
  'upstream_error',
  'error',
] as const;
export const CallOutcomeSchema = z.enum(CALL_OUTCOMES);
export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

export const CallLogQuerySchema = z.strictObject({
  groupId: z.uuid().optional(),
  keyId: z.uuid().optional(),
  toolId: z.uuid().optional(),
  toolName: z.string().max(200).optional(),
  outcome: CallOutcomeSchema.optional(),
  from: IsoDateTimeSchema.optional(),
  to: IsoDateTimeSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type CallLogQuery = z.infer<typeof CallLogQuerySchema>;

export const CallLogDtoSchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  groupId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  toolId: z.uuid().nullable(),
  toolName: z.string().nullable(),
  method: z.string(),
  sessionId: z.string().nullable(),
  clientName: z.string().nullable(),
  clientVersion: z.string().nullable(),
  callerIp: z.string().nullable(),
  arguments: z.unknown().nullable(),
  resultSummary: z.unknown().nullable(),
  isError: z.boolean(),
  outcome: CallOutcomeSchema,
  errorCode: z.string().nullable(),
  durationMs: z.number(),
  upstreamDurationMs: z.number().nullable(),
  requestId: z.string().nullable(),
});
export type CallLogDto = z.infer<typeof CallLogDtoSchema>;
