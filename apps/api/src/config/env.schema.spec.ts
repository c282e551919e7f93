import { EnvError, parseEnv } from './env.schema';

const SECRET = 'a-secret-of-at-least-32-characters-long!!';
const MINIMAL = { DATABASE_URL: 'postgres://toolgate:pw@db.internal:5432/toolgate', TOOLGATE_SECRET: SECRET };

/** The EnvError a bad environment throws (fails the test if none is thrown). */
function failure(env: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return err as EnvError;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(env)}`);
}

/** The variables an EnvError's message names, one per line. */
const named = (err: EnvError) => [...err.message.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]);

describe('parseEnv', () => {
  it('parses a minimal environment and fills in the defaults', () => {
    expect(parseEnv(MINIMAL)).toEqual({
      NODE_ENV: 'development',
      DATABASE_URL: MINIMAL.DATABASE_URL,
      DATABASE_POOL_SIZE: 10,
      HOST: '127.0.0.1',
      PORT: 3001,
      TOOLGATE_SECRET: SECRET,
      LOG_LEVEL: 'info',
      LOG_PRETTY: false,
      BODY_LIMIT: '1mb',
      HTTP_KEEP_ALIVE_SECONDS: 65,
      SESSION_TTL_HOURS: 12,
      TRUST_PROXY: 'loopback',
      LOGIN_MAX_FAILURES: 5,
      LOGIN_LOCKOUT_SECONDS: 900,
      BCRYPT_ROUNDS: 12,
      LOGIN_IP_LIMIT_PER_MINUTE: 30,
      CALL_LOG_PARTITIONS_AHEAD: 3,
      MCP_ALLOWED_ORIGINS: '',
      MCP_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
      MCP_BODY_LIMIT: '1mb',
      MCP_SESSION_IDLE_SECONDS: 1800,
      MCP_TOOLS_PAGE_SIZE: 100,
      MCP_AUTH_CACHE_MS: 1000,
      MCP_AUTH_LOOKUP_TIMEOUT_MS: 2000,
      MCP_AUTH_FAILURES_PER_MINUTE: 60,
      CALL_LOG_FLUSH_MS: 5,
      CALL_LOG_BATCH_SIZE: 200,
      CALL_LOG_SPOOL_DIR: '.data/spool',
      CALL_LOG_MAX_VALUE_BYTES: 16384,
      CALL_LOG_SEARCH_SCAN_ROWS: 100000,
      ROLLUP_INTERVAL_MS: 2000,
      SOURCE_REFRESH_TICK_MS: 30000,
      REDIS_KEY_PREFIX: 'toolgate:',
      SHUTDOWN_GRACE_MS: 25000,
      SEED_ADMIN_EMAIL: 'admin@demo.local',
    });
  });

  it('converts numbers and booleans, accepts postgresql:// and ignores variables it does not know', () => {
    const env = parseEnv({
      ...MINIMAL,
      DATABASE_URL: 'postgresql://localhost/toolgate',
      PORT: '8080',
      DATABASE_POOL_SIZE: '4',
      LOG_PRETTY: 'yes',
      COOKIE_SECURE: '0',
      BODY_LIMIT: '512KB',
      PATH: '/usr/bin',
      HOME: '/root',
    });
    expect(env).toMatchObject({ DATABASE_URL: 'postgresql://localhost/toolgate', PORT: 8080, DATABASE_POOL_SIZE: 4, LOG_PRETTY: true, COOKIE_SECURE: false, BODY_LIMIT: '512KB' });
    expect(env).not.toHaveProperty('PATH');
  });

  it('treats an empty variable as unset: `PORT=` means the default port, not port 0', () => {
    const env = parseEnv({ ...MINIMAL, PORT: '', DATABASE_POOL_SIZE: ' ', PUBLIC_URL: '', COOKIE_SECURE: '' });
    expect(env.PORT).toBe(3001);
    expect(env.DATABASE_POOL_SIZE).toBe(10);
    expect(env.PUBLIC_URL).toBeUndefined();
    expect(env.COOKIE_SECURE).toBeUndefined();
    // An empty required variable is still missing.
    expect(named(failure({ ...MINIMAL, DATABASE_URL: '' }))).toEqual(['DATABASE_URL']);
  });

  it('names a missing DATABASE_URL', () => {
    const err = failure({ TOOLGATE_SECRET: SECRET });
    expect(named(err)).toEqual(['DATABASE_URL']);
  });

  it.each(['mysql://user:hunter2@db/toolgate', 'https://example.com/db', 'not a url', 'postgres'])('names DATABASE_URL when it is not a PostgreSQL URL (%s), without echoing it', (url) => {
    const err = failure({ ...MINIMAL, DATABASE_URL: url });
    expect(named(err)).toEqual(['DATABASE_URL']);
    expect(err.message).not.toContain('hunter2');
  });

  it('names a short TOOLGATE_SECRET, says how long it must be, and does not echo it', () => {
    const err = failure({ ...MINIMAL, TOOLGATE_SECRET: 'too-short-secret-xyz' });
    expect(named(err)).toEqual(['TOOLGATE_SECRET']);
    expect(err.message).toMatch(/32/);
    expect(err.message).not.toContain('too-short-secret-xyz');
    expect(named(failure({ DATABASE_URL: MINIMAL.DATABASE_URL }))).toEqual(['TOOLGATE_SECRET']);
  });

  it.each(['abc', '70000', '-1', '3.5'])('names a bad PORT (%s)', (port) => {
    expect(named(failure({ ...MINIMAL, PORT: port }))).toEqual(['PORT']);
  });

  it('accepts redis:// and rediss:// for REDIS_URL and names anything else, without echoing it', () => {
    expect(parseEnv({ ...MINIMAL, REDIS_URL: 'redis://cache.internal:6379' }).REDIS_URL).toBe('redis://cache.internal:6379');
    expect(parseEnv({ ...MINIMAL, REDIS_URL: 'rediss://:pw@cache.internal:6380/2' }).REDIS_URL).toBe('rediss://:pw@cache.internal:6380/2');
    const err = failure({ ...MINIMAL, REDIS_URL: 'http://user:hunter2@cache.internal' });
    expect(named(err)).toEqual(['REDIS_URL']);
    expect(err.message).not.toContain('hunter2');
  });

  it.each(['10gb', 'lots', '1 mb', 'mb', '-5kb'])('names a bad BODY_LIMIT (%s)', (limit) => {
    const err = failure({ ...MINIMAL, BODY_LIMIT: limit });
    expect(named(err)).toEqual(['BODY_LIMIT']);
    expect(err.message).toMatch(/1mb or 512kb/);
  });

  it('leaves CALL_LOG_RETENTION_MONTHS unset (keep forever) by default and takes a whole number of months ≥ 1', () => {
    expect(parseEnv(MINIMAL).CALL_LOG_RETENTION_MONTHS).toBeUndefined();
    expect(parseEnv({ ...MINIMAL, CALL_LOG_RETENTION_MONTHS: '' }).CALL_LOG_RETENTION_MONTHS).toBeUndefined();
    expect(parseEnv({ ...MINIMAL, CALL_LOG_RETENTION_MONTHS: '13' }).CALL_LOG_RETENTION_MONTHS).toBe(13);
    for (const bad of ['0', '-1', '1.5', 'forever']) expect(named(failure({ ...MINIMAL, CALL_LOG_RETENTION_MONTHS: bad }))).toEqual(['CALL_LOG_RETENTION_MONTHS']);
  });

  it('names every bad variable at once, so one restart fixes them all', () => {
    const err = failure({ DATABASE_URL: 'mysql://db/x', TOOLGATE_SECRET: 'short', PORT: 'http', LOG_PRETTY: 'maybe', NODE_ENV: 'staging' });
    expect(named(err).sort()).toEqual(['DATABASE_URL', 'LOG_PRETTY', 'NODE_ENV', 'PORT', 'TOOLGATE_SECRET']);
    expect(err.message).toMatch(/^Invalid configuration:\n/);
  });
});
