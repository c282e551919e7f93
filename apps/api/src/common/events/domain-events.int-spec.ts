// DomainEvents across replicas over the real Redis: applied once on the emitting replica (at once, its
// own echo ignored) and once on every other; local only without Redis.
import { AppConfigService } from '../../config/app-config.service';
import { parseEnv } from '../../config/env.schema';
import { itWithRedis, testRedisUrl, uniqueRedisPrefix } from '../../../test/test-redis';
import { RedisService } from '../redis/redis.service';
import { DomainEvents } from './domain-events';

const waitFor = async (check: () => boolean, ms = 2000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('DomainEvents', () => {
  it('without Redis: listeners on this replica get each event once, synchronously', () => {
    const events = new DomainEvents();
    const got: unknown[] = [];
    const off = events.on('key.changed', (p) => got.push(p));
    events.emit('key.changed', { keyId: 'k1' });
    expect(got).toEqual([{ keyId: 'k1' }]);
    off();
    events.emit('key.changed', { keyId: 'k2' });
    expect(got).toHaveLength(1);
  });

  describe('with Redis, two replicas', () => {
    const prefix = uniqueRedisPrefix();
    let redis: RedisService[] = [];
    let a: DomainEvents;
    let b: DomainEvents;

    beforeAll(async () => {
      if (!testRedisUrl) return;
      const env = parseEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/x', TOOLGATE_SECRET: 'a-secret-of-at-least-32-characters-long!!', REDIS_URL: testRedisUrl, REDIS_KEY_PREFIX: prefix });
      redis = [new RedisService(new AppConfigService(env)), new RedisService(new AppConfigService(env))];
      await Promise.all(redis.map((r) => r.onModuleInit()));
      [a, b] = redis.map((r) => new DomainEvents(r));
      // Subscriptions are confirmed asynchronously: wait until a probe crosses.
      const seen: unknown[] = [];
      const off = b.on('tenant.changed', (p) => seen.push(p));
      await waitFor(() => {
        a.emit('tenant.changed', { tenantId: 'probe' });
        return seen.length > 0;
      });
      off();
    });
    afterAll(async () => {
      a?.onApplicationShutdown();
      b?.onApplicationShutdown();
      await Promise.all(redis.map((r) => r.onApplicationShutdown()));
    });

    itWithRedis('every event kind reaches the other replica once, and the emitting replica once (its echo ignored)', async () => {
      const gotA: string[] = [];
      const gotB: string[] = [];
      const payloads = {
        'key.changed': { keyId: 'k' },
        'group.changed': { groupId: 'g', serverCode: 'code' },
        'catalog.changed': { tenantId: 't', groupIds: ['g1', 'g2'] },
        'source.changed': { tenantId: 't', sourceId: 's' },
        'tenant.changed': { tenantId: 't' },
      } as const;
      for (const name of Object.keys(payloads) as (keyof typeof payloads)[]) {
        a.on(name, (p) => gotA.push(`${name} ${JSON.stringify(p)}`));
        // (late echoes of the setup's probes are not part of this test)
        b.on(name, (p) => JSON.stringify(p).includes('probe') || gotB.push(`${name} ${JSON.stringify(p)}`));
        a.emit(name, payloads[name] as never);
      }
      const expected = Object.entries(payloads).map(([k, p]) => `${k} ${JSON.stringify(p)}`);
      expect(gotA).toEqual(expected);
      await waitFor(() => gotB.length >= expected.length);
      await new Promise((r) => setTimeout(r, 100));
      expect(gotB).toEqual(expected);
      expect(gotA).toEqual(expected);
    });

    itWithRedis('ignores foreign or malformed messages on the channel', async () => {
      const got: unknown[] = [];
      b.on('key.changed', (p) => got.push(p));
      await redis[0].client.publish(`${prefix}domain-events`, 'not json');
      await redis[0].client.publish(`${prefix}domain-events`, JSON.stringify({ replica: 'x', event: 'constructor', payload: {} }));
      await redis[0].client.publish(`${prefix}domain-events`, JSON.stringify({ replica: 'x', event: 'key.changed', payload: { keyId: 'ok' } }));
      await waitFor(() => got.length > 0);
      expect(got).toEqual([{ keyId: 'ok' }]);
    });
  });
});
