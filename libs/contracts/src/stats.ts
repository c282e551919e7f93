// The dashboards' aggregate statistics: GET /api/v1/stats.
import { z } from 'zod';
import { IsoDateTimeSchema } from './common';

/** Series bucket sizes; without `bucket` the API picks one from the range (about 60–300 points). */
export const STATS_BUCKETS = ['1m', '5m', '15m', '1h', '6h', '1d'] as const;
export const StatsBucketSchema = z.enum(STATS_BUCKETS);
export type StatsBucket = z.infer<typeof StatsBucketSchema>;

export const STATS_BUCKET_SECONDS: Record<StatsBucket, number> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21600, '1d': 86400 };

/** At most this many series points per answer (range / bucket). */
export const STATS_MAX_POINTS = 1500;

/**
 * GET /api/v1/stats. `from` defaults to 24 hours before `to`, `to` to now; the range is widened to whole buckets
 * (UTC-aligned). `groupId` narrows everything to one group; `top` is the length of the top lists.
 */
export const StatsQuerySchema = z.strictObject({
  from: IsoDateTimeSchema.optional(),
  to: IsoDateTimeSchema.optional(),
  groupId: z.uuid().optional(),
  bucket: StatsBucketSchema.optional(),
  top: z.coerce.number().int().min(1).max(50).default(10),
});
export type StatsQuery = z.infer<typeof StatsQuerySchema>;

/** Latency percentiles in milliseconds, estimated from a log-scale histogram (within one bucket, ≤ 25 %); null without calls. */
const percentiles = {
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
};

/** One series point: the calls that started in [t, t + bucket). Every bucket of the range is present, zeros included. */
export const StatsPointSchema = z.object({
  t: z.string(),
  calls: z.number().int(),
  errors: z.number().int(),
  ...percentiles,
});
export type StatsPoint = z.infer<typeof StatsPointSchema>;

export const StatsTotalsSchema = z.object({
  calls: z.number().int(),
  errors: z.number().int(),
  /** errors / calls, 0 without calls. */
  errorRate: z.number(),
  ...percentiles,
});
export type StatsTotals = z.infer<typeof StatsTotalsSchema>;

export const StatsTopToolSchema = z.object({
  /** Null for calls to a name that resolved to no tool. */
  toolId: z.uuid().nullable(),
  /** The tool's current name, or the name the calls asked for when the tool is unknown or gone. */
  toolName: z.string().nullable(),
  calls: z.number().int(),
  errors: z.number().int(),
});
export type StatsTopTool = z.infer<typeof StatsTopToolSchema>;

export const StatsTopKeySchema = z.object({
  keyId: z.uuid(),
  groupId: z.uuid().nullable(),
  /** Null when the key has been deleted since. */
  name: z.string().nullable(),
  prefix: z.string().nullable(),
  calls: z.number().int(),
  errors: z.number().int(),
});
export type StatsTopKey = z.infer<typeof StatsTopKeySchema>;

export const StatsGroupSchema = z.object({
  groupId: z.uuid(),
  /** Null when the group has been deleted since. */
  name: z.string().nullable(),
  calls: z.number().int(),
  errors: z.number().int(),
  errorRate: z.number(),
  ...percentiles,
});
export type StatsGroup = z.infer<typeof StatsGroupSchema>;

export const StatsDtoSchema = z.object({
  /** The effective range, widened to whole buckets: [from, to). */
  from: z.string(),
  to: z.string(),
  bucket: StatsBucketSchema,
  bucketSeconds: z.number().int(),
  groupId: z.uuid().nullable(),
  series: z.array(StatsPointSchema),
  totals: StatsTotalsSchema,
  /** Most-called first; ties: more errors first, then by name. */
  topTools: z.array(StatsTopToolSchema),
  topKeys: z.array(StatsTopKeySchema),
  /** Every group with calls in the range, ordered like the top lists (only the one group when `groupId` is set). */
  groups: z.array(StatsGroupSchema),
});
export type StatsDto = z.infer<typeof StatsDtoSchema>;
