// Pipeline step "limit": counts calls per bucket and applies a group's rateLimit settings.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { KeyRateLimit, RateLimit, TenantRateLimit } from '@toolgate/contracts';

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until one call would be allowed; 0 when allowed. */
  retryAfterMs: number;
  /** Calls still allowed now, after this one. */
  remaining: number;
}

/** One limit a call is counted against: at most `limit` calls per `windowMs` in `bucket`. */
export interface LimitCheck {
  readonly bucket: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** A cap on calls in flight in `bucket`: at most `max` at once. */
export interface SlotCheck {
  readonly bucket: string;
  readonly max: number;
  /** For the refusal message. */
  readonly name: 'maxConcurrentPerKey' | 'sourceMaxConcurrent';
}

/** The answer for a set of checks: all counted, or none counted and the index of the first that refused. */
export interface MultiDecision {
  /**
   * Index of the first limit that refused the call: into the rate checks, then the slots after them
   * (checks.length + j); -1 when every limit allowed it.
   */
  refused: number;
  /** When refused: how long until that limit would allow one call; 0 when allowed. */
  retryAfterMs: number;
  /** When slots were taken: frees them (call once, when the call ends). */
  release?: () => void;
}

export const ALLOWED: MultiDecision = Object.freeze({ refused: -1, retryAfterMs: 0 });

/**
 * Counts calls against limits per bucket and window.
 *
 * The return type is a union on purpose: the in-process limiter answers synchronously, so the hot path
 * allocates no promise and waits for nothing, while the Redis limiter (shared by replicas) returns a
 * promise behind the same interface. Callers `await` the answer (cheap when it is a plain value) or
 * test for a promise. An abstract class rather than a TS interface so it can serve as Nest's DI token.
 */
export abstract class RateLimiter {
  /**
   * Counts one call against every check if all of them allow it, else against none (all or nothing, so a
   * call one limit refuses does not use up the others). The in-process limiter answers synchronously.
   */
  abstract consumeAll(checks: readonly LimitCheck[], now: number, slots?: readonly SlotCheck[], leaseMs?: number): MultiDecision | Promise<MultiDecision>;
}

export interface InProcessRateLimiterOptions {
  /** Most buckets kept; when full after a sweep, the least recently active bucket is dropped. */
  maxBuckets?: number;
  /** How often buckets whose windows have passed are swept out (during a `consume`, no timer). */
  sweepIntervalMs?: number;
}
export const IN_PROCESS_RATE_LIMITER_OPTIONS = Symbol('IN_PROCESS_RATE_LIMITER_OPTIONS');

interface Bucket {
  windowMs: number;
  /** Start of the current window, aligned to multiples of windowMs since the epoch (UTC midnight for days). */
  start: number;
  /** Calls counted in the previous and the current window. */
  prev: number;
  curr: number;
}

/**
 * Sliding-window counters, per replica: each bucket keeps the previous and the current fixed window, and
 * a call is allowed when `prev × (share of the previous window still inside the sliding window) + curr`
 * stays within the limit. Two numbers per bucket, no boundary burst of twice the limit as plain fixed
 * windows allow. The estimate assumes the previous window's calls were spread evenly, so for very small
 * limits it errs on the strict side (a limit of 1 per minute may wait up to two minutes).
 */
@Injectable()
export class InProcessRateLimiter extends RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Calls in flight per concurrency bucket (entries removed at zero, so the map holds only busy ones). */
  private readonly inFlight = new Map<string, number>();
  private readonly maxBuckets: number;
  private readonly sweepIntervalMs: number;
  private nextSweepAt = 0;
  private lastSweepAt = -Infinity;

  constructor(@Optional() @Inject(IN_PROCESS_RATE_LIMITER_OPTIONS) options: InProcessRateLimiterOptions | null = null) {
    super();
    this.maxBuckets = options?.maxBuckets ?? 100_000;
    this.sweepIntervalMs = options?.sweepIntervalMs ?? 60_000;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  consumeAll(checks: readonly LimitCheck[], now: number, slots?: readonly SlotCheck[]): MultiDecision {
    if (slots) {
      for (let j = 0; j < slots.length; j++) {
        if ((this.inFlight.get(slots[j].bucket) ?? 0) >= slots[j].max) return { refused: checks.length + j, retryAfterMs: 1000 };
      }
    }
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i];
      const d = this.consume(c.bucket, c.limit, c.windowMs, now);
      if (d.allowed) continue;
      for (let j = 0; j < i; j++) this.refund(checks[j].bucket, checks[j].windowMs, now);
      return { refused: i, retryAfterMs: d.retryAfterMs };
    }
    if (!slots) return ALLOWED;
    for (const slot of slots) this.inFlight.set(slot.bucket, (this.inFlight.get(slot.bucket) ?? 0) + 1);
    let released = false;
    return {
      refused: -1,
      retryAfterMs: 0,
      release: () => {
        if (released) return;
        released = true;
        for (const slot of slots) {
          const n = (this.inFlight.get(slot.bucket) ?? 1) - 1;
          if (n > 0) this.inFlight.set(slot.bucket, n);
          else this.inFlight.delete(slot.bucket);
        }
      },
    };
  }

  /** Counts one call in `bucket` if it fits `limit` calls per `windowMs`; a refused call is not counted. */
  consume(bucket: string, limit: number, windowMs: number, now = Date.now()): RateDecision {
    if (now >= this.nextSweepAt) this.sweep(now);
    const b = this.current(bucket, windowMs, now);
    const used = b.curr + (b.prev === 0 ? 0 : (b.prev * (b.start + windowMs - now)) / windowMs);
    if (used + 1 <= limit) {
      b.curr++;
      return { allowed: true, retryAfterMs: 0, remaining: Math.floor(limit - used - 1) };
    }
    return { allowed: false, retryAfterMs: retryAfter(b, limit, windowMs, now), remaining: 0 };
  }

  /** Gives back one call counted by `consume`. */
  refund(bucket: string, windowMs: number, now = Date.now()): void {
    const b = this.buckets.get(bucket);
    if (!b || b.windowMs !== windowMs) return;
    roll(b, now);
    if (b.curr > 0) b.curr--;
  }

  /** The bucket, rolled forward to the window holding `now`; created if new. */
  private current(name: string, windowMs: number, now: number): Bucket {
    const start = now - (now % windowMs);
    let b = this.buckets.get(name);
    if (b && b.windowMs === windowMs) {
      if (start > b.start) {
        roll(b, now);
        // Re-inserting on each new window keeps Map order = least recently active first, for eviction.
        this.buckets.delete(name);
        this.buckets.set(name, b);
      }
      return b;
    }
    if (b) this.buckets.delete(name);
    if (this.buckets.size >= this.maxBuckets) {
      // A full sweep at most once a second; otherwise the least recently active bucket makes room.
      if (now >= this.lastSweepAt + 1_000) this.sweep(now);
      if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    }
    b = { windowMs, start, prev: 0, curr: 0 };
    this.buckets.set(name, b);
    return b;
  }

  /** Drops buckets whose previous and current windows have both passed: they would count nothing. */
  private sweep(now: number): void {
    this.lastSweepAt = now;
    this.nextSweepAt = now + this.sweepIntervalMs;
    for (const [name, b] of this.buckets) if (now >= b.start + 2 * b.windowMs) this.buckets.delete(name);
  }
}

function roll(b: Bucket, now: number): void {
  const start = now - (now % b.windowMs);
  if (start <= b.start) return;
  b.prev = start - b.start === b.windowMs ? b.curr : 0;
  b.curr = 0;
  b.start = start;
}

/** Smallest wait after which `prev`'s fading share plus `curr` leaves room for one call. */
function retryAfter(b: Bucket, limit: number, windowMs: number, now: number): number {
  const elapsed = now - b.start;
  let wait: number;
  if (b.curr + 1 <= limit) {
    // Room appears in this window once enough of the previous one has slid out.
    wait = windowMs - ((limit - 1 - b.curr) * windowMs) / b.prev - elapsed;
  } else {
    // Not before the next window, where this window's calls become the fading share.
    wait = windowMs - elapsed + Math.max(0, windowMs - ((limit - 1) * windowMs) / b.curr);
  }
  return Math.max(1, Math.ceil(wait));
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Retry-after for a concurrency refusal: a slot frees when any call in flight ends, usually soon. */
const CONCURRENCY_RETRY_MS = 1_000;

export type RateLimitName =
  | 'perKeyPerMinute'
  | 'keyPerDay'
  | 'perMinute'
  | 'perDay'
  | 'tenantPerMinute'
  | 'tenantPerDay'
  | 'platformPerMinute'
  | 'platformPerDay'
  | 'maxConcurrentPerKey'
  | 'sourceMaxConcurrent';

export interface RateLimitRefusal {
  /** Which setting refused the call. */
  limit: RateLimitName;
  /** That setting's value. */
  max: number;
  /** Whole seconds, rounded up, at least 1: what Retry-After should say. */
  retryAfterSeconds: number;
  /** For the agent: which limit, and when to retry. */
  message: string;
}

/** The key a call comes with: its id, and (from KeyAuthenticator) its overrides and its tenant's ceiling. */
export interface LimitKey {
  readonly id: string;
  readonly tenantId?: string;
  readonly rateLimit?: Readonly<KeyRateLimit>;
  /** The tenant's ceiling as enforced (see effectiveTenantRateLimit). */
  readonly tenantRateLimit?: Readonly<TenantRateLimit>;
  /** Per window, true when tenantRateLimit is the platform's ceiling rather than the tenant's own (for the refusal's name). */
  readonly platformBound?: Readonly<PlatformBound>;
}

export interface PlatformBound {
  perMinute: boolean;
  perDay: boolean;
}

/**
 * The tenant's ceiling per window: the stricter of its own and the platform's (a null or absent value is no
 * limit, so the one set wins). Computed once when a key is loaded, so the call path does no more work than
 * with the tenant's own quota alone; both count in the same tenant bucket. `platformBound` says which windows
 * the platform's value sets (a tie is the tenant's own).
 */
export function effectiveTenantRateLimit(own: Readonly<TenantRateLimit>, platform: Readonly<TenantRateLimit>): { rateLimit: TenantRateLimit; platformBound: PlatformBound } {
  const rateLimit: TenantRateLimit = {};
  const platformBound: PlatformBound = { perMinute: false, perDay: false };
  for (const window of ['perMinute', 'perDay'] as const) {
    const mine = own[window] ?? null;
    const theirs = platform[window] ?? null;
    if (theirs !== null && (mine === null || theirs < mine)) {
      rateLimit[window] = theirs;
      platformBound[window] = true;
    } else if (mine !== null) rateLimit[window] = mine;
  }
  return { rateLimit, platformBound };
}

/** The source a call's tool belongs to, when it caps its calls in flight. */
export interface LimitSource {
  readonly id: string;
  readonly maxConcurrent: number | null;
}

/** What the limit step answers: null when allowed (and nothing to give back), a refusal, or a lease to release. */
export type RateLimitVerdict = RateLimitRefusal | null | { release: () => void };

/**
 * Applies every limit a call is under, narrowest first (the refusal names the most specific one reached):
 * the key per minute (its override, else the group's perKeyPerMinute) and per day, the group per minute and
 * per day, the tenant per minute and per day (the stricter of its own quota and the platform's); and the caps on calls in flight per key (group
 * maxConcurrentPerKey) and per source (resilience.maxConcurrent). All counted at once, all or nothing (one
 * Redis round trip with the shared limiter). Buckets are per key, group, tenant and source id, so one group's
 * traffic never touches another's limits. Synchronous with the in-process limiter; a promise with Redis.
 */
@Injectable()
export class GroupRateLimits {
  constructor(private readonly limiter: RateLimiter) {}

  /**
   * null or `{ release }` when allowed: `release()` must be called once the call ends (it frees its
   * concurrency slots); a refusal otherwise, and then the call counts against nothing.
   */
  check(
    group: { readonly id: string; readonly rateLimit: Readonly<RateLimit> },
    key: LimitKey | string,
    now = Date.now(),
    source: LimitSource | null = null,
    leaseMs = 10 * MINUTE_MS,
  ): RateLimitVerdict | Promise<RateLimitVerdict> {
    const k: LimitKey = typeof key === 'string' ? { id: key } : key;
    const checks: LimitCheck[] = [];
    const names: RateLimitName[] = [];
    const add = (name: RateLimitName, max: number | null | undefined, bucket: string, windowMs: number) => {
      if (!max || max < 1) return;
      checks.push({ bucket, limit: max, windowMs });
      names.push(name);
    };
    add('perKeyPerMinute', k.rateLimit?.perMinute ?? group.rateLimit.perKeyPerMinute, `k:${k.id}:m`, MINUTE_MS);
    add('keyPerDay', k.rateLimit?.perDay, `k:${k.id}:d`, DAY_MS);
    add('perMinute', group.rateLimit.perMinute, `g:${group.id}:m`, MINUTE_MS);
    add('perDay', group.rateLimit.perDay, `g:${group.id}:d`, DAY_MS);
    if (k.tenantId) {
      add(k.platformBound?.perMinute ? 'platformPerMinute' : 'tenantPerMinute', k.tenantRateLimit?.perMinute, `t:${k.tenantId}:m`, MINUTE_MS);
      add(k.platformBound?.perDay ? 'platformPerDay' : 'tenantPerDay', k.tenantRateLimit?.perDay, `t:${k.tenantId}:d`, DAY_MS);
    }
    let slots: SlotCheck[] | undefined;
    const perKey = group.rateLimit.maxConcurrentPerKey;
    if (perKey && perKey >= 1) (slots ??= []).push({ bucket: `ck:${k.id}`, max: perKey, name: 'maxConcurrentPerKey' });
    if (source?.maxConcurrent && source.maxConcurrent >= 1) (slots ??= []).push({ bucket: `cs:${source.id}`, max: source.maxConcurrent, name: 'sourceMaxConcurrent' });
    if (checks.length === 0 && !slots) return null;
    const decision = this.limiter.consumeAll(checks, now, slots, leaseMs);
    if (decision instanceof Promise) return decision.then((d) => verdict(d, checks, names, slots));
    return verdict(decision, checks, names, slots);
  }
}

function verdict(d: MultiDecision, checks: readonly LimitCheck[], names: readonly RateLimitName[], slots: readonly SlotCheck[] | undefined): RateLimitVerdict {
  if (d.refused < 0) return d.release ? { release: d.release } : null;
  const slot = d.refused >= checks.length ? slots![d.refused - checks.length] : null;
  const name = slot ? slot.name : names[d.refused];
  const max = slot ? slot.max : checks[d.refused].limit;
  const retryAfterSeconds = Math.max(1, Math.ceil((slot ? CONCURRENCY_RETRY_MS : d.retryAfterMs) / 1000));
  return { limit: name, max, retryAfterSeconds, message: `${describe(name, max)} Retry in ${retryAfterSeconds} s.` };
}

function describe(name: RateLimitName, max: number): string {
  switch (name) {
    case 'perKeyPerMinute':
      return `Rate limit reached: this key may make ${max} calls per minute.`;
    case 'keyPerDay':
      return `Daily limit reached: this key may make ${max} calls per day.`;
    case 'perMinute':
      return `Rate limit reached: this tool group allows ${max} calls per minute across its keys.`;
    case 'perDay':
      return `Daily limit reached: this tool group allows ${max} calls per day.`;
    case 'tenantPerMinute':
      return `Rate limit reached: this tenant allows ${max} calls per minute across its tool groups.`;
    case 'tenantPerDay':
      return `Daily limit reached: this tenant allows ${max} calls per day across its tool groups.`;
    case 'platformPerMinute':
      return `Rate limit reached: the platform allows this tenant ${max} calls per minute across its tool groups.`;
    case 'platformPerDay':
      return `Daily limit reached: the platform allows this tenant ${max} calls per day across its tool groups.`;
    case 'maxConcurrentPerKey':
      return `Concurrency limit reached: this key may have ${max} calls in flight at once.`;
    case 'sourceMaxConcurrent':
      return `Concurrency limit reached: this tool's source accepts ${max} calls in flight at once.`;
  }
}
