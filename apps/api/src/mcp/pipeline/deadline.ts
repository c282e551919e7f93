// One deadline per call: runs work under a timeout, linked to the client's own cancellation.

/** The work did not finish within its deadline. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(readonly timeoutMs: number) {
    super(`deadline of ${timeoutMs} ms exceeded`);
  }
}

/** The caller gave up (client cancel or disconnect) before the work finished. */
export class Cancelled extends Error {
  override readonly name = 'Cancelled';
  constructor(cause?: unknown) {
    super('cancelled by the caller', cause === undefined ? undefined : { cause });
  }
}

/**
 * An AbortController made only when someone asks for its signal. Most calls end without anyone asking (the echo
 * of a builtin tool never looks), and making an AbortSignal costs more than the rest of the deadline
 * (bench/README.md, "Where the time goes"). Aborting before the signal exists is remembered: a signal asked for
 * later is born aborted, with the same reason.
 */
class LazyAbort {
  private controller: AbortController | null = null;
  private abortedWith: { reason: unknown } | null = null;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== null;
  }

  /** As AbortSignal.reason: undefined until aborted. */
  get reason(): unknown {
    return this.abortedWith ? this.signal.reason : undefined;
  }

  /** False if it was aborted already. */
  abort(reason?: unknown): boolean {
    if (this.abortedWith) return false;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
    return true;
  }
}

/**
 * One call's cancellation, owned by whoever serves the call (the transport: the client went away, or sent
 * notifications/cancelled). runWithDeadline hears of the abort through a plain callback instead of an EventTarget
 * listener; its `signal`, for anyone who needs an ordinary AbortSignal, is made only when asked for.
 */
export class CallCancellation {
  private readonly state = new LazyAbort();
  private listener: (() => void) | null = null;
  private more: (() => void)[] | null = null;

  get signal(): AbortSignal {
    return this.state.signal;
  }

  get aborted(): boolean {
    return this.state.aborted;
  }

  get reason(): unknown {
    return this.state.reason;
  }

  abort(reason?: unknown): void {
    if (!this.state.abort(reason)) return;
    const first = this.listener;
    const rest = this.more;
    this.listener = null;
    this.more = null;
    first?.();
    rest?.forEach((l) => l());
  }

  /** Calls `listener` once, on abort (not if already aborted). */
  listen(listener: () => void): void {
    if (this.listener === null) this.listener = listener;
    else (this.more ??= []).push(listener);
  }

  unlisten(listener: () => void): void {
    if (this.listener === listener) this.listener = null;
    else if (this.more) this.more = this.more.filter((l) => l !== listener);
  }
}

/** What the work under a deadline gets: whether it should stop, and a signal for APIs that take one (made on demand). */
export interface WorkScope {
  readonly signal: AbortSignal;
  readonly aborted: boolean;
}

/** setTimeout fires at once for anything above this; treat such deadlines as none. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `fn` with a scope whose signal aborts when `ms` pass (rejecting with DeadlineExceeded) or when `outer`
 * aborts (rejecting with Cancelled), whichever comes first; the signal's reason is that same error, so work that
 * forwards it (e.g. an upstream cancellation) can say why. The work never starts for a call already cancelled.
 * The promise settles at the deadline even if `fn` ignores the signal. The timer and the listener on `outer` are
 * always removed.
 */
export function runWithDeadline<T>(fn: (scope: WorkScope) => Promise<T>, ms: number, outer?: AbortSignal | CallCancellation): Promise<T> {
  if (outer?.aborted) return Promise.reject(new Cancelled(outer.reason));
  if (!(ms > 0)) return Promise.reject(new DeadlineExceeded(ms));

  const scope = new LazyAbort();
  const owner = outer instanceof CallCancellation ? outer : undefined;
  const outerSignal = owner ? undefined : (outer as AbortSignal | undefined);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      if (owner) owner.unlisten(onOuterAbort);
      else outerSignal?.removeEventListener('abort', onOuterAbort);
    };
    const abortWith = (err: Error) => {
      if (settled) return;
      finish();
      scope.abort(err);
      reject(err);
    };
    function onOuterAbort() {
      abortWith(new Cancelled(outer!.reason));
    }

    if (ms <= MAX_TIMER_MS) timer = setTimeout(() => abortWith(new DeadlineExceeded(ms)), ms);
    if (owner) owner.listen(onOuterAbort);
    else outerSignal?.addEventListener('abort', onOuterAbort, { once: true });

    let work: Promise<T>;
    try {
      work = fn(scope);
    } catch (err) {
      finish();
      reject(err);
      return;
    }
    // After a deadline or cancel, a late result or rejection is dropped (and never unhandled).
    Promise.resolve(work).then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        finish();
        reject(err);
      },
    );
  });
}
