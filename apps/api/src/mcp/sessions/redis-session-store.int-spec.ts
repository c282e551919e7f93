// RedisSessionStore against the real Redis (through a TCP proxy the test cuts): records shared by two
// replicas with the idle TTL, ends announced to the replica holding the session, and a local copy that
// keeps served sessions working while Redis is down.
import { AppConfigService } from '../../config/app-config.service';
import { parseEnv } from '../../config/env.schema';
import { RedisService } from '../../common/redis/redis.service';
import { itWithRedis, redisProxy, redisUrlThrough, testRedisUrl, uniqueRedisPrefix } from '../../../test/test-redis';
import { RedisSessionStore } from './redis-session-store';

const fields = {
  transport: 'streamable-http' as const,
  serverCode: 'code',
  groupId: 'g1',
  tenantId: 't1',
  keyId: 'k1',
  protocolVersion: '2025-11-25',
  clientName: 'c',
  clientVersion: '1',
  logLevel: 'info',
};

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('RedisSessionStore', () => {
  const proxy = redisProxy();
  const prefix = uniqueRedisPrefix();
  let redis: RedisService[] = [];
  let a: RedisSessionStore;
  let b: RedisSessionStore;
  const evictedOnA: string[] = [];

  beforeAll(async () => {
    if (!testRedisUrl) return;
    const url = await redisUrlThrough(proxy);
    const config = new AppConfigService(
      parseEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/x', TOOLGATE_SECRET: 'a-secret-of-at-least-32-characters-long!!', REDIS_URL: url, REDIS_KEY_PREFIX: prefix, MCP_SESSION_IDLE_SECONDS: '60' }),
    );
    redis = [new RedisService(config), new RedisService(config)];
    await Promise.all(redis.map((r) => r.onModuleInit()));
    [a, b] = redis.map((r) => new RedisSessionStore(config, r));
    a.onEvict((id) => evictedOnA.push(id));
  });
  afterAll(async () => {
    a?.onApplicationShutdown();
    b?.onApplicationShutdown();
    await Promise.all(redis.map((r) => r.onApplicationShutdown()));
    await proxy.cut();
  });

  itWithRedis('a session created on one replica is read, updated and renewed on the other, with the idle TTL', async () => {
    const s = await a.create(fields);
    const ttl = await redis[0].client.ttl(`${prefix}session:${s.id}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await b.get(s.id)).toMatchObject({ ...fields, id: s.id });
    await b.update(s.id, { logLevel: 'debug' });
    expect((await a.get(s.id))?.logLevel).toBe('debug');
    const ttlOf = () => redis[0].client.ttl(`${prefix}session:${s.id}`);
    await redis[0].client.expire(`${prefix}session:${s.id}`, 5);
    await b.touch(s.id);
    expect(await ttlOf()).toBeGreaterThan(55);
    // Renewed at most every 1 % of the idle time per replica: a second touch at once costs no round trip.
    await redis[0].client.expire(`${prefix}session:${s.id}`, 5);
    await b.touch(s.id);
    expect(await ttlOf()).toBeLessThanOrEqual(5);
    expect(await b.get('no-such-session')).toBeNull();
  });

  itWithRedis('DELETE on one replica ends it on the other (its streams closed through onEvict); expiry in Redis does too', async () => {
    const s = await a.create(fields);
    expect(await b.delete(s.id)).toBe(true);
    await waitFor(() => evictedOnA.includes(s.id));
    expect(await a.get(s.id)).toBeNull();

    const t = await a.create(fields);
    await redis[0].client.del(`${prefix}session:${t.id}`);
    expect(await a.get(t.id)).toBeNull();
    expect(evictedOnA).toContain(t.id);
  });

  itWithRedis('Redis down: sessions this replica served keep working here, unknown ones are not found, new ones work here and are shared once Redis is back', async () => {
    const served = await a.create(fields);
    const onlyB = await b.create(fields);
    await proxy.cut();
    try {
      await waitFor(() => !redis[0].isUp && !redis[1].isUp);
      expect(await a.get(served.id)).toMatchObject({ id: served.id, keyId: 'k1' });
      await a.touch(served.id);
      expect(await a.get(onlyB.id)).toBeNull();
      const during = await a.create(fields);
      expect(await a.get(during.id)).toMatchObject({ id: during.id });
      await proxy.start();
      await waitFor(() => redis[0].isUp && redis[1].isUp);
      // The first use after the outage writes it to Redis; from then on the other replica sees it.
      expect(await a.get(during.id)).toMatchObject({ id: during.id });
      expect(await b.get(during.id)).toMatchObject({ id: during.id, keyId: 'k1' });
      expect(await b.get(served.id)).toMatchObject({ id: served.id });
    } finally {
      await proxy.start().catch(() => undefined);
    }
  });
});
