import { CallDeadline } from './call-deadline';

describe('CallDeadline', () => {
  it('aborts at the deadline and calls it TIMEOUT', async () => {
    const call = new CallDeadline(new AbortController().signal, 30);
    const attempt = call.attempt(10_000);
    await new Promise((r) => setTimeout(r, 60));
    expect(attempt.signal.aborted).toBe(true);
    expect(call.timedOut).toBe(true);
    expect(call.abortError(attempt, 'source "crm"')).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('within 30 ms') });
    attempt.dispose();
    call.dispose();
  });

  it("an attempt allowed to run to the deadline shares the call's signal; a shorter one gets its own", () => {
    const call = new CallDeadline(new AbortController().signal, 10_000);
    const whole = call.attempt(10_000);
    expect(whole.signal).toBe(call.signal);
    const shorter = call.attempt(5_000);
    expect(shorter.signal).not.toBe(call.signal);
    whole.dispose();
    shorter.dispose();
    call.dispose();
  });

  it("the caller's abort is CANCELLED; a TimeoutError abort of the caller is TIMEOUT", () => {
    const caller = new AbortController();
    const call = new CallDeadline(caller.signal, 10_000);
    const attempt = call.attempt(10_000);
    caller.abort();
    expect(call.abortError(attempt, 'x')).toMatchObject({ code: 'CANCELLED' });
    attempt.dispose();
    call.dispose();

    const timedOut = new CallDeadline(AbortSignal.abort(new DOMException('t', 'TimeoutError')), 10_000);
    const timedOutAttempt = timedOut.attempt(10);
    const error = timedOut.abortError(timedOutAttempt, 'x');
    timedOutAttempt.dispose();
    timedOut.dispose();
    expect(error).toMatchObject({ code: 'TIMEOUT' });
  });

  it('a call the caller cancelled stays CANCELLED when its own deadline passes before the attempt noticed', async () => {
    const caller = new AbortController();
    const call = new CallDeadline(caller.signal, 20);
    const attempt = call.attempt(10_000);
    caller.abort();
    // The attempt's failure arrives late (a socket torn down reports a turn later), after the deadline's timer.
    await new Promise((r) => setTimeout(r, 40));
    expect(call.timedOut).toBe(false);
    expect(call.abortError(attempt, 'x')).toMatchObject({ code: 'CANCELLED' });
    attempt.dispose();
    call.dispose();
  });

  it('an attempt times out on its own without ending the call', async () => {
    const call = new CallDeadline(new AbortController().signal, 10_000);
    const attempt = call.attempt(20);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempt.signal.aborted).toBe(true);
    expect(call.signal.aborted).toBe(false);
    expect(call.abortError(attempt, 'x')).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('attempt timeout') });
    call.dispose();
  });

  it('leaves no listener on the caller signal after dispose', () => {
    const caller = new AbortController();
    const add = jest.spyOn(caller.signal, 'addEventListener');
    const remove = jest.spyOn(caller.signal, 'removeEventListener');
    for (let i = 0; i < 100; i++) {
      const call = new CallDeadline(caller.signal, 1000);
      call.attempt(100).dispose();
      call.dispose();
    }
    expect(add).toHaveBeenCalledTimes(100);
    expect(remove).toHaveBeenCalledTimes(100);
  });
});
