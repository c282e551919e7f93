// The authenticator's cache bookkeeping, with the key store stubbed (the database behaviour is in the int-spec).
import { createHmac } from 'node:crypto';
import type { ApiKeysService, KeyWithGroup } from '../../api-keys/api-keys.service';
import { generateKey } from '../../api-keys/key-codec';
import type { AppConfigService } from '../../config/app-config.service';
import { KeyAuthenticator, MAX_CACHED_KEYS, MAX_CACHED_UNKNOWN } from './key-authenticator';

const SERVER_CODE = 'crm';
const hmac = (plaintext: string) => createHmac('sha256', 'test-key').update(plaintext).digest();

function setup(cacheMs = 1000) {
  const rows = new Map<string, KeyWithGroup>();
  const store = {
    hashPresentedKey: jest.fn(hmac),
    findWithGroupByPrefix: jest.fn(async (prefix: string) => rows.get(prefix) ?? null),
    recordLastUsed: jest.fn(async () => 0),
  };
  const authn = new KeyAuthenticator(store as unknown as ApiKeysService, { env: { MCP_AUTH_CACHE_MS: cacheMs, MCP_AUTH_LOOKUP_TIMEOUT_MS: 2000 } } as AppConfigService);
  let n = 0;
  const issue = () => {
    const k = generateKey();
    const id = `key-${++n}`;
    rows.set(k.prefix, {
      id,
      tenantId: 't',
      groupId: 'g',
      keyHash: hmac(k.plaintext),
      toolAllowlist: null,
      rateLimit: {},
      tenantRateLimit: {},
      platformRateLimit: {},
      expiresAt: null,
      revokedAt: null,
      group: { id: 'g', tenantId: 't', serverCode: SERVER_CODE, enabled: true, rateLimit: {}, name: 'CRM' },
    });
    return { id, plaintext: k.plaintext, prefix: k.prefix };
  };
  const internals = authn as unknown as { entries: Map<string, unknown>; unknown: Map<string, number>; hot: Map<string, unknown>; sweepHot(now: number): void };
  return { authn, store, rows, issue, internals };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('KeyAuthenticator cache', () => {
  it('holds at most MAX_CACHED_KEYS verified keys, dropping the least recently verified', async () => {
    const { authn, issue, internals, store } = setup(60_000);
    const first = issue();
    await authn.authenticate(bearer(first.plaintext), SERVER_CODE);
    for (let i = 0; i < MAX_CACHED_KEYS + 10; i++) await authn.authenticate(bearer(issue().plaintext), SERVER_CODE);
    expect(internals.entries.size).toBe(MAX_CACHED_KEYS);
    const lookups = store.findWithGroupByPrefix.mock.calls.length;
    expect((await authn.authenticate(bearer(first.plaintext), SERVER_CODE)).ok).toBe(true);
    expect(store.findWithGroupByPrefix.mock.calls.length).toBe(lookups + 1);
  });

  it('bounds what it remembers of unknown keys, and a flood of them evicts no good key', async () => {
    const { authn, issue, internals, store } = setup(60_000);
    const good = issue();
    await authn.authenticate(bearer(good.plaintext), SERVER_CODE);
    for (let i = 0; i < MAX_CACHED_UNKNOWN + 500; i++) {
      expect(await authn.authenticate(bearer(generateKey().plaintext), SERVER_CODE)).toEqual({ ok: false, reason: 'unknown' });
    }
    expect(internals.unknown.size).toBeLessThanOrEqual(MAX_CACHED_UNKNOWN);
    const lookups = store.findWithGroupByPrefix.mock.calls.length;
    expect((await authn.authenticate(bearer(good.plaintext), SERVER_CODE)).ok).toBe(true);
    expect(store.findWithGroupByPrefix.mock.calls.length).toBe(lookups);
  });

  it('does not let a lookup that began before an invalidation refill the cache', async () => {
    const { authn, issue, store } = setup(60_000);
    const key = issue();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    store.findWithGroupByPrefix.mockImplementationOnce(async (prefix) => {
      await gate;
      return (await store.findWithGroupByPrefix.getMockImplementation()!(prefix)) ?? null;
    });
    const early = authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    await Promise.resolve();
    authn.invalidateKey(key.id);
    // A call after the invalidation does not join the lookup that began before it.
    const late = authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    release();
    expect((await early).ok).toBe(true);
    expect((await late).ok).toBe(true);
    expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(2);
    await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(2);
  });

  it('while the database is down, asks it again once per cache period, not on every call', async () => {
    const { authn, issue, store } = setup(200);
    const key = issue();
    await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 250);
    try {
      store.findWithGroupByPrefix.mockRejectedValue(new Error('connect ECONNREFUSED'));
      for (let i = 0; i < 20; i++) expect((await authn.authenticate(bearer(key.plaintext), SERVER_CODE)).ok).toBe(true);
      expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(2);
      clock.mockReturnValue(now + 500);
      expect((await authn.authenticate(bearer(key.plaintext), SERVER_CODE)).ok).toBe(true);
      expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(3);
    } finally {
      clock.mockRestore();
    }
  });

  it('caches nothing fresh with MCP_AUTH_CACHE_MS=0: every call asks the database', async () => {
    const { authn, issue, store } = setup(0);
    const key = issue();
    for (let i = 0; i < 5; i++) await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    await authn.authenticate(bearer(generateKey().plaintext), SERVER_CODE);
    await authn.authenticate(bearer(generateKey().plaintext), SERVER_CODE);
    expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(7);
  });

  it('flushes the latest use of each key, in one call', async () => {
    const { authn, issue, store } = setup();
    const a = issue();
    const b = issue();
    for (let i = 0; i < 10; i++) {
      await authn.authenticate(bearer(a.plaintext), SERVER_CODE);
      await authn.authenticate(bearer(b.plaintext), SERVER_CODE);
    }
    // Refusals are not uses.
    await authn.authenticate(bearer(a.plaintext), 'other-group');
    expect(store.recordLastUsed).not.toHaveBeenCalled();
    await authn.flushLastUsed();
    expect(store.recordLastUsed).toHaveBeenCalledTimes(1);
    const [ids, times] = store.recordLastUsed.mock.calls[0] as unknown as [string[], Date[]];
    expect(ids.sort()).toEqual([a.id, b.id]);
    expect(times.every((t) => t instanceof Date && Math.abs(t.getTime() - Date.now()) < 5_000)).toBe(true);
  });

  it('answers a key verified within MCP_AUTH_CACHE_MS without computing its HMAC again', async () => {
    const { authn, issue, store } = setup(60_000);
    const key = issue();
    expect((await authn.authenticate(bearer(key.plaintext), SERVER_CODE)).ok).toBe(true);
    const hashes = store.hashPresentedKey.mock.calls.length;
    for (let i = 0; i < 5; i++) expect((await authn.authenticate({ 'x-api-key': key.plaintext }, SERVER_CODE)).ok).toBe(true);
    expect(store.hashPresentedKey.mock.calls.length).toBe(hashes);
    expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(1);
    // The same checks apply to a hit: another endpoint is refused.
    expect(await authn.authenticate(bearer(key.plaintext), 'other-group')).toEqual({ ok: false, reason: 'wrong_group', keyId: key.id });
  });

  it('carries the tenant\'s ceiling merged with the platform\'s: per window the stricter', async () => {
    const { authn, issue, rows } = setup(60_000);
    const key = issue();
    Object.assign(rows.get(key.prefix)!, { tenantRateLimit: { perMinute: 50, perDay: 100 }, platformRateLimit: { perMinute: 2 } });
    const res = await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    expect(res.ok && res.key.tenantRateLimit).toEqual({ perMinute: 2, perDay: 100 });
    expect(res.ok && res.key.platformBound).toEqual({ perMinute: true, perDay: false });
  });

  it('forgets the plaintext at once on invalidation, and soon after the cache period otherwise', async () => {
    const { authn, issue, store, internals, rows } = setup(200);
    const key = issue();
    await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
    expect([...internals.hot.keys()]).toEqual([key.plaintext]);

    // Revoked here: dropped at once, and the next call sees the revocation.
    rows.get(key.prefix)!.revokedAt = new Date(Date.now() - 1);
    authn.invalidateKey(key.id);
    expect(internals.hot.size).toBe(0);
    expect(await authn.authenticate(bearer(key.plaintext), SERVER_CODE)).toEqual({ ok: false, reason: 'revoked', keyId: key.id });
    expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(2);

    const other = issue();
    await authn.authenticate(bearer(other.plaintext), SERVER_CODE);
    authn.invalidateGroup('g');
    expect(internals.hot.size).toBe(0);

    await authn.authenticate(bearer(other.plaintext), SERVER_CODE);
    internals.sweepHot(Date.now());
    expect(internals.hot.size).toBe(1);
    internals.sweepHot(Date.now() + 201);
    expect(internals.hot.size).toBe(0);
  });

  it('looks a busy key up again in the last quarter of its cache period, without holding the calls meanwhile', async () => {
    const { authn, issue, store } = setup(1000);
    const key = issue();
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    try {
      await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
      clock.mockReturnValue(start + 700);
      await authn.authenticate(bearer(key.plaintext), SERVER_CODE);
      expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(1);

      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const lookup = store.findWithGroupByPrefix.getMockImplementation()!;
      store.findWithGroupByPrefix.mockImplementation(async (prefix) => {
        await gate;
        return lookup(prefix);
      });
      clock.mockReturnValue(start + 800);
      // Answered at once although the lookup it started has not come back; the next calls start no other.
      for (let i = 0; i < 3; i++) expect((await authn.authenticate(bearer(key.plaintext), SERVER_CODE)).ok).toBe(true);
      expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(2);
      release();
      await new Promise((r) => setImmediate(r));

      // The fresh verification carries the key past the first period, without a call waiting.
      clock.mockReturnValue(start + 1500);
      expect((await authn.authenticate(bearer(key.plaintext), SERVER_CODE)).ok).toBe(true);
      expect(store.findWithGroupByPrefix).toHaveBeenCalledTimes(2);
    } finally {
      clock.mockRestore();
    }
  });
});
