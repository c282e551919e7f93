// RedisRateLimiter against the real Redis, through a TCP proxy the test cuts: two limiters (two replicas) share
// exact counts, all-or-nothing across a call's windows, the same retry-after as the in-process limiter, a
// reloaded script (NOSCRIPT) handled, and local limits while Redis is down, shared ones again once it returns.
import { AppConfigService } from '../../config/app-config.service';
import { parseEnv } from '../../config/env.schema';
import { RedisService } from '../../common/redis/redis.service';
import { itWithRedis, redisProxy, redisUrlThrough, testRedisUrl, uniqueRedisPrefix } from '../../../test/test-redis';
import { GroupRateLimits, InProcessRateLimiter, RateLimitRefusal } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A fixed clock (a window boundary plus offsets): counts never straddle a window by accident. */
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % DAY);

const waitFor = async (check: () => boolean, ms = 8000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('RedisRateLimiter', () => {
  const proxy = redisProxy();
  let redis: RedisService[] = [];
  let a: RedisRateLimiter;
  let b: RedisRateLimiter;
  let n = 0;
  /** A fresh group per test: keys never collide between tests. */
  const group = (rateLimit: Record<string, number>) => ({ id: `g${++n}`, rateLimit });

  beforeAll(async () => {
    if (!testRedisUrl) return;
    const url = await redisUrlThrough(proxy);
    const config = new AppConfigService(
      parseEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/x', TOOLGATE_SECRET: 'a-secret-of-at-least-32-characters-long!!', REDIS_URL: url, REDIS_KEY_PREFIX: uniqueRedisPrefix() }),
    );
    redis = [new RedisService(config), new RedisService(config)];
    await Promise.all(redis.map((r) => r.onModuleInit()));
    [a, b] = redis.map((r) => new RedisRateLimiter(r, new InProcessRateLimiter()));
  });
  afterAll(async () => {
    await Promise.all(redis.map((r) => r.onApplicationShutdown()));
    await proxy.cut();
  });

  itWithRedis('two replicas share one count: exactly the limit succeeds, alternating between them, and another group is unaffected', async () => {
    const limitsA = new GroupRateLimits(a);
    const limitsB = new GroupRateLimits(b);
    const g = group({ perDay: 7 });
    const verdicts = [];
    for (let i = 0; i < 12; i++) verdicts.push(await (i % 2 ? limitsB : limitsA).check(g, `k${i}`, T0 + i));
    expect(verdicts.filter((v) => v === null)).toHaveLength(7);
    expect(verdicts.slice(0, 7).every((v) => v === null)).toBe(true);
    expect(verdicts[7]).toMatchObject({ limit: 'perDay', max: 7 });
    expect((verdicts[7] as RateLimitRefusal).retryAfterSeconds).toBeGreaterThan(DAY / 1000 - 60);
    expect(await limitsB.check(group({ perDay: 7 }), 'k0', T0 + 20)).toBeNull();
  });

  itWithRedis('all or nothing: a call one window refuses counts against none of the others', async () => {
    const limits = new GroupRateLimits(a);
    const g = group({ perKeyPerMinute: 2, perMinute: 3, perDay: 1000 });
    expect(await limits.check(g, 'k', T0)).toBeNull();
    expect(await limits.check(g, 'k', T0)).toBeNull();
    for (let i = 0; i < 5; i++) expect(await limits.check(g, 'k', T0 + 1)).toMatchObject({ limit: 'perKeyPerMinute' });
    // The group's minute still has one call: the refused ones were not counted there.
    expect(await limits.check(g, 'other', T0 + 2)).toBeNull();
    expect(await limits.check(g, 'other', T0 + 3)).toMatchObject({ limit: 'perMinute', max: 3 });
    const day = await redis[0].client.get(redis[0].key('rl', `g:${g.id}:d`, String(T0)));
    expect(day).toBe('3');
  });

  itWithRedis('answers the same retry-after as the in-process limiter; the previous window weighs in; counters carry a TTL', async () => {
    const shared = new GroupRateLimits(a);
    const local = new GroupRateLimits(new InProcessRateLimiter());
    const g = group({ perKeyPerMinute: 2 });
    for (const limits of [shared, local]) {
      expect(await limits.check(g, 'k1', T0 + 10_500)).toBeNull();
      expect(await limits.check(g, 'k1', T0 + 10_500)).toBeNull();
    }
    const refusal = await shared.check(g, 'k1', T0 + 10_500);
    expect(refusal).toEqual(await local.check(g, 'k1', T0 + 10_500));
    expect(refusal).toMatchObject({ retryAfterSeconds: 80 });
    // The previous window weighs in: 30 s into the next minute, two calls of the last one count as one.
    expect(await shared.check(g, 'k1', T0 + MINUTE + 30_000)).toBeNull();
    expect(await shared.check(g, 'k1', T0 + MINUTE + 30_000)).toMatchObject({ limit: 'perKeyPerMinute' });
    const ttl = await redis[0].client.pttl(redis[0].key('rl', 'k:k1:m', String(T0 + MINUTE)));
    expect(ttl).toBeGreaterThan(0);
  });

  itWithRedis('concurrency slots are shared by the replicas, freed on release, and a slot never released (a crashed replica) frees when its lease ends', async () => {
    const limitsA = new GroupRateLimits(a);
    const limitsB = new GroupRateLimits(b);
    const g = group({ maxConcurrentPerKey: 2 });
    const held = await limitsA.check(g, 'k', Date.now(), null, 400);
    const crashed = await limitsB.check(g, 'k', Date.now(), null, 400);
    expect(held).toHaveProperty('release');
    expect(crashed).toHaveProperty('release');
    expect(await limitsB.check(g, 'k', Date.now(), null, 400)).toMatchObject({ limit: 'maxConcurrentPerKey', retryAfterSeconds: 1 });
    (held as { release: () => void }).release();
    // The release is not awaited (off the call's path): give its ZREM a moment to land.
    await new Promise((r) => setTimeout(r, 50));
    expect(await limitsB.check(g, 'k', Date.now(), null, 400)).toHaveProperty('release');
    expect(await limitsA.check(g, 'k', Date.now(), null, 400)).toMatchObject({ limit: 'maxConcurrentPerKey' });
    // Neither remaining slot is released: both leases run out.
    await new Promise((r) => setTimeout(r, 500));
    expect(await limitsA.check(g, 'k', Date.now(), null, 400)).toHaveProperty('release');
  });

  itWithRedis('reloads the script after Redis forgot it (NOSCRIPT)', async () => {
    const limits = new GroupRateLimits(a);
    const g = group({ perDay: 2 });
    expect(await limits.check(g, 'k', T0)).toBeNull();
    await redis[0].client.script('FLUSH');
    expect(await limits.check(g, 'k', T0)).toBeNull();
    expect(await limits.check(g, 'k', T0)).toMatchObject({ limit: 'perDay' });
  });

  itWithRedis('Redis cut → each replica limits alone; Redis back → shared counts again', async () => {
    const limitsA = new GroupRateLimits(a);
    const limitsB = new GroupRateLimits(b);
    const g = group({ perDay: 3 });
    expect(await limitsA.check(g, 'k', T0)).toBeNull();
    await proxy.cut();
    await waitFor(() => !redis[0].isUp && !redis[1].isUp);
    // Local limits: each replica allows its own 3 calls (it never saw the shared one), and no more.
    for (const limits of [limitsA, limitsB]) {
      for (let i = 0; i < 3; i++) expect(await limits.check(g, 'k', T0)).toBeNull();
      expect(await limits.check(g, 'k', T0)).toMatchObject({ limit: 'perDay', max: 3 });
    }
    await proxy.start();
    await waitFor(() => redis[0].isUp && redis[1].isUp);
    // Shared again: the count Redis kept (1) goes on, across both replicas.
    expect(await limitsB.check(g, 'k', T0)).toBeNull();
    expect(await limitsA.check(g, 'k', T0)).toBeNull();
    expect(await limitsB.check(g, 'k', T0)).toMatchObject({ limit: 'perDay' });
  }, 30_000);
});
