// Picks the replica of a remote source a call goes to, skipping replicas whose own breaker is open, and fails
// over to the next one when an attempt certainly did not reach its replica.
import { BreakerOutcome, CircuitBreaker } from './circuit-breaker';

export type SelectionStrategy = 'round-robin' | 'least-in-flight';

export interface Replica {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  /** Attempts on this replica right now (kept by `withFailover`). */
  inFlight: number;
}

export interface FailoverOptions {
  /** Whether the error lets the call move on to another replica (it did not, or may harmlessly, reach this one). */
  canFailover: (err: unknown) => boolean;
  /** What an error means for the replica's health. */
  classify: (err: unknown) => BreakerOutcome;
}

export class ReplicaSelector<R extends Replica> {
  private next = 0;

  constructor(
    readonly replicas: readonly R[],
    private readonly strategy: SelectionStrategy = 'round-robin',
  ) {
    if (replicas.length === 0) throw new Error('A source needs at least one replica');
  }

  /** The replicas in the order one call should try them; replicas refusing calls (open breaker) are left out. */
  candidates(): R[] {
    const n = this.replicas.length;
    let ordered: R[];
    if (this.strategy === 'least-in-flight') {
      // Ties go round-robin, so an idle pool still spreads calls.
      const start = this.next++ % n;
      const rotated = this.replicas.map((_, i) => this.replicas[(start + i) % n]);
      ordered = rotated.sort((a, b) => a.inFlight - b.inFlight);
    } else {
      const start = this.next++ % n;
      ordered = this.replicas.map((_, i) => this.replicas[(start + i) % n]);
    }
    return ordered.filter((r) => r.breaker.allowsRequest);
  }

  /**
   * Runs `attempt` on the first candidate; on an error `canFailover` accepts, tries the next candidate, each
   * through its own breaker. With every breaker open it throws the CIRCUIT_OPEN error of the replica that
   * will probe soonest, without calling anything.
   */
  async withFailover<T>(attempt: (replica: R) => Promise<T>, options: FailoverOptions): Promise<T> {
    const candidates = this.candidates();
    if (candidates.length === 0) throw this.soonestOpen().breaker.openError();
    let lastError: unknown;
    for (const replica of candidates) {
      replica.inFlight++;
      try {
        return await replica.breaker.run(() => attempt(replica), options.classify);
      } catch (err) {
        lastError = err;
        if (!options.canFailover(err)) throw err;
      } finally {
        replica.inFlight--;
      }
    }
    throw lastError;
  }

  /** True when no replica currently accepts calls. */
  get allOpen(): boolean {
    return this.replicas.every((r) => r.breaker.state === 'open');
  }

  private soonestOpen(): R {
    return this.replicas.reduce((best, r) => (r.breaker.retryInMs < best.breaker.retryInMs ? r : best));
  }
}
