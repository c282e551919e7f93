// The only description of the environment the API reads; parsed once at boot.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  PUBLIC_URL: z.url().optional(),
  /** Which proxies' X-Forwarded-For to believe (Express "trust proxy"): e.g. `loopback`, `uniquelocal`, `10.0.0.0/8`. */
  TRUST_PROXY: z.string().min(1).default('loopback'),
  /** Master secret: API-key hashing, JWT signing and config encryption keys are derived from it. */
  TOOLGATE_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 512kb').default('1mb'),
  /**
   * How long an idle keep-alive connection stays open. Longer than a proxy in front keeps idle upstream connections
   * (nginx: 60 s), so the proxy closes first: a request sent on a connection the server is just closing is reset.
   */
  HTTP_KEEP_ALIVE_SECONDS: z.coerce.number().int().min(1).max(3600).default(65),
  COOKIE_SECURE: bool.optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(15).default(12),
  LOGIN_IP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(30),
  CALL_LOG_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
  /**
   * Whole months of call log (and statistics) kept before the current month; older monthly partitions are dropped.
   * Unset: kept forever.
   */
  CALL_LOG_RETENTION_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
  /** Origins allowed to call /mcp from a browser (comma-separated); requests without Origin are always allowed. */
  MCP_ALLOWED_ORIGINS: z.string().default(''),
  /** Host header values accepted on /mcp (comma-separated, `*` for any): guards against DNS rebinding. */
  MCP_ALLOWED_HOSTS: z.string().default('localhost,127.0.0.1,[::1]'),
  MCP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 512kb').default('1mb'),
  MCP_SESSION_IDLE_SECONDS: z.coerce.number().int().min(10).max(86400).default(1800),
  MCP_TOOLS_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** How long a key or group lookup is trusted before it is checked again: revocation takes effect within it. */
  MCP_AUTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** A key lookup slower than this is treated as the database being unreachable. */
  MCP_AUTH_LOOKUP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Failed key checks per client address per minute before only already-known keys are looked up (429 for others). */
  MCP_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  CALL_LOG_FLUSH_MS: z.coerce.number().int().min(0).max(1000).default(5),
  CALL_LOG_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  CALL_LOG_SPOOL_DIR: z.string().min(1).default('.data/spool'),
  CALL_LOG_MAX_VALUE_BYTES: z.coerce.number().int().min(256).max(10_000_000).default(16_384),
  /** Rows of the other filters one call-log page scans for the `q` text search before answering a short page. */
  CALL_LOG_SEARCH_SCAN_ROWS: z.coerce.number().int().min(10).max(10_000_000).default(100_000),
  /** How often a replica rolls new call-log rows up into the dashboards' statistics (0 = never: tests drive it). */
  ROLLUP_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** How often a replica looks for sources whose scheduled tool refresh is due (0 = never). */
  SOURCE_REFRESH_TICK_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Redis shared by the replicas (limits, key and tool changes, sessions); without it one replica works alone. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Prefix of every Redis key and channel, so several deployments (or test files) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('toolgate:'),
  /** SIGTERM/SIGINT: time to finish in-flight calls, flush logs and close before the process exits (below Kubernetes' 30 s). */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).max(600_000).default(25_000),
  /** Serves GET /metrics (Prometheus) to `Authorization: Bearer <METRICS_TOKEN>`; unset, there is no /metrics. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SEED_ADMIN_EMAIL: z.email().default('admin@demo.local'),
  SEED_ADMIN_PASSWORD: z.string().min(12).optional(),
});
export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {}

/** Parses the environment; a bad or missing variable throws an error that names it. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable (`PORT=` in an env file, `${VAR:-}` in compose) means unset: otherwise coercion reads it as 0.
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = EnvSchema.safeParse(set);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
}
