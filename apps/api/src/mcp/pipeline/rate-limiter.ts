// Pipeline step "limit": counts calls per bucket and applies a group's rateLimit settings.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { RateLimit } from '@toolgate/contracts';

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until one call would be allowed; 0 when allowed. */
  retryAfterMs: number;
  /** Calls still allowed now, after this one. */
  remaining: number;
}

/**
 * Counts calls against a limit per bucket and window.
 *
 * The return type is a union on purpose: the in-process limiter answers synchronously, so the hot path
 * allocates no promise and waits for nothing, while a Redis limiter (shared by replicas) can return a
 * promise behind the same interface. Callers `await` the answer (cheap when it is a plain value) or
 * test for a promise. An abstract class rather than a TS interface so it can serve as Nest's DI token.
 */
export abstract class RateLimiter {
  /** Counts one call in `bucket` if it fits `limit` calls per `windowMs`; a refused call is not counted. */
  abstract consume(bucket: string, limit: number, windowMs: number, now?: number): RateDecision | Promise<RateDecision>;
  /** Gives back one call counted by `consume` (a later limit refused the call, so it should not count). */
  abstract refund(bucket: string, windowMs: number, now?: number): void | Promise<void>;
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
export class InProcessRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxBuckets: number;
  private readonly sweepIntervalMs: number;
  private nextSweepAt = 0;
  private lastSweepAt = -Infinity;

  constructor(@Optional() @Inject(IN_PROCESS_RATE_LIMITER_OPTIONS) options: InProcessRateLimiterOptions | null = null) {
    this.maxBuckets = options?.maxBuckets ?? 100_000;
    this.sweepIntervalMs = options?.sweepIntervalMs ?? 60_000;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

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

export type RateLimitName = 'perKeyPerMinute' | 'perMinute' | 'perDay';

export interface RateLimitRefusal {
  /** Which of the group's settings refused the call. */
  limit: RateLimitName;
  /** That setting's value. */
  max: number;
  /** Whole seconds, rounded up, at least 1: what Retry-After should say. */
  retryAfterSeconds: number;
  /** For the agent: which limit, and when to retry. */
  message: string;
}

/** Checked in this order: the narrowest first, so a call one limit refuses does not use up the wider ones. */
const STEPS: readonly { name: RateLimitName; windowMs: number; bucket: (groupId: string, keyId: string) => string }[] = [
  { name: 'perKeyPerMinute', windowMs: MINUTE_MS, bucket: (_g, k) => `k:${k}:m` },
  { name: 'perMinute', windowMs: MINUTE_MS, bucket: (g) => `g:${g}:m` },
  { name: 'perDay', windowMs: DAY_MS, bucket: (g) => `g:${g}:d` },
];

/** null: every limit allowed the call. */
export type RateLimitVerdict = RateLimitRefusal | null;

/** Applies a group's `rateLimit` (per key per minute, per group per minute, per group per day). */
@Injectable()
export class GroupRateLimits {
  constructor(private readonly limiter: RateLimiter) {}

  /**
   * Counts the call against each limit the group sets; null when every one allows it, else the first
   * refusal. A refused call counts against no limit. Buckets are per key and per group id, so one group's
   * traffic never touches another's. Synchronous with the in-process limiter; a promise with a remote one.
   */
  check(group: { readonly id: string; readonly rateLimit: Readonly<RateLimit> }, keyId: string, now = Date.now()): RateLimitVerdict | Promise<RateLimitVerdict> {
    return this.from(0, group, keyId, now);
  }

  private from(step: number, group: { id: string; rateLimit: Readonly<RateLimit> }, keyId: string, now: number): RateLimitVerdict | Promise<RateLimitVerdict> {
    for (let i = step; i < STEPS.length; i++) {
      const s = STEPS[i];
      const max = group.rateLimit[s.name];
      if (!max || max < 1) continue;
      const decision = this.limiter.consume(s.bucket(group.id, keyId), max, s.windowMs, now);
      if (decision instanceof Promise) {
        return decision.then((d) => (d.allowed ? this.from(i + 1, group, keyId, now) : this.refuse(i, max, d, group, keyId, now)));
      }
      if (!decision.allowed) return this.refuse(i, max, decision, group, keyId, now);
    }
    return null;
  }

  private refuse(step: number, max: number, d: RateDecision, group: { id: string; rateLimit: Readonly<RateLimit> }, keyId: string, now: number): RateLimitVerdict {
    for (let i = 0; i < step; i++) {
      const s = STEPS[i];
      const earlier = group.rateLimit[s.name];
      if (!earlier || earlier < 1) continue;
      // Best effort: a lost refund only makes the limit a little stricter.
      const refunded = this.limiter.refund(s.bucket(group.id, keyId), s.windowMs, now);
      if (refunded instanceof Promise) refunded.catch(() => undefined);
    }
    const name = STEPS[step].name;
    const retryAfterSeconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    return { limit: name, max, retryAfterSeconds, message: `${describe(name, max)} Retry in ${retryAfterSeconds} s.` };
  }
}

function describe(name: RateLimitName, max: number): string {
  switch (name) {
    case 'perKeyPerMinute':
      return `Rate limit reached: this key may make ${max} calls per minute.`;
    case 'perMinute':
      return `Rate limit reached: this tool group allows ${max} calls per minute across its keys.`;
    case 'perDay':
      return `Daily limit reached: this tool group allows ${max} calls per day.`;
  }
}
