// A per-upstream circuit breaker: after repeated failures calls fail fast until one half-open probe succeeds.
import { UpstreamError } from './upstream.types';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** How an attempt ended, as far as the upstream's health is concerned. */
export type BreakerOutcome = 'success' | 'failure' | 'neutral';

export interface CircuitBreakerOptions {
  /** Shown to agents: `Source "<name>" is unavailable…`. */
  name: string;
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before a half-open probe is let through. */
  openMs: number;
  /** Injected for tests; `Date.now` otherwise. */
  now?: () => number;
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `open` until the open period ends, then `half-open` (one probe allowed) until the probe settles. */
  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  /** Whether a call would be let through now (without taking the probe slot). */
  get allowsRequest(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.probeInFlight);
  }

  /** Milliseconds until a probe may go through (0 when closed). */
  get retryInMs(): number {
    if (this.openedAt === null) return 0;
    return Math.max(0, this.openedAt + this.options.openMs - this.now());
  }

  /**
   * Runs `fn` through the breaker. When open (or while the half-open probe is out) it throws CIRCUIT_OPEN
   * at once, without calling `fn`. `classify` decides what an error means for the upstream's health;
   * the default counts every error as a failure.
   */
  async run<T>(fn: () => Promise<T>, classify: (err: unknown) => BreakerOutcome = () => 'failure'): Promise<T> {
    const isProbe = this.acquire();
    let outcome: BreakerOutcome = 'neutral';
    try {
      const result = await fn();
      outcome = 'success';
      return result;
    } catch (err) {
      outcome = classify(err);
      throw err;
    } finally {
      this.record(outcome, isProbe);
    }
  }

  /** The error a refused call gets. */
  openError(): UpstreamError {
    const seconds = Math.max(1, Math.ceil(this.retryInMs / 1000));
    return new UpstreamError('CIRCUIT_OPEN', `Source "${this.options.name}" is unavailable after repeated failures; retrying in ${seconds} s`, true, this.retryInMs);
  }

  /** Returns true when the caller holds the half-open probe. */
  private acquire(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return true;
    }
    throw this.openError();
  }

  private record(outcome: BreakerOutcome, isProbe: boolean): void {
    if (isProbe) this.probeInFlight = false;
    switch (outcome) {
      case 'success':
        this.consecutiveFailures = 0;
        this.openedAt = null;
        return;
      case 'failure':
        this.consecutiveFailures++;
        // A failed probe re-opens at once; a late failure of a call admitted while closed also counts.
        if (isProbe || this.consecutiveFailures >= this.options.failureThreshold) this.openedAt = this.now();
        return;
      case 'neutral':
        return;
    }
  }
}
