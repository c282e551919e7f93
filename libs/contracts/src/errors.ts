// The error body every API error answers with, and the codes clients can switch on.
import { z } from 'zod';

export const ERROR_CODES = [
  // generic
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
  'RATE_LIMITED',
  // auth
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'FORBIDDEN',
  'TENANT_REQUIRED',
  // features
  'SERVER_CODE_TAKEN',
  'GROUP_NAME_TAKEN',
  'TENANT_SLUG_TAKEN',
  'TOOL_NAME_TAKEN',
  'NAMESPACE_TAKEN',
  'ALIAS_TAKEN',
  'MEMBER_EXISTS',
  'LAST_OWNER',
  'KEY_REVOKED',
  'KEY_EXPIRED',
  'INVALID_CURSOR',
  'COMMAND_NOT_ALLOWED',
  'SOURCE_UNAVAILABLE',
  'SOURCE_MANAGED',
  'REVIEW_CLOSED',
  'INVALID_DOCUMENT',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
