import { CallCancellation, Cancelled, DeadlineExceeded, runWithDeadline, WorkScope } from './deadline';

describe('runWithDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  /** Work that only ends when its signal aborts (or never, if it ignores it). */
  function hanging(record?: (signal: AbortSignal) => void) {
    return (scope: WorkScope) => {
      record?.(scope.signal);
      return new Promise<string>(() => undefined);
    };
  }

  it('answers with the work result and leaves no timer or listener behind', async () => {
    const outer = new AbortController();
    const remove = jest.spyOn(outer.signal, 'removeEventListener');
    let inner: AbortSignal | undefined;
    const result = await runWithDeadline(
      async (scope) => {
        inner = scope.signal;
        return 42;
      },
      1000,
      outer.signal,
    );
    expect(result).toBe(42);
    expect(inner!.aborted).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('rejects with DeadlineExceeded when the time is up, and aborts the inner signal with that reason', async () => {
    let inner: AbortSignal | undefined;
    const outer = new AbortController();
    const run = runWithDeadline(hanging((s) => (inner = s)), 250, outer.signal);
    const settled = jest.fn();
    run.catch(settled);

    jest.advanceTimersByTime(249);
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    expect(inner!.aborted).toBe(false);

    jest.advanceTimersByTime(1);
    await expect(run).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(run).rejects.toMatchObject({ timeoutMs: 250, message: 'deadline of 250 ms exceeded' });
    expect(inner!.aborted).toBe(true);
    expect(inner!.reason).toBeInstanceOf(DeadlineExceeded);
    expect(jest.getTimerCount()).toBe(0);
    // Cancelling afterwards changes nothing.
    outer.abort();
    await expect(run).rejects.toBeInstanceOf(DeadlineExceeded);
  });

  it('rejects with Cancelled when the outer signal aborts first, aborting the inner signal and clearing the timer', async () => {
    const outer = new AbortController();
    let inner: AbortSignal | undefined;
    const run = runWithDeadline(hanging((s) => (inner = s)), 10_000, outer.signal);
    jest.advanceTimersByTime(100);
    outer.abort('client went away');
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    await expect(run).rejects.toMatchObject({ cause: 'client went away' });
    expect(inner!.aborted).toBe(true);
    expect(inner!.reason).toBeInstanceOf(Cancelled);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not start the work when the outer signal is already aborted, or when no time is left', async () => {
    const fn = jest.fn(hanging());
    const outer = new AbortController();
    outer.abort();
    await expect(runWithDeadline(fn, 1000, outer.signal)).rejects.toBeInstanceOf(Cancelled);
    await expect(runWithDeadline(fn, 0)).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(runWithDeadline(fn, Number.NaN)).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(fn).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it("passes the work's own failure through, thrown or rejected, and cleans up", async () => {
    const outer = new AbortController();
    const remove = jest.spyOn(outer.signal, 'removeEventListener');
    const boom = new Error('upstream said no');
    await expect(runWithDeadline(() => Promise.reject(boom), 1000, outer.signal)).rejects.toBe(boom);
    await expect(
      runWithDeadline(
        () => {
          throw boom;
        },
        1000,
        outer.signal,
      ),
    ).rejects.toBe(boom);
    expect(jest.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledTimes(2);
  });

  it('drops a late failure of work that ignored the abort, without an unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let failLate!: (err: Error) => void;
      const run = runWithDeadline(() => new Promise<never>((_, reject) => (failLate = reject)), 50);
      jest.advanceTimersByTime(50);
      await expect(run).rejects.toBeInstanceOf(DeadlineExceeded);
      failLate(new Error('too late'));
      jest.useRealTimers();
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('treats a deadline beyond what a timer can hold as none', async () => {
    const run = runWithDeadline(async () => 'done', Number.POSITIVE_INFINITY);
    expect(jest.getTimerCount()).toBe(0);
    await expect(run).resolves.toBe('done');
  });

  describe('without anyone asking for a signal', () => {
    /** Counts the AbortControllers made while `fn` runs. */
    async function countControllers(fn: () => Promise<void>): Promise<number> {
      const Original = globalThis.AbortController;
      let made = 0;
      globalThis.AbortController = class extends Original {
        constructor() {
          super();
          made++;
        }
      };
      try {
        await fn();
      } finally {
        globalThis.AbortController = Original;
      }
      return made;
    }

    it('makes no AbortController for a call whose work never looks at its signal', async () => {
      const made = await countControllers(async () => {
        const cancellation = new CallCancellation();
        await expect(runWithDeadline(async (scope) => (scope.aborted ? 0 : 1), 1000, cancellation)).resolves.toBe(1);
        expect(cancellation.aborted).toBe(false);
      });
      expect(made).toBe(0);
    });

    it('hands a signal asked for after the deadline already aborted, with the deadline as its reason', async () => {
      let scope: WorkScope | undefined;
      const run = runWithDeadline(
        (s) => {
          scope = s;
          return new Promise<string>(() => undefined);
        },
        100,
        new CallCancellation(),
      );
      jest.advanceTimersByTime(100);
      await expect(run).rejects.toBeInstanceOf(DeadlineExceeded);
      expect(scope!.aborted).toBe(true);
      expect(scope!.signal.aborted).toBe(true);
      expect(scope!.signal.reason).toBeInstanceOf(DeadlineExceeded);
    });

    it("makes the call's own signal on demand, aborted if the call already is", () => {
      const cancellation = new CallCancellation();
      cancellation.abort('client went away');
      expect(cancellation.aborted).toBe(true);
      expect(cancellation.signal.aborted).toBe(true);
      expect(cancellation.signal.reason).toBe('client went away');
      expect(cancellation.reason).toBe('client went away');
    });
  });

  describe('under a CallCancellation', () => {
    const listeners = (c: CallCancellation) => c as unknown as { listener: unknown; more: unknown[] | null };

    it('is cancelled by it, with no EventTarget listener on its signal', async () => {
      const cancellation = new CallCancellation();
      const add = jest.spyOn(cancellation.signal, 'addEventListener');
      let inner: AbortSignal | undefined;
      const first = runWithDeadline(hanging((s) => (inner = s)), 1000, cancellation);
      const second = runWithDeadline(hanging(), 1000, cancellation);
      cancellation.abort('client went away');
      await expect(first).rejects.toBeInstanceOf(Cancelled);
      await expect(second).rejects.toBeInstanceOf(Cancelled);
      expect(inner!.aborted).toBe(true);
      expect(inner!.reason).toBeInstanceOf(Cancelled);
      expect(add).not.toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('forgets the work once it settles, by result or by deadline', async () => {
      const cancellation = new CallCancellation();
      await expect(runWithDeadline(async () => 1, 1000, cancellation)).resolves.toBe(1);
      const late = runWithDeadline(hanging(), 100, cancellation);
      const other = runWithDeadline(async () => 2, 1000, cancellation);
      jest.advanceTimersByTime(100);
      await expect(late).rejects.toBeInstanceOf(DeadlineExceeded);
      await expect(other).resolves.toBe(2);
      expect(listeners(cancellation).listener).toBeNull();
      expect(listeners(cancellation).more ?? []).toEqual([]);
      // The deadline ended the work, not the call: its own signal is not aborted.
      expect(cancellation.signal.aborted).toBe(false);
    });

    it('rejects at once when the call is already cancelled', async () => {
      const cancellation = new CallCancellation();
      cancellation.abort();
      const work = jest.fn(async () => 1);
      await expect(runWithDeadline(work, 1000, cancellation)).rejects.toBeInstanceOf(Cancelled);
      expect(work).not.toHaveBeenCalled();
    });
  });
});
