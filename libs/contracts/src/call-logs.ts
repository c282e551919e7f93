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

/**
 * The explorer's filters, shared by the list, the count and the export. `from` is inclusive, `to` exclusive.
 * `q` matches text anywhere in the (redacted) arguments' JSON, case-insensitively; `%`, `_` and `\` are literal.
 */
export const CallLogFilterShape = {
  groupId: z.uuid().optional(),
  keyId: z.uuid().optional(),
  toolId: z.uuid().optional(),
  toolName: z.string().max(200).optional(),
  outcome: CallOutcomeSchema.optional(),
  from: IsoDateTimeSchema.optional(),
  to: IsoDateTimeSchema.optional(),
  q: z.string().min(1).max(200).optional(),
  /** The request id a call was answered with (the X-Request-Id the client sent, or the one the gateway made). */
  requestId: z.string().min(1).max(200).optional(),
};
export const CallLogFilterSchema = z.strictObject(CallLogFilterShape);
export type CallLogFilter = z.infer<typeof CallLogFilterSchema>;

/**
 * GET /api/v1/call-logs. Keyset pages, newest first. With `q`, one page scans a bounded number of rows: a page may
 * then hold fewer than `limit` items (even none) while `nextCursor` is not null; keep following it.
 */
export const CallLogQuerySchema = z.strictObject({
  ...CallLogFilterShape,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type CallLogQuery = z.infer<typeof CallLogQuerySchema>;

export const CALL_LOG_EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export const CallLogExportFormatSchema = z.enum(CALL_LOG_EXPORT_FORMATS);
export type CallLogExportFormat = z.infer<typeof CallLogExportFormatSchema>;

/** GET /api/v1/call-logs/export: the filtered set, streamed, newest first. */
export const CallLogExportQuerySchema = z.strictObject({
  ...CallLogFilterShape,
  format: CallLogExportFormatSchema.default('csv'),
});
export type CallLogExportQuery = z.infer<typeof CallLogExportQuerySchema>;

/** The CSV export's columns, in order; `arguments` and `resultSummary` are JSON text. */
export const CALL_LOG_CSV_COLUMNS = [
  'id',
  'createdAt',
  'groupId',
  'apiKeyId',
  'toolId',
  'toolName',
  'method',
  'outcome',
  'isError',
  'errorCode',
  'durationMs',
  'upstreamDurationMs',
  'sessionId',
  'clientName',
  'clientVersion',
  'callerIp',
  'requestId',
  'arguments',
  'resultSummary',
] as const;

/** Response header of the export: the count (or estimate) of rows it will stream, for a progress bar. */
export const CALL_LOG_ROW_ESTIMATE_HEADER = 'X-Toolgate-Row-Estimate';
/** Response header of the export: `exact` or `estimate`, qualifying the row estimate. */
export const CALL_LOG_ROW_ESTIMATE_KIND_HEADER = 'X-Toolgate-Row-Estimate-Kind';

/** GET /api/v1/call-logs/count: exact up to a cap, else a planner/sample estimate. */
export const CallLogCountDtoSchema = z.object({
  count: z.number().int().min(0),
  exact: z.boolean(),
});
export type CallLogCountDto = z.infer<typeof CallLogCountDtoSchema>;

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

export const CallLogPageSchema = z.object({ items: z.array(CallLogDtoSchema), nextCursor: z.string().nullable() });
export type CallLogPage = z.infer<typeof CallLogPageSchema>;

/** GET /api/v1/call-logs/facets: the names behind the ids a call log carries, for whoever may read logs. */
export const CallLogFacetsSchema = z.object({
  groups: z.array(z.object({ id: z.uuid(), name: z.string(), serverCode: z.string() })),
  keys: z.array(z.object({ id: z.uuid(), name: z.string(), prefix: z.string(), groupId: z.uuid(), revoked: z.boolean() })),
  tools: z.array(z.object({ id: z.uuid(), name: z.string(), status: z.string() })),
});
export type CallLogFacets = z.infer<typeof CallLogFacetsSchema>;
