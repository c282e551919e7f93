import { z } from 'zod';
import { JsonObjectSchema } from './common';
import { SourceKindSchema } from './tools';

export const NamespaceSchema = z.string().regex(/^[a-z0-9][a-z0-9_]{0,39}$/, 'lowercase letters, digits and "_", at most 40');

/** How a discovered tool is named: `{namespace}` and `{tool}` are replaced; the default is `{namespace}__{tool}`. */
export const DEFAULT_TOOL_NAME_TEMPLATE = '{namespace}__{tool}';
export const ToolNameTemplateSchema = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9_.{}-]*\{tool\}[A-Za-z0-9_.{}-]*$/, 'must contain {tool}; otherwise letters, digits, "_", "-", "." and {namespace}');

const ResilienceSchema = z.strictObject({
  attemptTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  breakerFailureThreshold: z.number().int().min(1).max(1000).optional(),
  breakerOpenSeconds: z.number().int().min(1).max(3600).optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  maxResponseBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
  /** Calls to this source in flight at once, across the tenant's groups (and replicas, with Redis). */
  maxConcurrent: z.number().int().min(1).max(10_000).optional(),
});

/** Settings every upstream kind shares. */
const commonConfig = {
  toolNameTemplate: ToolNameTemplateSchema.optional(),
  /** Re-list the upstream's tools this often (seconds; 0 = only on demand and on list_changed). Default 3600. */
  refreshIntervalSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
  resilience: ResilienceSchema.optional(),
};

const HeaderMapSchema = z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name'), z.string().max(8000));
const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(2000);

export const StdioSourceConfigSchema = z.strictObject({
  ...commonConfig,
  /** Must be on the platform admins' stdio command allowlist. */
  command: z.string().min(1).max(500),
  args: z.array(z.string().max(2000)).max(100).optional(),
  /** Non-secret environment; secret variables go in `secrets`. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string().max(8000)).optional(),
  cwd: z.string().max(1000).optional(),
  /** Stop the process after this long without calls (default 600). */
  idleStopSeconds: z.number().int().min(1).max(86_400).optional(),
  startOnBoot: z.boolean().optional(),
});

export const RemoteSourceConfigSchema = z.strictObject({
  ...commonConfig,
  /** Replicas of the same server; calls fail over between them. */
  urls: z.array(HttpUrlSchema).min(1).max(10),
  selection: z.enum(['round-robin', 'least-in-flight']).optional(),
  /** Non-secret headers; secret headers (Authorization…) go in `secrets`. */
  headers: HeaderMapSchema.optional(),
});

export const HttpSourceConfigSchema = z
  .strictObject({
    ...commonConfig,
    /** Where the OpenAPI 3 document is fetched from (through the SSRF guard)… */
    documentUrl: HttpUrlSchema.optional(),
    /** …or the document itself (JSON or YAML), uploaded. */
    document: z.string().max(5 * 1024 * 1024).optional(),
    /** Replaces the document's servers. */
    baseUrl: HttpUrlSchema.optional(),
    /** The operationIds that become tools; all operations when absent. */
    operations: z.array(z.string().min(1).max(300)).max(2000).optional(),
    /** Non-secret headers sent with every request; secret headers go in `secrets` (a `query.` prefix sends one in the query string). */
    headers: HeaderMapSchema.optional(),
  })
  .refine((c) => (c.documentUrl === undefined) !== (c.document === undefined), 'give exactly one of documentUrl and document');

/** The config schema of each upstream kind (builtin sources have none). */
export const SOURCE_CONFIG_SCHEMAS = {
  mcp_stdio: StdioSourceConfigSchema,
  mcp_http: RemoteSourceConfigSchema,
  mcp_sse: RemoteSourceConfigSchema,
  http: HttpSourceConfigSchema,
} as const;

export const CreateSourceSchema = z.strictObject({
  kind: SourceKindSchema,
  name: z.string().trim().min(1).max(200),
  namespace: NamespaceSchema,
  /** Non-secret settings, checked against the kind's schema: URLs, command, args, timeouts. */
  config: JsonObjectSchema.default({}),
  /** Secret settings: headers (remote and HTTP sources) or environment variables (stdio). Encrypted at rest; never returned. */
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
  /** `unknown` before the first discovery, then `healthy` or `error` (see lastError). */
  status: z.string(),
  lastError: z.string().nullable(),
  lastRefreshedAt: z.string().nullable(),
  toolCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SourceDto = z.infer<typeof SourceDtoSchema>;

/** What one discovery changed in the catalog. */
export const RefreshResultSchema = z.object({
  /** New upstream tools, stored disabled. */
  added: z.array(z.string()),
  /** Changed tools that are live: the old version stays live, a review is pending. */
  pendingReview: z.array(z.string()),
  /** Changed tools that were not live: updated in place. */
  updated: z.array(z.string()),
  /** Gone from the upstream: marked removed. */
  removed: z.array(z.string()),
  /** Back on the upstream after being removed. */
  restored: z.array(z.string()),
  unchanged: z.number(),
});
export type RefreshResult = z.infer<typeof RefreshResultSchema>;

export const SourceWithRefreshSchema = z.object({ source: SourceDtoSchema, refresh: RefreshResultSchema.nullable() });

export const SourceStatusSchema = z.object({
  sourceId: z.uuid(),
  /** `idle` (nothing open), `connecting`, `ready`, `open-circuit` (failing fast), `failed`, or `disabled`. */
  state: z.string(),
  /** From discovery: `unknown`, `healthy` or `error`. */
  discovery: z.string(),
  lastError: z.string().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  inFlight: z.number(),
  restarts: z.number(),
  toolCount: z.number(),
  lastRefreshedAt: z.string().nullable(),
  pendingReviews: z.number(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

/** What agents see of a tool version: the part a drift review compares. */
export const ToolFaceSchema = z.object({
  title: z.string().nullable(),
  description: z.string(),
  inputSchema: JsonObjectSchema,
  outputSchema: JsonObjectSchema.nullable(),
  annotations: JsonObjectSchema,
});
export type ToolFace = z.infer<typeof ToolFaceSchema>;

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected', 'superseded'] as const;
export const ToolReviewDtoSchema = z.object({
  id: z.uuid(),
  sourceId: z.uuid(),
  toolId: z.uuid(),
  toolName: z.string(),
  status: z.enum(REVIEW_STATUSES),
  live: ToolFaceSchema,
  proposed: ToolFaceSchema,
  detectedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
});
export type ToolReviewDto = z.infer<typeof ToolReviewDtoSchema>;
export const ToolReviewQuerySchema = z.strictObject({
  sourceId: z.uuid().optional(),
  status: z.enum(REVIEW_STATUSES).default('pending'),
});

export const OpenApiPreviewSchema = z
  .strictObject({
    documentUrl: HttpUrlSchema.optional(),
    document: z.string().max(5 * 1024 * 1024).optional(),
    namespace: NamespaceSchema.default('api'),
    /** The source's naming template, so the preview shows the names discovery will give. */
    toolNameTemplate: ToolNameTemplateSchema.optional(),
  })
  .refine((c) => (c.documentUrl === undefined) !== (c.document === undefined), 'give exactly one of documentUrl and document');
export const OpenApiOperationDtoSchema = z.object({
  operationId: z.string(),
  method: z.string(),
  path: z.string(),
  summary: z.string().nullable(),
  toolName: z.string().nullable(),
  deprecated: z.boolean(),
  unsupported: z.string().nullable(),
});

export const StdioCommandSchema = z.strictObject({
  command: z.string().trim().min(1).max(500),
  description: z.string().max(500).default(''),
});
export const StdioCommandDtoSchema = z.object({ command: z.string(), description: z.string(), createdAt: z.string() });
export type StdioCommandDto = z.infer<typeof StdioCommandDtoSchema>;
