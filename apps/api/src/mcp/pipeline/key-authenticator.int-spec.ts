// The gateway's key check against real PostgreSQL: every refusal reason, revocation within a second,
// no query per call, last-use batching, and the stale-if-error policy.
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { auth, createGroup, createKey, createTenant, TestTenant } from '../../../test/factories';
import { createTestApp, TestApp } from '../../../test/test-app';
import { ApiKeysService } from '../../api-keys/api-keys.service';
import { DomainEvents } from '../../common/events/domain-events';
import { AppConfigService } from '../../config/app-config.service';
import { KeyAuthenticator, KeyStoreUnavailable, STALE_IF_ERROR_MS } from './key-authenticator';
import { PipelineModule } from './pipeline.module';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('KeyAuthenticator (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let authn: KeyAuthenticator;
  let keys: ApiKeysService;
  let group: { id: string; serverCode: string; name: string };

  beforeAll(async () => {
    t = await createTestApp({ imports: [PipelineModule] });
    authn = t.app.get(KeyAuthenticator);
    keys = t.app.get(ApiKeysService);
    tenant = await createTenant(t);
    other = await createTenant(t);
    group = await createGroup(t, tenant, { rateLimit: { perMinute: 600, perKeyPerMinute: 120 } });
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const owner = () => auth(tenant.owner.token, tenant.id);

  /** Counts the statements sent to PostgreSQL while `fn` runs (the periodic last-use flush aside). */
  async function queriesDuring(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (this: PostgresQueryRunner, ...args: Parameters<typeof original>) {
      if (!/last_used_at = v\.t/.test(args[0])) seen.push(args[0]);
      return original.apply(this, args);
    } as typeof original);
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return seen;
  }

  /** An authenticator of its own, with another cache period or a stubbed clock; shares the app's key service. */
  function standalone(cacheMs: number): KeyAuthenticator {
    return new KeyAuthenticator(keys, { env: { ...t.env, MCP_AUTH_CACHE_MS: cacheMs } } as AppConfigService);
  }

  it('accepts a live key from Authorization: Bearer or X-API-Key, and says whose it is', async () => {
    const { key, plaintext } = await createKey(t, tenant, group.id, { toolAllowlist: ['crm_lookup'] });
    const expected = {
      ok: true,
      key: { id: key.id, tenantId: tenant.id, groupId: group.id, toolAllowlist: ['crm_lookup'], rateLimit: {}, tenantRateLimit: {}, platformBound: { perMinute: false, perDay: false } },
      group: { id: group.id, tenantId: tenant.id, serverCode: group.serverCode, enabled: true, rateLimit: { perMinute: 600, perKeyPerMinute: 120 }, name: group.name },
    };
    expect(await authn.authenticate(bearer(plaintext), group.serverCode)).toEqual(expected);
    expect(await authn.authenticate({ authorization: `bearer   ${plaintext}  ` }, group.serverCode)).toEqual(expected);
    expect(await authn.authenticate({ 'x-api-key': plaintext }, group.serverCode)).toEqual(expected);
    expect(await authn.authenticate({ 'x-api-key': plaintext, ...bearer(plaintext) }, group.serverCode)).toEqual(expected);
    // Another scheme in Authorization (e.g. a proxy's Basic) does not hide X-API-Key.
    expect(await authn.authenticate({ 'x-api-key': plaintext, authorization: 'Basic dXNlcjpwdw==' }, group.serverCode)).toEqual(expected);
  });

  it('refuses a request without a key (missing) and anything that cannot be a key (malformed), without a query', async () => {
    const { plaintext } = await createKey(t, tenant, group.id);
    const other = (await createKey(t, tenant, group.id)).plaintext;
    const queries = await queriesDuring(async () => {
      expect(await authn.authenticate({}, group.serverCode)).toEqual({ ok: false, reason: 'missing' });
      for (const headers of [
        { authorization: 'Bearer' },
        { authorization: 'Bearer garbage' },
        { authorization: `Basic ${Buffer.from(`x:${plaintext}`).toString('base64')}` },
        { authorization: plaintext },
        { 'x-api-key': '' },
        { 'x-api-key': 'nope' },
        { 'x-api-key': [plaintext, plaintext] },
        { 'x-api-key': `${plaintext}x` },
        { 'x-api-key': plaintext.toUpperCase() },
        // Two different keys at once: refused rather than guessed between.
        { 'x-api-key': other, ...bearer(plaintext) },
      ]) {
        expect(await authn.authenticate(headers, group.serverCode)).toEqual({ ok: false, reason: 'malformed' });
      }
    });
    expect(queries).toEqual([]);
  });

  it('never reads a key from the URL or any other header: a key in the query string is not a key', async () => {
    const { plaintext } = await createKey(t, tenant, group.id);
    const headers = {
      host: '127.0.0.1',
      referer: `http://127.0.0.1/mcp/${group.serverCode}?api_key=${plaintext}`,
      'x-original-url': `/mcp/${group.serverCode}?api_key=${plaintext}&key=${plaintext}`,
      cookie: `api_key=${plaintext}`,
      'x-auth-token': plaintext,
    };
    expect(await authn.authenticate(headers, group.serverCode)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses an unknown key: right public id with a wrong secret, or a key nobody issued', async () => {
    const live = await createKey(t, tenant, group.id);
    const forged = `${live.key.prefix}_${'A'.repeat(43)}`;
    expect(await authn.authenticate(bearer(forged), group.serverCode)).toEqual({ ok: false, reason: 'unknown' });
    expect(await authn.authenticate(bearer(`tg_${'a'.repeat(12)}_${'B'.repeat(43)}`), group.serverCode)).toEqual({ ok: false, reason: 'unknown' });
    // The real key still works after someone tried its public id with a wrong secret.
    expect((await authn.authenticate(bearer(live.plaintext), group.serverCode)).ok).toBe(true);
  });

  it('refuses a revoked and an expired key, naming the key for the log', async () => {
    const revoked = await createKey(t, tenant, group.id);
    await t.http().post(`/api/v1/keys/${revoked.key.id}/revoke`).set(owner()).expect(200);
    expect(await authn.authenticate(bearer(revoked.plaintext), group.serverCode)).toEqual({ ok: false, reason: 'revoked', keyId: revoked.key.id });

    const expired = await createKey(t, tenant, group.id);
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.key.id]);
    expect(await authn.authenticate(bearer(expired.plaintext), group.serverCode)).toEqual({ ok: false, reason: 'expired', keyId: expired.key.id });
  });

  it("refuses a valid key on another group's endpoint (wrong_group), whoever owns that group", async () => {
    const { key, plaintext } = await createKey(t, tenant, group.id);
    const sibling = await createGroup(t, tenant);
    const foreign = await createGroup(t, other);
    for (const serverCode of [sibling.serverCode, foreign.serverCode, 'no-such-group']) {
      expect(await authn.authenticate(bearer(plaintext), serverCode)).toEqual({ ok: false, reason: 'wrong_group', keyId: key.id });
    }
    expect((await authn.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
  });

  it('refuses a key whose group is disabled (group_disabled) or is not its own tenant\'s (group_unknown)', async () => {
    const g = await createGroup(t, tenant);
    const { key, plaintext } = await createKey(t, tenant, g.id);
    await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: false }).expect(200);
    expect(await authn.authenticate(bearer(plaintext), g.serverCode)).toEqual({ ok: false, reason: 'group_disabled', keyId: key.id });

    const stray = await createKey(t, tenant, group.id);
    await t.db.query(`UPDATE api_keys SET tenant_id = $2 WHERE id = $1`, [stray.key.id, other.id]);
    expect(await authn.authenticate(bearer(stray.plaintext), group.serverCode)).toEqual({ ok: false, reason: 'group_unknown', keyId: stray.key.id });
  });

  it('answers 100 calls with one key from the cache: at most one query, and one for 100 at once', async () => {
    const { plaintext } = await createKey(t, tenant, group.id);
    const sequential = await queriesDuring(async () => {
      for (let i = 0; i < 100; i++) expect((await authn.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
    });
    expect(sequential.length).toBeLessThanOrEqual(2);
    expect(sequential.length).toBeGreaterThanOrEqual(1);

    const fresh = await createKey(t, tenant, group.id);
    const concurrent = await queriesDuring(async () => {
      const results = await Promise.all(Array.from({ length: 100 }, () => authn.authenticate({ 'x-api-key': fresh.plaintext }, group.serverCode)));
      expect(results.every((r) => r.ok)).toBe(true);
    });
    expect(concurrent).toHaveLength(1);
  });

  it('remembers an unknown key briefly, so repeating it does not reach the database', async () => {
    const cacheMs = 100;
    const a = standalone(cacheMs);
    const bogus = `tg_${'b'.repeat(12)}_${'C'.repeat(43)}`;
    const first = await queriesDuring(async () => {
      for (let i = 0; i < 50; i++) expect(await a.authenticate(bearer(bogus), group.serverCode)).toEqual({ ok: false, reason: 'unknown' });
    });
    expect(first).toHaveLength(1);
    await sleep(cacheMs + 20);
    const later = await queriesDuring(() => a.authenticate(bearer(bogus), group.serverCode));
    expect(later).toHaveLength(1);
  });

  it('keys its cache by the HMAC of the key, never the plaintext', async () => {
    const { plaintext } = await createKey(t, tenant, group.id);
    await authn.authenticate(bearer(plaintext), group.serverCode);
    const cacheKeys = [...(authn as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(cacheKeys).toContain(keys.hashPresentedKey(plaintext).toString('base64'));
    const secret = plaintext.split('_').slice(2).join('_');
    for (const k of cacheKeys) {
      expect(k).not.toContain(secret);
      expect(k).not.toContain(plaintext);
    }
  });

  it('stops accepting a key revoked through the API within 1.1 s, with no invalidation (as on another replica)', async () => {
    const { plaintext, key } = await createKey(t, tenant, group.id);
    // Not the app's instance: this one hears no local change events, like a replica that did not make the change.
    const replica = standalone(t.env.MCP_AUTH_CACHE_MS);
    expect(t.env.MCP_AUTH_CACHE_MS).toBe(1000);
    expect((await replica.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
    await t.http().post(`/api/v1/keys/${key.id}/revoke`).set(owner()).expect(200);
    const revokedAt = Date.now();
    let result = await replica.authenticate(bearer(plaintext), group.serverCode);
    while (result.ok && Date.now() - revokedAt < 1500) {
      await sleep(25);
      result = await replica.authenticate(bearer(plaintext), group.serverCode);
    }
    expect(result).toEqual({ ok: false, reason: 'revoked', keyId: key.id });
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(1100);
  });

  it('stops accepting a revoked key at once after invalidateKey', async () => {
    const { plaintext, key } = await createKey(t, tenant, group.id);
    const a = standalone(60_000);
    expect((await a.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
    await t.http().post(`/api/v1/keys/${key.id}/revoke`).set(owner()).expect(200);
    // With a one-minute cache the revocation is not seen yet...
    expect((await a.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
    a.invalidateKey(key.id);
    expect(await a.authenticate(bearer(plaintext), group.serverCode)).toEqual({ ok: false, reason: 'revoked', keyId: key.id });
  });

  it('refuses the keys of a group disabled through the API within 1.1 s, and at once after invalidateGroup', async () => {
    const g = await createGroup(t, tenant);
    const { plaintext, key } = await createKey(t, tenant, g.id);
    const replica = standalone(t.env.MCP_AUTH_CACHE_MS);
    expect((await replica.authenticate(bearer(plaintext), g.serverCode)).ok).toBe(true);
    await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: false }).expect(200);
    const disabledAt = Date.now();
    let result = await replica.authenticate(bearer(plaintext), g.serverCode);
    while (result.ok && Date.now() - disabledAt < 1500) {
      await sleep(25);
      result = await replica.authenticate(bearer(plaintext), g.serverCode);
    }
    expect(result).toEqual({ ok: false, reason: 'group_disabled', keyId: key.id });
    expect(Date.now() - disabledAt).toBeLessThanOrEqual(1100);

    const a = standalone(60_000);
    await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: true }).expect(200);
    expect((await a.authenticate(bearer(plaintext), g.serverCode)).ok).toBe(true);
    await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: false }).expect(200);
    expect((await a.authenticate(bearer(plaintext), g.serverCode)).ok).toBe(true);
    a.invalidateGroup(g.id);
    expect(await a.authenticate(bearer(plaintext), g.serverCode)).toMatchObject({ ok: false, reason: 'group_disabled' });
  });

  it("drops the app's cached answers at once on local change events (group.changed, key.changed)", async () => {
    const g = await createGroup(t, tenant);
    const { plaintext, key } = await createKey(t, tenant, g.id);
    expect((await authn.authenticate(bearer(plaintext), g.serverCode)).ok).toBe(true);
    // The group service announces the change after it commits.
    await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: false }).expect(200);
    expect(await authn.authenticate(bearer(plaintext), g.serverCode)).toEqual({ ok: false, reason: 'group_disabled', keyId: key.id });

    await t.http().patch(`/api/v1/groups/${g.id}`).set(owner()).send({ enabled: true }).expect(200);
    expect((await authn.authenticate(bearer(plaintext), g.serverCode)).ok).toBe(true);
    await t.db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
    t.app.get(DomainEvents).emit('key.changed', { keyId: key.id });
    expect(await authn.authenticate(bearer(plaintext), g.serverCode)).toEqual({ ok: false, reason: 'revoked', keyId: key.id });
  });

  it('checks expiry against the clock on every cached answer, without a query', async () => {
    const { plaintext, key } = await createKey(t, tenant, group.id);
    await t.db.query(`UPDATE api_keys SET expires_at = now() + interval '300 milliseconds' WHERE id = $1`, [key.id]);
    const a = standalone(60_000);
    expect((await a.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
    await sleep(350);
    const queries = await queriesDuring(async () => {
      expect(await a.authenticate(bearer(plaintext), group.serverCode)).toEqual({ ok: false, reason: 'expired', keyId: key.id });
    });
    expect(queries).toEqual([]);
  });

  it('records last use in memory and writes it on flush, for all keys in one statement, only ever forward', async () => {
    const one = await createKey(t, tenant, group.id);
    const two = await createKey(t, tenant, group.id);
    const lastUsed = async (id: string): Promise<Date | null> => (await t.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [id]))[0].last_used_at;

    const a = standalone(60_000);
    const calls = await queriesDuring(async () => {
      for (let i = 0; i < 20; i++) {
        await a.authenticate(bearer(one.plaintext), group.serverCode);
        await a.authenticate(bearer(two.plaintext), group.serverCode);
      }
    });
    expect(calls).toHaveLength(2);
    expect(await lastUsed(one.key.id)).toBeNull();

    const before = Date.now();
    const update = jest.spyOn(keys, 'recordLastUsed');
    await a.flushLastUsed();
    expect(update).toHaveBeenCalledTimes(1);
    expect(update.mock.calls[0][0].sort()).toEqual([one.key.id, two.key.id].sort());
    for (const id of [one.key.id, two.key.id]) {
      const at = (await lastUsed(id))!;
      expect(at).toBeInstanceOf(Date);
      expect(at.getTime()).toBeGreaterThan(before - 5_000);
      expect(at.getTime()).toBeLessThanOrEqual(Date.now());
    }
    // Nothing new: nothing written.
    await a.flushLastUsed();
    expect(update).toHaveBeenCalledTimes(1);

    // A replica with an older use does not move it back.
    const future = new Date(Date.now() + 3_600_000);
    await t.db.query(`UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, [one.key.id, future]);
    await a.authenticate(bearer(one.plaintext), group.serverCode);
    await a.flushLastUsed();
    expect((await lastUsed(one.key.id))!.getTime()).toBe(future.getTime());
  });

  it('keeps uses whose write failed for the next flush, and writes them on shutdown', async () => {
    const { plaintext, key } = await createKey(t, tenant, group.id);
    const a = standalone(60_000);
    await a.authenticate(bearer(plaintext), group.serverCode);
    jest.spyOn(keys, 'recordLastUsed').mockRejectedValueOnce(new Error('connection terminated'));
    await a.flushLastUsed();
    expect((await t.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [key.id]))[0].last_used_at).toBeNull();
    await a.beforeApplicationShutdown();
    expect((await t.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [key.id]))[0].last_used_at).toBeInstanceOf(Date);
  });

  it('serves a verified key from the cache while the database cannot be reached, for at most 5 minutes', async () => {
    const { plaintext, key } = await createKey(t, tenant, group.id);
    const a = standalone(0);
    expect((await a.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);

    const down = jest.spyOn(keys, 'findWithGroupByPrefix').mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const during = await a.authenticate(bearer(plaintext), group.serverCode);
    expect(during).toMatchObject({ ok: true, key: { id: key.id } });
    // Still the same refusals from what was seen: another group's endpoint is refused.
    expect(await a.authenticate(bearer(plaintext), 'no-such-group')).toMatchObject({ ok: false, reason: 'wrong_group' });
    // A key never verified here cannot be vouched for: the gateway should answer 503, not 401.
    const stranger = await createKey(t, tenant, group.id);
    await expect(a.authenticate(bearer(stranger.plaintext), group.serverCode)).rejects.toBeInstanceOf(KeyStoreUnavailable);

    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + STALE_IF_ERROR_MS + 1);
    await expect(a.authenticate(bearer(plaintext), group.serverCode)).rejects.toBeInstanceOf(KeyStoreUnavailable);

    jest.spyOn(Date, 'now').mockRestore();
    down.mockRestore();
    expect((await a.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
  });

  it('treats a lookup that hangs as a database outage', async () => {
    const { plaintext } = await createKey(t, tenant, group.id);
    const a = standalone(0);
    expect((await a.authenticate(bearer(plaintext), group.serverCode)).ok).toBe(true);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      jest.spyOn(keys, 'findWithGroupByPrefix').mockReturnValue(new Promise(() => undefined));
      const pending = a.authenticate(bearer(plaintext), group.serverCode);
      await jest.advanceTimersByTimeAsync(2_000);
      expect((await pending).ok).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
