// Rate limits shared by every replica through Redis: one Lua script checks and counts all of a call's windows
// atomically in one round trip; while Redis is down, this replica's in-process limiter answers instead.
import { Injectable, Logger } from '@nestjs/common';
import type { RedisService } from '../../common/redis/redis.service';
import { randomBytes } from 'node:crypto';
import { ALLOWED, InProcessRateLimiter, LimitCheck, MultiDecision, RateLimiter, SlotCheck } from './rate-limiter';

/**
 * Rates: the same sliding-window estimate as the in-process limiter (previous window's count × its share still
 * inside the sliding window + current window's count), over two fixed-window counters per bucket, keyed by
 * window start and expiring two windows after its start (relative to the caller's clock, which the replicas
 * share closely enough).
 * Concurrency: a sorted set per bucket of the calls in flight, each scored by its lease's end, so a replica
 * that crashes mid-call cannot hold a slot past the lease; expired leases are dropped before counting.
 * First everything is read; only when all allow the call is each counter incremented and each lease added,
 * so a refused call counts against nothing. Returns {0, 0} when allowed, else {index (1-based: rates, then
 * slots) of the first refusal, retry-after in ms}.
 *
 * KEYS: per rate, the current window's counter then the previous window's; then one sorted set per slot.
 * ARGV: now, number of rates, lease ms, lease token, per rate: limit, window ms, window start; per slot: max.
 */
export const RATE_LIMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local token = ARGV[4]
local slots = #KEYS - 2 * n
for i = 1, n do
  local limit = tonumber(ARGV[3 * i + 2])
  local window = tonumber(ARGV[3 * i + 3])
  local start = tonumber(ARGV[3 * i + 4])
  local curr = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local used = curr + prev * (start + window - now) / window
  if used + 1 > limit then
    local elapsed = now - start
    local wait
    if curr + 1 <= limit then
      wait = window - ((limit - 1 - curr) * window) / prev - elapsed
    else
      wait = window - elapsed + math.max(0, window - ((limit - 1) * window) / curr)
    end
    return {i, math.max(1, math.ceil(wait))}
  end
end
for j = 1, slots do
  local key = KEYS[2 * n + j]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 * n + 4 + j]) then
    return {n + j, 1000}
  end
end
for i = 1, n do
  local window = tonumber(ARGV[3 * i + 3])
  local start = tonumber(ARGV[3 * i + 4])
  if redis.call('INCR', KEYS[2 * i - 1]) == 1 then
    redis.call('PEXPIRE', KEYS[2 * i - 1], math.ceil(start + 2 * window - now) + 1000)
  end
end
for j = 1, slots do
  local key = KEYS[2 * n + j]
  redis.call('ZADD', key, now + lease, token)
  redis.call('PEXPIRE', key, lease)
end
return {0, 0}
`;

/** The script as an ioredis custom command: numkeys, keys, args. */
type WithLimitCommand = { toolgateRateLimit(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<[number, number]> };

/**
 * Cluster-wide limits when REDIS_URL is set. Redis down (RedisService health) or a failed command → the call is
 * judged by the in-process limiter, so limits degrade to per replica instead of failing open or closed; the
 * next call after Redis returns is shared again. Calls counted locally during an outage are not replayed into
 * Redis (a replica may allow up to one extra limit's worth across an outage).
 */
@Injectable()
export class RedisRateLimiter extends RateLimiter {
  private readonly logger = new Logger(RedisRateLimiter.name);
  private lastFailureLog = 0;
  /** Lease tokens: this replica's random id and a counter, unique across replicas without a round trip. */
  private readonly replica = randomBytes(6).toString('base64url');
  private leases = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly local: InProcessRateLimiter,
  ) {
    super();
    // ioredis sends EVALSHA and falls back to EVAL (loading the script) on NOSCRIPT, e.g. after a Redis restart.
    // numkeys is passed per call: it varies with the limits that apply.
    redis.client.defineCommand('toolgateRateLimit', { lua: RATE_LIMIT_SCRIPT });
  }

  consumeAll(checks: readonly LimitCheck[], now: number, slots?: readonly SlotCheck[], leaseMs = 600_000): MultiDecision | Promise<MultiDecision> {
    if (checks.length === 0 && !slots?.length) return ALLOWED;
    if (!this.redis.isUp) return this.local.consumeAll(checks, now, slots);
    const keys: string[] = [];
    const args: (string | number)[] = [now, checks.length, leaseMs, ''];
    for (const c of checks) {
      const start = now - (now % c.windowMs);
      const base = this.redis.key('rl', c.bucket);
      keys.push(`${base}:${start}`, `${base}:${start - c.windowMs}`);
      args.push(c.limit, c.windowMs, start);
    }
    let token = '';
    if (slots?.length) {
      token = `${this.replica}:${++this.leases}`;
      args[3] = token;
      for (const slot of slots) {
        keys.push(this.redis.key('rl', slot.bucket));
        args.push(slot.max);
      }
    }
    return (this.redis.client as unknown as WithLimitCommand).toolgateRateLimit(keys.length, ...keys, ...args).then(
      ([index, wait]): MultiDecision => {
        if (index !== 0) return { refused: index - 1, retryAfterMs: wait };
        return token ? { refused: -1, retryAfterMs: 0, release: () => this.release(keys.slice(2 * checks.length), token) } : ALLOWED;
      },
      (err: unknown) => {
        if (Date.now() - this.lastFailureLog > 10_000) {
          this.lastFailureLog = Date.now();
          this.logger.warn({ err }, 'Redis rate limit check failed: judged by this replica alone');
        }
        return this.local.consumeAll(checks, now, slots);
      },
    );
  }

  /** Frees a call's slots; not awaited. If Redis cannot be told, the lease runs out on its own. */
  private release(keys: string[], token: string): void {
    if (keys.length === 1) {
      this.redis.client.zrem(keys[0], token).catch(() => undefined);
      return;
    }
    const batch = this.redis.client.pipeline();
    for (const key of keys) batch.zrem(key, token);
    batch.exec().catch(() => undefined);
  }
}
