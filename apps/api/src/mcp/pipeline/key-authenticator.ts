// Pipeline step 1: who is calling. Finds and checks the group API key of an MCP request, with a
// short-lived in-process cache so the hot path costs a map lookup, not a query (nor an HMAC).
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import type { KeyRateLimit, RateLimit, TenantRateLimit } from '@toolgate/contracts';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiKeysService, KeyWithGroup } from '../../api-keys/api-keys.service';
import { hashesEqual, parseKey } from '../../api-keys/key-codec';
import { DomainEvents } from '../../common/events/domain-events';
import { AppConfigService } from '../../config/app-config.service';
import { runWithDeadline } from './deadline';
import { effectiveTenantRateLimit, type PlatformBound } from './rate-limiter';

export interface AuthenticatedKey {
  readonly id: string;
  readonly tenantId: string;
  readonly groupId: string;
  /** Exposed tool names this key may call; null = every tool of the group. Shared by calls and frozen: never mutate. */
  readonly toolAllowlist: string[] | null;
  /** This key's overrides of the group's limits. */
  readonly rateLimit: Readonly<KeyRateLimit>;
  /**
   * Its tenant's ceiling across all groups, per window the stricter of the tenant's own and the platform's
   * (carried here, merged, so the hot path needs no tenant lookup).
   */
  readonly tenantRateLimit: Readonly<TenantRateLimit>;
  /** Which windows of tenantRateLimit the platform's ceiling sets. */
  readonly platformBound: Readonly<PlatformBound>;
}

export interface AuthenticatedGroup {
  readonly id: string;
  readonly tenantId: string;
  readonly serverCode: string;
  readonly enabled: boolean;
  readonly rateLimit: Readonly<RateLimit>;
  readonly name: string;
}

/** Why a request was refused. The gateway answers every reason alike; the reason is for the log. */
export type AuthFailureReason = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' | 'wrong_group' | 'group_disabled' | 'group_unknown' | 'throttled';

export type AuthResult =
  | { readonly ok: true; readonly key: AuthenticatedKey; readonly group: AuthenticatedGroup }
  /** `keyId` is set when the key itself was recognised (revoked, expired, wrong or disabled group), for the log. */
  | { readonly ok: false; readonly reason: AuthFailureReason; readonly keyId?: string };

/** The key store could not be asked and nothing cached may stand in: the gateway should answer 503, not 401. */
export class KeyStoreUnavailable extends Error {
  override readonly name = 'KeyStoreUnavailable';
  constructor(cause: unknown) {
    super('the API key store is unavailable', { cause });
  }
}

/** Most keys a replica keeps verified at once; the least recently verified go first. */
export const MAX_CACHED_KEYS = 10_000;
/** Presented keys known not to exist; a separate map so a flood of bad keys cannot evict good ones. */
export const MAX_CACHED_UNKNOWN = 10_000;
/** Unknown keys are remembered at most this long (or MCP_AUTH_CACHE_MS, if shorter). */
const UNKNOWN_TTL_MS = 1_000;
/**
 * Stale-if-error: when the database cannot be reached, a key verified within this window is still
 * answered from the cache, as last seen (its expiry still checked against the clock). We choose to keep
 * serving agents through a database outage of up to 5 minutes; the price is that a key revoked on another
 * replica during the outage keeps working here until the database answers again or the window ends.
 */
export const STALE_IF_ERROR_MS = 5 * 60_000;
/** A lookup slower than this counts as the database being unreachable (pg would otherwise wait indefinitely). */
/** How often uses are written to `api_keys.last_used_at`. */
export const LAST_USED_FLUSH_MS = 5_000;

/** What the database said about one presented key, kept between checks. */
interface CacheEntry {
  readonly keyId: string;
  readonly groupId: string;
  /** ms since epoch; Infinity when not set. Checked on every hit. */
  readonly revokedAt: number;
  readonly expiresAt: number;
  /** The answer for a request on the key's own, enabled group; null when the group row is gone. */
  readonly success: Extract<AuthResult, { ok: true }> | null;
  /** Until then the entry is answered without a query. */
  freshUntil: number;
  /** A lookup ahead of `freshUntil` has started for it (see refreshAhead). */
  refreshing?: boolean;
  /** Until then the entry may stand in for a database that cannot be reached. */
  readonly staleUntil: number;
}

const MISSING: AuthResult = Object.freeze({ ok: false, reason: 'missing' });
const MALFORMED: AuthResult = Object.freeze({ ok: false, reason: 'malformed' });
const UNKNOWN: AuthResult = Object.freeze({ ok: false, reason: 'unknown' });
const THROTTLED: AuthResult = Object.freeze({ ok: false, reason: 'throttled' });

/** How long, and for how many keys, a replica remembers that a presented key exists (see `seenReal`). */
const SEEN_REAL_MS = 10 * 60_000;
const SEEN_REAL_MAX = 10_000;

@Injectable()
export class KeyAuthenticator implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(KeyAuthenticator.name);
  private readonly cacheMs: number;
  /** A key lookup slower than this counts as the database being unreachable (stale-if-error, or 503). */
  private readonly lookupTimeoutMs: number;
  private readonly unknownTtlMs: number;
  /** A key in use is looked up again this long before its verification goes stale, so no call waits for it. */
  private readonly refreshAheadMs: number;
  /** Keyed by the base64 HMAC of the presented key; Map order = order of last verification (oldest first). */
  private readonly entries = new Map<string, CacheEntry>();
  /**
   * The fresh entries again, keyed by the presented key itself, so that a call within MCP_AUTH_CACHE_MS of the
   * last verification costs one map lookup and no HMAC (the HMAC was ~4% of a call). Only fresh entries are
   * answered from here, and expired ones are swept every LAST_USED_FLUSH_MS, so a plaintext key stays in memory
   * for seconds after its last use, not for as long as `entries` may keep its HMAC.
   */
  private readonly hot = new Map<string, CacheEntry>();
  /** HMAC → until when the key is known not to exist. */
  private readonly unknown = new Map<string, number>();
  /**
   * HMAC → until when this replica knows the key exists (found in the database recently). Survives the cache
   * invalidations of admin changes, so an address past the failed-check limit may still have its real keys looked
   * up after a group change dropped them from `entries`; random keys stay refused without a query.
   */
  private readonly seenReal = new Map<string, number>();
  /** One database lookup per presented key at a time; concurrent callers share it. */
  private readonly inflight = new Map<string, Promise<CacheEntry | null>>();
  /** Bumped by every invalidation, so a lookup that started before it does not refill the cache. */
  private generation = 0;
  /** Key id → latest use (ms), waiting for the next flush. */
  private used = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private flushTimer?: NodeJS.Timeout;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly keys: ApiKeysService,
    config: AppConfigService,
    /** Local admin changes; without it (or on other replicas) changes are seen within MCP_AUTH_CACHE_MS. */
    @Optional() private readonly events?: DomainEvents,
  ) {
    this.cacheMs = config.env.MCP_AUTH_CACHE_MS;
    this.lookupTimeoutMs = config.env.MCP_AUTH_LOOKUP_TIMEOUT_MS;
    this.unknownTtlMs = Math.min(this.cacheMs, UNKNOWN_TTL_MS);
    this.refreshAheadMs = this.cacheMs / 4;
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => {
      this.sweepHot(Date.now());
      void this.flushLastUsed();
    }, LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
    if (this.events) {
      this.unsubscribe = [
        this.events.on('key.changed', ({ keyId }) => this.invalidateKey(keyId)),
        this.events.on('group.changed', ({ groupId }) => this.invalidateGroup(groupId)),
        // A tenant's quota (its own or the platform's) changed: rare, so every cached key goes (they carry the tenant's limits).
        this.events.on('tenant.changed', () => this.invalidateAll()),
      ];
    }
  }

  /** Before the data source closes: the last uses are written, not lost. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
    // Uses recorded while a periodic flush was already under way.
    if (this.used.size > 0) await this.flushLastUsed();
  }

  /**
   * Checks the key of an MCP request to `/mcp/{serverCode}`. `headers` are Node's (lower-case names);
   * only `Authorization: Bearer <key>` and `X-API-Key: <key>` are read, never the URL or its query string.
   * Rejects with KeyStoreUnavailable only when the database cannot be reached and nothing cached may answer.
   */
  async authenticate(headers: IncomingHttpHeaders, serverCode: string, opts: { knownKeysOnly?: boolean } = {}): Promise<AuthResult> {
    const presented = presentedKey(headers);
    if (presented === null) return MISSING;
    if (presented === undefined) return MALFORMED;
    const hot = this.hot.get(presented);
    if (hot !== undefined) {
      const now = Date.now();
      if (hot.freshUntil > now) {
        if (hot.freshUntil - now < this.refreshAheadMs && !hot.refreshing) this.refreshAhead(presented, hot);
        return this.answer(hot, serverCode, now);
      }
      this.hot.delete(presented);
    }
    const parsed = parseKey(presented);
    if (!parsed) return MALFORMED;

    const hash = this.keys.hashPresentedKey(presented);
    const id = hash.toString('base64');
    const now = Date.now();
    const entry = this.entries.get(id);
    if (entry && entry.freshUntil > now) {
      this.rememberHot(presented, entry, now);
      return this.answer(entry, serverCode, now);
    }
    // An address that keeps failing may only check keys this replica has seen valid: random keys cost no query.
    if (!entry && opts.knownKeysOnly && !((this.seenReal.get(id) ?? 0) > now)) return THROTTLED;
    if (!entry) {
      const unknownUntil = this.unknown.get(id);
      if (unknownUntil !== undefined) {
        if (unknownUntil > now) return UNKNOWN;
        this.unknown.delete(id);
      }
    }

    const refreshed = await this.refresh(id, parsed.prefix, hash);
    if (refreshed === null) return UNKNOWN;
    const after = Date.now();
    this.rememberReal(id, after);
    // Only what the cache holds now: a lookup overtaken by an invalidation answers this call but is not reused.
    if (this.entries.get(id) === refreshed) this.rememberHot(presented, refreshed, after);
    return this.answer(refreshed, serverCode, after);
  }

  /**
   * Verifies a key in use again in the background, in the last quarter of its cache period: the calls meanwhile
   * are answered from the still-fresh entry, so revocation is seen within MCP_AUTH_CACHE_MS as before, and a busy
   * key's calls never wait for its lookup (one would, every MCP_AUTH_CACHE_MS, without this).
   */
  private refreshAhead(presented: string, current: CacheEntry): void {
    current.refreshing = true;
    const parsed = parseKey(presented);
    if (!parsed) return;
    const hash = this.keys.hashPresentedKey(presented);
    const id = hash.toString('base64');
    this.refresh(id, parsed.prefix, hash).then(
      (entry) => {
        if (entry !== null && this.entries.get(id) === entry) this.rememberHot(presented, entry, Date.now());
      },
      // Unreachable and nothing stale may answer: the next call past the cache period finds out and says so.
      () => undefined,
    );
  }

  /** Drops what this replica knows about a key at once (after a local revoke, update or rotation). */
  private rememberReal(id: string, now: number): void {
    this.seenReal.delete(id);
    if (this.seenReal.size >= SEEN_REAL_MAX) this.seenReal.delete(this.seenReal.keys().next().value as string);
    this.seenReal.set(id, now + SEEN_REAL_MS);
  }

    invalidateKey(keyId: string): void {
    this.generation++;
    this.inflight.clear();
    for (const [id, e] of this.entries) if (e.keyId === keyId) this.entries.delete(id);
    for (const [presented, e] of this.hot) if (e.keyId === keyId) this.hot.delete(presented);
  }

  /** Drops every cached key. */
  invalidateAll(): void {
    this.generation++;
    this.inflight.clear();
    this.entries.clear();
    this.hot.clear();
  }

  /** Drops every cached key of a group at once (after a local group change or delete). */
  invalidateGroup(groupId: string): void {
    this.generation++;
    this.inflight.clear();
    for (const [id, e] of this.entries) if (e.groupId === groupId) this.entries.delete(id);
    for (const [presented, e] of this.hot) if (e.groupId === groupId) this.hot.delete(presented);
  }

  /** Writes the recorded uses to `last_used_at` in one statement; on failure they are kept for the next try. */
  flushLastUsed(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.writeUses().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private answer(entry: CacheEntry, serverCode: string, now: number): AuthResult {
    const success = entry.success;
    if (entry.revokedAt <= now) return { ok: false, reason: 'revoked', keyId: entry.keyId };
    if (entry.expiresAt <= now) return { ok: false, reason: 'expired', keyId: entry.keyId };
    if (!success) return { ok: false, reason: 'group_unknown', keyId: entry.keyId };
    if (success.group.serverCode !== serverCode) return { ok: false, reason: 'wrong_group', keyId: entry.keyId };
    if (!success.group.enabled) return { ok: false, reason: 'group_disabled', keyId: entry.keyId };
    this.used.set(entry.keyId, now);
    return success;
  }

  /** The entry for a presented key, from the database; null when no such key exists. */
  private refresh(id: string, prefix: string, hash: Buffer): Promise<CacheEntry | null> {
    let pending = this.inflight.get(id);
    if (!pending) {
      const generation = this.generation;
      pending = this.lookup(id, prefix, hash, generation).finally(() => {
        if (this.inflight.get(id) === pending) this.inflight.delete(id);
      });
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async lookup(id: string, prefix: string, hash: Buffer, generation: number): Promise<CacheEntry | null> {
    let row: KeyWithGroup | null;
    try {
      // The query takes no signal; past the timeout its late answer is simply dropped.
      row = await runWithDeadline(() => this.keys.findWithGroupByPrefix(prefix), this.lookupTimeoutMs);
    } catch (err) {
      return this.serveStale(id, err);
    }
    const now = Date.now();
    const current = generation === this.generation;
    // The prefix is public; only the HMAC, compared in constant time, proves the key.
    if (!row || !hashesEqual(hash, row.keyHash)) {
      this.entries.delete(id);
      if (current) this.rememberUnknown(id, now);
      return null;
    }
    const entry = toEntry(row, now, this.cacheMs);
    if (current) this.store(id, entry);
    return entry;
  }

  private serveStale(id: string, err: unknown): CacheEntry {
    const now = Date.now();
    const stale = this.entries.get(id);
    if (!stale || stale.staleUntil <= now) {
      this.logger.error({ err }, 'API key lookup failed and no cached verification can stand in');
      throw new KeyStoreUnavailable(err);
    }
    // Ask the database again after another cache period, not on every call while it is down.
    stale.freshUntil = now + this.cacheMs;
    this.logger.warn({ err, keyId: stale.keyId }, 'API key lookup failed; answering from a cached verification (stale-if-error)');
    return stale;
  }

  private store(id: string, entry: CacheEntry): void {
    // Re-inserting moves the key to the young end, so eviction drops the least recently verified.
    this.entries.delete(id);
    if (this.entries.size >= MAX_CACHED_KEYS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, entry);
  }

  private rememberHot(presented: string, entry: CacheEntry, now: number): void {
    if (entry.freshUntil <= now) return;
    this.hot.delete(presented);
    if (this.hot.size >= MAX_CACHED_KEYS) this.hot.delete(this.hot.keys().next().value!);
    this.hot.set(presented, entry);
  }

  private sweepHot(now: number): void {
    for (const [presented, e] of this.hot) if (e.freshUntil <= now) this.hot.delete(presented);
  }

  private rememberUnknown(id: string, now: number): void {
    if (this.unknownTtlMs <= 0) return;
    // One TTL for all, so Map order is expiry order: drop expired ones from the front, then the oldest if
    // still full. Constant work per insert, however hard a flood of bad keys pushes.
    for (const [k, until] of this.unknown) {
      if (until > now && this.unknown.size < MAX_CACHED_UNKNOWN) break;
      this.unknown.delete(k);
    }
    this.unknown.delete(id);
    this.unknown.set(id, now + this.unknownTtlMs);
  }

  private async writeUses(): Promise<void> {
    if (this.used.size === 0) return;
    const batch = this.used;
    this.used = new Map();
    const ids: string[] = [];
    const times: Date[] = [];
    for (const [keyId, at] of batch) {
      ids.push(keyId);
      times.push(new Date(at));
    }
    try {
      await this.keys.recordLastUsed(ids, times);
    } catch (err) {
      for (const [keyId, at] of batch) {
        const later = this.used.get(keyId);
        if (later === undefined || later < at) this.used.set(keyId, at);
      }
      this.logger.warn({ err, keys: ids.length }, 'could not record API key uses; will retry');
    }
  }
}

function toEntry(row: KeyWithGroup, now: number, cacheMs: number): CacheEntry {
  const tenant = effectiveTenantRateLimit(row.tenantRateLimit, row.platformRateLimit);
  const key: AuthenticatedKey = Object.freeze({
    id: row.id,
    tenantId: row.tenantId,
    groupId: row.groupId,
    toolAllowlist: row.toolAllowlist ? (Object.freeze([...row.toolAllowlist]) as string[]) : null,
    rateLimit: Object.freeze({ ...row.rateLimit }),
    tenantRateLimit: Object.freeze(tenant.rateLimit),
    platformBound: Object.freeze(tenant.platformBound),
  });
  const g = row.group;
  const group: AuthenticatedGroup | null = g
    ? Object.freeze({ id: g.id, tenantId: g.tenantId, serverCode: g.serverCode, enabled: g.enabled, rateLimit: Object.freeze({ ...g.rateLimit }), name: g.name })
    : null;
  return {
    keyId: row.id,
    groupId: row.groupId,
    revokedAt: row.revokedAt ? row.revokedAt.getTime() : Infinity,
    expiresAt: row.expiresAt ? row.expiresAt.getTime() : Infinity,
    success: group ? Object.freeze({ ok: true as const, key, group }) : null,
    freshUntil: now + cacheMs,
    staleUntil: now + STALE_IF_ERROR_MS,
  };
}

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The key the request presents: a string; null when it presents none; undefined when what it presents
 * cannot be a key (an empty value, a repeated X-API-Key, another Authorization scheme and no X-API-Key,
 * or two different keys at once, which is refused rather than guessed between).
 */
function presentedKey(headers: IncomingHttpHeaders): string | null | undefined {
  const authorization = headers.authorization;
  const apiKey = headers['x-api-key'];
  if (authorization === undefined && apiKey === undefined) return null;
  if (Array.isArray(apiKey)) return undefined;
  const fromApiKey = apiKey === undefined ? undefined : apiKey.trim();
  const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (bearer === undefined) return fromApiKey || undefined;
  if (fromApiKey !== undefined && fromApiKey !== bearer) return undefined;
  return bearer;
}
