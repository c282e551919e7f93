// One overall deadline per upstream call, retries included, plus a shorter timeout per attempt. Both are
// AbortSignals, so the SDK sends notifications/cancelled upstream when either fires.
import { UpstreamError } from './upstream.types';

export interface AttemptScope {
  readonly signal: AbortSignal;
  /** Stops the attempt timer and unhooks from the call. */
  dispose(): void;
}

export class CallDeadline {
  /** Epoch ms after which no attempt may run. */
  readonly deadline: number;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private expired = false;
  private readonly onCallerAbort = () => this.controller.abort(this.callerSignal.reason);

  constructor(
    private readonly callerSignal: AbortSignal,
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + timeoutMs;
    this.timer = setTimeout(() => {
      // A call the caller ended already did not run out of time: its outcome stays the caller's, however late
      // the attempt notices (the SDK rejects at once; a socket being torn down reports an event loop turn later).
      if (this.controller.signal.aborted) return;
      this.expired = true;
      this.controller.abort(new UpstreamError('TIMEOUT', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    if (callerSignal.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** Aborted at the deadline or when the caller aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** True when the call ended because the caller cancelled (not because time ran out). */
  get cancelledByCaller(): boolean {
    return this.signal.aborted && !this.timedOut;
  }

  /** The deadline passed, or the caller aborted with a timeout of its own. */
  get timedOut(): boolean {
    if (this.expired) return true;
    if (!this.callerSignal.aborted) return false;
    // AbortSignal.timeout() aborts with a DOMException named TimeoutError (not always an Error of this realm).
    const reason = this.callerSignal.reason as { name?: unknown } | undefined;
    return reason?.name === 'TimeoutError' || (reason instanceof UpstreamError && reason.code === 'TIMEOUT');
  }

  /** A signal for one attempt: aborted with the call, or after `attemptMs`. */
  attempt(attemptMs: number): AttemptScope {
    // An attempt allowed to run to the deadline ends exactly when the call does: it shares the call's signal
    // (aborted with the call's own reason) instead of a second controller, listener and timer.
    if (attemptMs >= this.remainingMs) return { signal: this.signal, dispose: noop };
    const controller = new AbortController();
    const onAbort = () => controller.abort(this.signal.reason);
    const timer = setTimeout(() => controller.abort(new UpstreamError('TIMEOUT', `attempt timed out after ${attemptMs} ms`)), attemptMs);
    if (this.signal.aborted) controller.abort(this.signal.reason);
    else this.signal.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      dispose: () => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
      },
    };
  }

  /**
   * The error for an attempt whose signal fired: the call's deadline (TIMEOUT), the caller's cancellation
   * (CANCELLED), or the attempt's own timeout (TIMEOUT, may be retried for read-only tools).
   */
  abortError(attempt: AttemptScope, what: string): UpstreamError | null {
    if (!attempt.signal.aborted) return null;
    if (this.signal.aborted) {
      if (this.timedOut) return new UpstreamError('TIMEOUT', `${what} did not answer within ${this.timeoutMs} ms; the request was cancelled upstream`);
      return new UpstreamError('CANCELLED', `${what} was cancelled by the caller; the request was cancelled upstream`);
    }
    return new UpstreamError('TIMEOUT', `${what} did not answer within the attempt timeout; the request was cancelled upstream`);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal.removeEventListener('abort', this.onCallerAbort);
  }
}

function noop(): void {
  // nothing to undo
}
