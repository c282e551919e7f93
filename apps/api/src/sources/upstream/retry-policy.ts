// When a failed upstream attempt may be tried again: never a second execution of a write, never past the
// call's deadline, and never more retries than the source's budget allows (so retries cannot amplify an outage).
import { UpstreamError } from './upstream.types';

export interface RetryBudgetOptions {
  /** Retries allowed as a share of calls in the window (0.2). */
  ratio?: number;
  /** Retries always allowed per window, so a quiet source can still retry (10). */
  minRetries?: number;
  /** The sliding window (60 s), counted in ten buckets. */
  windowMs?: number;
  now?: () => number;
}

const BUCKETS = 10;

/** Retries ≤ max(minRetries, ratio × calls) over the last window, per source. */
export class RetryBudget {
  private readonly ratio: number;
  private readonly minRetries: number;
  private readonly bucketMs: number;
  private readonly now: () => number;
  private readonly calls = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private currentBucket = 0;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.2;
    this.minRetries = options.minRetries ?? 10;
    this.bucketMs = (options.windowMs ?? 60_000) / BUCKETS;
    this.now = options.now ?? Date.now;
    this.currentBucket = Math.floor(this.now() / this.bucketMs);
  }

  /** Counts one call (not its retries). */
  recordCall(): void {
    this.calls[this.slot()]++;
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const slot = this.slot();
    const calls = sum(this.calls);
    const retries = sum(this.retries);
    if (retries + 1 > Math.max(this.minRetries, this.ratio * calls)) return false;
    this.retries[slot]++;
    return true;
  }

  /** Advances the ring, clearing buckets that fell out of the window; returns the current slot. */
  private slot(): number {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const stale = Math.min(BUCKETS, bucket - this.currentBucket);
    for (let i = 1; i <= stale; i++) {
      const s = (this.currentBucket + i) % BUCKETS;
      this.calls[s] = 0;
      this.retries[s] = 0;
    }
    if (bucket > this.currentBucket) this.currentBucket = bucket;
    return this.currentBucket % BUCKETS;
  }
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export interface RetryOptions {
  /** The tool is read-only or idempotent: an attempt that may have reached the upstream can be repeated. */
  retryable: boolean;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubles per retry, with jitter. */
  baseDelayMs: number;
  /** Largest backoff (2 s). */
  maxDelayMs?: number;
  /** The call's overall deadline and cancellation: no attempt starts after it aborts. */
  signal: AbortSignal;
  /** Epoch ms of the deadline, when known: a retry whose backoff would end past it is not made. */
  deadline?: number;
  budget?: RetryBudget;
  /** Whether an error is worth another attempt at all (default: `isTransientFailure`). */
  isTransient?: (err: unknown) => boolean;
  random?: () => number;
  now?: () => number;
}

/**
 * Failures another attempt may fix: an unreachable or crashed upstream, a timed-out attempt, or anything that
 * certainly was not sent. An open breaker, an oversized or malformed answer, a JSON-RPC error the upstream
 * returned, a refused address and a cancelled call are final.
 */
export function isTransientFailure(err: unknown): boolean {
  if (!(err instanceof UpstreamError)) return false;
  switch (err.code) {
    case 'UNAVAILABLE':
    case 'TIMEOUT':
      return true;
    case 'UPSTREAM_ERROR':
    case 'CIRCUIT_OPEN':
    case 'RESPONSE_TOO_LARGE':
    case 'MALFORMED_RESPONSE':
    case 'REFUSED_ADDRESS':
    case 'CANCELLED':
      return false;
  }
}

/** Whether a failed attempt may be repeated: only if it never reached the upstream, or repeating is harmless. */
export function mayRetry(err: unknown, retryable: boolean): boolean {
  return err instanceof UpstreamError && (err.notSent || retryable);
}

/** A tool whose annotations say a repeat is harmless (read-only or idempotent). */
export function isRetryableTool(tool: { annotations?: Record<string, unknown> }): boolean {
  return tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many calls spread out. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs `attempt(0)`, then retries (`attempt(1)`, …) while the failure is transient, the call may be repeated
 * (`retryable`, or the error says `notSent`), retries and budget remain, and the deadline allows the backoff.
 * The last error is thrown as is.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isTransient = options.isTransient ?? isTransientFailure;
  const now = options.now ?? Date.now;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  options.budget?.recordCall();
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= options.maxRetries || options.signal.aborted) throw err;
      if (!isTransient(err) || !mayRetry(err, options.retryable)) throw err;
      // The upstream said when it can take calls again: wait at least that long, or give up if that is too late.
      const notBefore = err instanceof UpstreamError ? (err.retryInMs ?? 0) : 0;
      const delay = Math.max(notBefore, backoffDelay(n + 1, options.baseDelayMs, maxDelayMs, options.random));
      if (!Number.isFinite(delay)) throw err;
      if (options.deadline !== undefined && now() + delay >= options.deadline) throw err;
      if (options.budget && !options.budget.tryRetry()) throw err;
      if (!(await sleep(delay, options.signal))) throw err;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
