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
  COOKIE_SECURE: bool.optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(15).default(12),
  LOGIN_IP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(30),
  CALL_LOG_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
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
