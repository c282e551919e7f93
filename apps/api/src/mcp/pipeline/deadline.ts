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

/** Cancellations by their signal, so runWithDeadline can tell one it may listen to without an 'abort' listener. */
const CANCELLATIONS = new WeakMap<AbortSignal, CallCancellation>();

/**
 * One call's cancellation, owned by whoever serves the call (the transport: the client went away, or sent
 * notifications/cancelled). Its `signal` is an ordinary AbortSignal for the call's context; runWithDeadline, given
 * that signal, hears of the abort through a plain callback instead of an EventTarget listener, whose adding and
 * removing cost more than the rest of the deadline (bench/README.md, "Where the time goes").
 */
export class CallCancellation {
  private readonly controller = new AbortController();
  readonly signal: AbortSignal = this.controller.signal;
  private listener: (() => void) | null = null;
  private more: (() => void)[] | null = null;

  constructor() {
    CANCELLATIONS.set(this.signal, this);
  }

  abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    this.controller.abort(reason);
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

/** setTimeout fires at once for anything above this; treat such deadlines as none. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `fn` with a signal that aborts when `ms` pass (rejecting with DeadlineExceeded) or when `outer`
 * aborts (rejecting with Cancelled), whichever comes first; the signal's reason is that same error, so
 * work that forwards it (e.g. an upstream cancellation) can say why. The promise settles at the
 * deadline even if `fn` ignores the signal. The timer and the listener on `outer` are always removed.
 */
export function runWithDeadline<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number, outer?: AbortSignal): Promise<T> {
  if (outer?.aborted) return Promise.reject(new Cancelled(outer.reason));
  if (!(ms > 0)) return Promise.reject(new DeadlineExceeded(ms));

  const controller = new AbortController();
  const owner = outer && CANCELLATIONS.get(outer);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      if (owner) owner.unlisten(onOuterAbort);
      else outer?.removeEventListener('abort', onOuterAbort);
    };
    const abortWith = (err: Error) => {
      if (settled) return;
      finish();
      controller.abort(err);
      reject(err);
    };
    function onOuterAbort() {
      abortWith(new Cancelled(outer!.reason));
    }

    if (ms <= MAX_TIMER_MS) timer = setTimeout(() => abortWith(new DeadlineExceeded(ms)), ms);
    if (owner) owner.listen(onOuterAbort);
    else outer?.addEventListener('abort', onOuterAbort, { once: true });

    let work: Promise<T>;
    try {
      work = fn(controller.signal);
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
