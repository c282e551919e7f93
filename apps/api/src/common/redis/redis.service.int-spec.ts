// RedisService against the real Redis, reached through a TCP proxy the test cuts: it never throws at the
// process, reports its health, fails commands fast while down, and comes back with its subscriptions.
import { AppConfigService } from '../../config/app-config.service';
import { parseEnv } from '../../config/env.schema';
import { itWithRedis, redisProxy, redisUrlThrough, testRedisUrl, uniqueRedisPrefix } from '../../../test/test-redis';
import { RedisHealth, RedisService, reconnectDelay } from './redis.service';

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

function serviceFor(url: string, prefix = uniqueRedisPrefix()) {
  const env = parseEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/x', TOOLGATE_SECRET: 'a-secret-of-at-least-32-characters-long!!', REDIS_URL: url, REDIS_KEY_PREFIX: prefix });
  return new RedisService(new AppConfigService(env));
}

describe('reconnectDelay', () => {
  it('backs off from tens of milliseconds to at most 2 s and never gives up', () => {
    expect(reconnectDelay(1)).toBeLessThanOrEqual(100);
    for (let attempt = 1; attempt < 10_000; attempt *= 3) {
      const d = reconnectDelay(attempt);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });
});

describe('RedisService', () => {
  const proxy = redisProxy();
  let redis: RedisService;
  const seen: RedisHealth[] = [];

  beforeAll(async () => {
    if (!testRedisUrl) return;
    const url = await redisUrlThrough(proxy);
    redis = serviceFor(url);
    redis.onHealthChange((h) => seen.push(h));
    await redis.onModuleInit();
  });
  afterAll(async () => {
    await redis?.onApplicationShutdown();
    await proxy.cut();
  });

  itWithRedis('connects, prefixes keys and channels, and delivers published messages', async () => {
    expect(redis.isUp).toBe(true);
    expect(await redis.check()).toBe('ok');
    expect(redis.key('rl', 'g1')).toBe(`${redis.prefix}rl:g1`);
    const got: string[] = [];
    const off = redis.subscribe('chan', (m) => got.push(m));
    await waitFor(async () => (await redis.publish('chan', 'ping')) && got.length > 0);
    off();
    expect(got[0]).toBe('ping');
  });

  itWithRedis('Redis cut away: health says down, commands fail fast, nothing is thrown at the process; back: ok, subscriptions renewed', async () => {
    const got: string[] = [];
    const off = redis.subscribe('after', (m) => got.push(m));
    await proxy.cut();
    await waitFor(() => !redis.isUp);
    expect(seen).toContain('down');
    expect(await redis.check()).toBe('down');
    const started = Date.now();
    await expect(redis.client.get(redis.key('x'))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(200);
    expect(await redis.publish('after', 'lost')).toBe(false);

    await proxy.start();
    await waitFor(() => redis.isUp);
    expect(seen.at(-1)).toBe('ok');
    expect(await redis.check()).toBe('ok');
    await waitFor(async () => (await redis.publish('after', 'again')) && got.includes('again'));
    expect(got).not.toContain('lost');
    off();
  });

  itWithRedis('shuts down at once while Redis is down, with a subscription waiting to be renewed', async () => {
    const p = redisProxy();
    const r = serviceFor(await redisUrlThrough(p));
    await r.onModuleInit();
    await p.cut();
    await waitFor(() => !r.isUp);
    r.subscribe('pending', () => undefined);
    const started = Date.now();
    await r.onApplicationShutdown();
    expect(Date.now() - started).toBeLessThan(700);
  });

  itWithRedis('starts degraded when Redis is unreachable at boot, without throwing, and connects once it is there', async () => {
    const late = redisProxy();
    const url = await redisUrlThrough(late);
    await late.cut();
    const r = serviceFor(url);
    try {
      await r.onModuleInit();
      expect(r.isUp).toBe(false);
      await late.start();
      await waitFor(() => r.isUp);
    } finally {
      await r.onApplicationShutdown();
      await late.cut();
    }
  });
});
