import { effectiveTenantRateLimit, GroupRateLimits, InProcessRateLimiter, RateLimiter, RateLimitRefusal } from './rate-limiter';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A window boundary, so tests read in offsets from it. */
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % DAY);

describe('InProcessRateLimiter', () => {
  it('allows `limit` calls in a window, counting down what remains, then refuses', () => {
    const rl = new InProcessRateLimiter();
    const seen = [1, 2, 3].map((i) => rl.consume('b', 3, MINUTE, T0 + i));
    expect(seen.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    expect(rl.consume('b', 3, MINUTE, T0 + 10)).toEqual({ allowed: false, retryAfterMs: expect.any(Number), remaining: 0 });
  });

  it('says exactly when to retry: refused a millisecond before, allowed at the time given', () => {
    for (const [limit, calls, at] of [
      [3, 3, 10_000],
      [10, 10, 59_000],
      [5, 5, 0],
      [1, 1, 30_000],
      [100, 100, 1],
    ]) {
      const rl = new InProcessRateLimiter();
      for (let i = 0; i < calls; i++) expect(rl.consume('b', limit, MINUTE, T0 + at).allowed).toBe(true);
      const refused = rl.consume('b', limit, MINUTE, T0 + at);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(2 * MINUTE);
      expect(rl.consume('b', limit, MINUTE, T0 + at + refused.retryAfterMs - 1).allowed).toBe(false);
      expect(rl.consume('b', limit, MINUTE, T0 + at + refused.retryAfterMs).allowed).toBe(true);
    }
  });

  it('slides: the previous window fades out gradually, so there is no double burst at the boundary', () => {
    const rl = new InProcessRateLimiter();
    for (let i = 0; i < 10; i++) expect(rl.consume('b', 10, MINUTE, T0 + 50_000).allowed).toBe(true);
    // Just after the boundary, almost all of the previous window still counts.
    expect(rl.consume('b', 10, MINUTE, T0 + MINUTE + 1_000).allowed).toBe(false);
    // Half way through the next window, half of it does: 5 more fit, the sixth does not.
    let allowed = 0;
    for (let i = 0; i < 7; i++) if (rl.consume('b', 10, MINUTE, T0 + MINUTE + 30_000).allowed) allowed++;
    expect(allowed).toBe(5);
    // Two windows later nothing counts any more.
    expect(rl.consume('b', 10, MINUTE, T0 + 3 * MINUTE).remaining).toBe(9);
  });

  it('tells when the fading previous window leaves room again', () => {
    const rl = new InProcessRateLimiter();
    for (let i = 0; i < 10; i++) rl.consume('b', 10, MINUTE, T0 + 50_000);
    const refused = rl.consume('b', 10, MINUTE, T0 + MINUTE + 1_000);
    // 10 × (60 − e)/60 + 1 ≤ 10 once e ≥ 6 s into the window: 5 s from now.
    expect(refused).toEqual({ allowed: false, retryAfterMs: 5_000, remaining: 0 });
    expect(rl.consume('b', 10, MINUTE, T0 + MINUTE + 5_999).allowed).toBe(false);
    expect(rl.consume('b', 10, MINUTE, T0 + MINUTE + 6_000).allowed).toBe(true);
  });

  it('does not count a refused call, and gives back a refunded one', () => {
    const rl = new InProcessRateLimiter();
    rl.consume('b', 2, MINUTE, T0);
    rl.consume('b', 2, MINUTE, T0);
    for (let i = 0; i < 5; i++) expect(rl.consume('b', 2, MINUTE, T0 + 1).allowed).toBe(false);
    rl.refund('b', MINUTE, T0 + 2);
    expect(rl.consume('b', 2, MINUTE, T0 + 3)).toMatchObject({ allowed: true, remaining: 0 });
    rl.refund('unknown-bucket', MINUTE, T0);
    expect(rl.size).toBe(1);
  });

  it('keeps buckets apart', () => {
    const rl = new InProcessRateLimiter();
    expect(rl.consume('a', 1, MINUTE, T0).allowed).toBe(true);
    expect(rl.consume('a', 1, MINUTE, T0).allowed).toBe(false);
    expect(rl.consume('b', 1, MINUTE, T0).allowed).toBe(true);
  });

  it('sweeps out buckets whose windows have passed, and never holds more than its bound', () => {
    const rl = new InProcessRateLimiter({ maxBuckets: 100, sweepIntervalMs: MINUTE });
    for (let i = 0; i < 50; i++) rl.consume(`old-${i}`, 5, MINUTE, T0 + 1);
    expect(rl.size).toBe(50);
    rl.consume('fresh', 5, MINUTE, T0 + 2 * MINUTE + 1);
    expect(rl.size).toBe(1);

    for (let i = 0; i < 1_000; i++) rl.consume(`flood-${i}`, 5, MINUTE, T0 + 2 * MINUTE + 2);
    expect(rl.size).toBeLessThanOrEqual(100);
    // The newest buckets are the ones kept.
    expect(rl.consume('flood-999', 1, MINUTE, T0 + 2 * MINUTE + 3).allowed).toBe(false);
  });
});

describe('GroupRateLimits', () => {
  const group = (id: string, rateLimit: Record<string, number | null>) => ({ id, rateLimit });

  it('applies nothing when the group sets no limit', () => {
    const rl = new InProcessRateLimiter();
    const limits = new GroupRateLimits(rl);
    for (let i = 0; i < 1000; i++) expect(limits.check(group('g', {}), 'k', T0)).toBeNull();
    expect(limits.check(group('g', { perMinute: null, perDay: null }), 'k', T0)).toBeNull();
    expect(rl.size).toBe(0);
  });

  it('limits each key per minute on its own, with retry-after in whole seconds, rounded up', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = group('g', { perKeyPerMinute: 2 });
    expect(limits.check(g, 'k1', T0 + 10_500)).toBeNull();
    expect(limits.check(g, 'k1', T0 + 10_500)).toBeNull();
    const refusal = limits.check(g, 'k1', T0 + 10_500);
    // The next window starts in 49.5 s; 30 s into it the two calls weigh one: 79.5 s, rounded up to 80.
    expect(refusal).toEqual({
      limit: 'perKeyPerMinute',
      max: 2,
      retryAfterSeconds: 80,
      message: 'Rate limit reached: this key may make 2 calls per minute. Retry in 80 s.',
    });
    expect(limits.check(g, 'k2', T0 + 10_500)).toBeNull();
  });

  it('limits the group per minute across its keys, and per day', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = group('g', { perMinute: 3, perDay: 5 });
    expect(limits.check(g, 'k1', T0)).toBeNull();
    expect(limits.check(g, 'k2', T0)).toBeNull();
    expect(limits.check(g, 'k3', T0)).toBeNull();
    expect(limits.check(g, 'k4', T0)).toMatchObject({ limit: 'perMinute', max: 3 });
    expect(limits.check(g, 'k4', T0 + 3 * MINUTE)).toBeNull();
    expect(limits.check(g, 'k4', T0 + 3 * MINUTE)).toBeNull();
    // The in-process limiter answers synchronously.
    const daily = limits.check(g, 'k4', T0 + 3 * MINUTE) as RateLimitRefusal | null;
    expect(daily).toMatchObject({ limit: 'perDay', max: 5, message: expect.stringMatching(/^Daily limit reached: this tool group allows 5 calls per day\. Retry in \d+ s\.$/) });
    expect(daily!.retryAfterSeconds).toBeGreaterThan(DAY / 1000 - 3 * 60);
  });

  it('leaves another group untouched', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const a = group('a', { perMinute: 1, perKeyPerMinute: 1, perDay: 1 });
    const b = group('b', { perMinute: 1, perKeyPerMinute: 1, perDay: 1 });
    expect(limits.check(a, 'ka', T0)).toBeNull();
    expect(limits.check(a, 'ka', T0)).not.toBeNull();
    expect(limits.check(a, 'ka2', T0)).not.toBeNull();
    expect(limits.check(b, 'kb', T0)).toBeNull();
  });

  it('counts a refused call against no limit: the narrower ones are given back', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = group('g', { perKeyPerMinute: 2, perMinute: 2, perDay: 1000 });
    expect(limits.check(g, 'other', T0)).toBeNull();
    expect(limits.check(g, 'other', T0)).toBeNull();
    // The group's minute is used up: k is refused by it, and its own per-key count is refunded.
    for (let i = 0; i < 5; i++) expect(limits.check(g, 'k', T0 + 1)).toMatchObject({ limit: 'perMinute' });
    // Once the group has room again, k still has both of its per-key calls.
    expect(limits.check(g, 'k', T0 + 3 * MINUTE)).toBeNull();
    expect(limits.check(g, 'k', T0 + 3 * MINUTE)).toBeNull();
    expect(limits.check(g, 'k', T0 + 3 * MINUTE)).toMatchObject({ limit: 'perKeyPerMinute' });

    // A per-key refusal does not use up the group's day.
    const daily = new GroupRateLimits(new InProcessRateLimiter());
    const d = group('d', { perKeyPerMinute: 1, perDay: 2 });
    expect(daily.check(d, 'noisy', T0)).toBeNull();
    for (let i = 0; i < 10; i++) expect(daily.check(d, 'noisy', T0)).toMatchObject({ limit: 'perKeyPerMinute' });
    expect(daily.check(d, 'quiet', T0)).toBeNull();
  });

  it('works the same with a limiter that answers asynchronously (as a shared Redis one would)', async () => {
    const local = new InProcessRateLimiter();
    const remote: RateLimiter = { consumeAll: (checks, now) => Promise.resolve(local.consumeAll(checks, now)) };
    const limits = new GroupRateLimits(remote);
    const g = group('g', { perKeyPerMinute: 1, perMinute: 5 });
    const first = limits.check(g, 'k', T0);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBeNull();
    expect(await limits.check(g, 'k', T0)).toMatchObject({ limit: 'perKeyPerMinute', retryAfterSeconds: expect.any(Number) });
    expect(await limits.check(g, 'k2', T0)).toBeNull();
  });

  it('applies a key\'s overrides and its tenant\'s quota, naming which refused', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = group('g', { perKeyPerMinute: 1 });
    const roomy = { id: 'roomy', tenantId: 't', rateLimit: { perMinute: 3 }, tenantRateLimit: { perDay: 5 } };
    for (let i = 0; i < 3; i++) expect(limits.check(g, roomy, T0)).toBeNull();
    expect(limits.check(g, roomy, T0)).toMatchObject({ limit: 'perKeyPerMinute', max: 3 });
    const daily = { id: 'daily', tenantId: 't', rateLimit: { perDay: 1 }, tenantRateLimit: { perDay: 5 } };
    expect(limits.check(group('g2', {}), daily, T0)).toBeNull();
    expect(limits.check(group('g2', {}), daily, T0 + 3 * MINUTE)).toMatchObject({ limit: 'keyPerDay', message: expect.stringMatching(/^Daily limit reached: this key may make 1 calls per day/) });
    // The tenant has used 4 of its 5 (refused calls count nowhere); another group of the tenant takes the last.
    const other = { id: 'other', tenantId: 't', tenantRateLimit: { perDay: 5 } };
    expect(limits.check(group('g3', {}), other, T0)).toBeNull();
    expect(limits.check(group('g3', {}), other, T0)).toMatchObject({ limit: 'tenantPerDay', max: 5 });
    expect(limits.check(group('g3', {}), { ...other, tenantId: 'u' }, T0)).toBeNull();
  });

  it('caps calls in flight per key and per source, with a 1 s retry-after; release frees the slot once', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = group('g', { maxConcurrentPerKey: 2 });
    const first = limits.check(g, 'k', T0) as { release: () => void };
    const second = limits.check(g, 'k', T0) as { release: () => void };
    expect(typeof first.release).toBe('function');
    expect(limits.check(g, 'k', T0)).toEqual({
      limit: 'maxConcurrentPerKey',
      max: 2,
      retryAfterSeconds: 1,
      message: 'Concurrency limit reached: this key may have 2 calls in flight at once. Retry in 1 s.',
    });
    expect(limits.check(g, 'k2', T0)).toHaveProperty('release');
    first.release();
    first.release();
    expect(limits.check(g, 'k', T0)).toHaveProperty('release');
    expect(limits.check(g, 'k', T0)).toMatchObject({ limit: 'maxConcurrentPerKey' });
    second.release();

    const source = { id: 's', maxConcurrent: 1 };
    const held = limits.check(group('a', {}), 'x', T0, source) as { release: () => void };
    expect(limits.check(group('b', {}), 'y', T0, source)).toMatchObject({ limit: 'sourceMaxConcurrent', max: 1, retryAfterSeconds: 1 });
    held.release();
    expect(limits.check(group('b', {}), 'y', T0, source)).toHaveProperty('release');
  });

  it('a call over a concurrency cap counts against no rate limit', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = group('g', { maxConcurrentPerKey: 1, perDay: 2 });
    expect(limits.check(g, 'k', T0)).toHaveProperty('release');
    for (let i = 0; i < 5; i++) expect(limits.check(g, 'k', T0)).toMatchObject({ limit: 'maxConcurrentPerKey' });
    expect(limits.check(g, 'k2', T0)).toHaveProperty('release');
    expect(limits.check(g, 'k3', T0)).toMatchObject({ limit: 'perDay' });
  });
});

describe('effectiveTenantRateLimit: the tenant\'s own quota and the platform\'s', () => {
  it('takes per window the smaller of those set, and says which the platform sets', () => {
    expect(effectiveTenantRateLimit({ perMinute: 100, perDay: 1000 }, { perMinute: 2, perDay: 5000 })).toEqual({
      rateLimit: { perMinute: 2, perDay: 1000 },
      platformBound: { perMinute: true, perDay: false },
    });
  });

  it('takes the one set when the other is absent or null, either way round', () => {
    expect(effectiveTenantRateLimit({ perDay: 10 }, { perMinute: 3 })).toEqual({ rateLimit: { perMinute: 3, perDay: 10 }, platformBound: { perMinute: true, perDay: false } });
    expect(effectiveTenantRateLimit({ perMinute: null, perDay: 7 }, { perMinute: 4, perDay: null })).toEqual({
      rateLimit: { perMinute: 4, perDay: 7 },
      platformBound: { perMinute: true, perDay: false },
    });
  });

  it('sets nothing when neither sets a limit, and names a tie the tenant\'s own', () => {
    expect(effectiveTenantRateLimit({}, {})).toEqual({ rateLimit: {}, platformBound: { perMinute: false, perDay: false } });
    expect(effectiveTenantRateLimit({ perMinute: null }, { perDay: null })).toEqual({ rateLimit: {}, platformBound: { perMinute: false, perDay: false } });
    expect(effectiveTenantRateLimit({ perMinute: 5 }, { perMinute: 5 })).toEqual({ rateLimit: { perMinute: 5 }, platformBound: { perMinute: false, perDay: false } });
  });

  it('names the platform in the refusal when its ceiling is the one reached, in the tenant\'s bucket', () => {
    const limits = new GroupRateLimits(new InProcessRateLimiter());
    const g = { id: 'g', rateLimit: {} };
    const { rateLimit, platformBound } = effectiveTenantRateLimit({ perMinute: 100 }, { perMinute: 2 });
    const key = { id: 'k', tenantId: 't', tenantRateLimit: rateLimit, platformBound };
    expect(limits.check(g, key, T0)).toBeNull();
    expect(limits.check(g, key, T0)).toBeNull();
    expect(limits.check(g, key, T0)).toMatchObject({
      limit: 'platformPerMinute',
      max: 2,
      message: expect.stringMatching(/^Rate limit reached: the platform allows this tenant 2 calls per minute/),
    });
    // Another key of the same tenant shares the bucket.
    expect(limits.check(g, { ...key, id: 'k2' }, T0)).toMatchObject({ limit: 'platformPerMinute' });
  });
});
