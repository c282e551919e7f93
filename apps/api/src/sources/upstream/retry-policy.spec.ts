import { backoffDelay, isRetryableTool, RetryBudget, withRetries } from './retry-policy';
import { UpstreamError } from './upstream.types';

const maybeReached = () => new UpstreamError('UNAVAILABLE', 'connection reset after the request was sent');
const notSent = () => new UpstreamError('UNAVAILABLE', 'connection refused', true);

function failing(errors: Array<() => Error>, thenValue = 'ok') {
  const attempts: number[] = [];
  const fn = async (n: number) => {
    attempts.push(n);
    const make = errors[n];
    if (make) throw make();
    return thenValue;
  };
  return { fn, attempts };
}

const base = () => ({ maxRetries: 2, baseDelayMs: 1, signal: new AbortController().signal });

describe('withRetries', () => {
  it('attempts a write exactly once on a failure that may have reached the upstream', async () => {
    const { fn, attempts } = failing([maybeReached, maybeReached, maybeReached]);
    await expect(withRetries(fn, { ...base(), retryable: false })).rejects.toThrow('connection reset');
    expect(attempts).toEqual([0]);
  });

  it('retries a write whose failure certainly did not reach the upstream', async () => {
    const { fn, attempts } = failing([notSent, notSent]);
    await expect(withRetries(fn, { ...base(), retryable: false })).resolves.toBe('ok');
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('retries a read-only call on an ambiguous failure, up to maxRetries', async () => {
    const { fn, attempts } = failing([maybeReached, maybeReached, maybeReached, maybeReached]);
    await expect(withRetries(fn, { ...base(), retryable: true })).rejects.toThrow('connection reset');
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('never retries final errors (open breaker, oversized, JSON-RPC error, plain errors)', async () => {
    for (const make of [
      () => new UpstreamError('CIRCUIT_OPEN', 'open', true),
      () => new UpstreamError('RESPONSE_TOO_LARGE', 'big'),
      () => new UpstreamError('UPSTREAM_ERROR', 'tool not found'),
      () => new Error('bug'),
    ]) {
      const { fn, attempts } = failing([make, make]);
      await expect(withRetries(fn, { ...base(), retryable: true })).rejects.toThrow();
      expect(attempts).toEqual([0]);
    }
  });

  it('stops when the signal (the overall deadline) aborts, even during a backoff', async () => {
    const controller = new AbortController();
    const { fn, attempts } = failing([maybeReached, maybeReached, maybeReached]);
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    await expect(withRetries(fn, { retryable: true, maxRetries: 5, baseDelayMs: 5_000, signal: controller.signal })).rejects.toThrow('connection reset');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(attempts).toEqual([0]);
  });

  it('does not start a backoff that would end past the deadline', async () => {
    const { fn, attempts } = failing([maybeReached, maybeReached]);
    await expect(withRetries(fn, { ...base(), retryable: true, baseDelayMs: 1000, deadline: Date.now() + 200 })).rejects.toThrow();
    expect(attempts).toEqual([0]);
  });

  it('waits at least as long as the upstream asked (retryInMs), and gives up when that is past the deadline', async () => {
    const later = (ms: number) => () => new UpstreamError('UNAVAILABLE', 'restarting', true, ms);
    const quick = failing([later(30)]);
    const started = Date.now();
    await expect(withRetries(quick.fn, { ...base(), retryable: false, deadline: Date.now() + 1000 })).resolves.toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);

    const tooLate = failing([later(5000)]);
    await expect(withRetries(tooLate.fn, { ...base(), retryable: false, deadline: Date.now() + 1000 })).rejects.toThrow('restarting');
    expect(tooLate.attempts).toEqual([0]);

    const never = failing([later(Infinity)]);
    await expect(withRetries(never.fn, { ...base(), retryable: true })).rejects.toThrow('restarting');
    expect(never.attempts).toEqual([0]);
  });

  it('stops retrying when the budget is spent', async () => {
    let t = 0;
    const budget = new RetryBudget({ ratio: 0.2, minRetries: 2, windowMs: 60_000, now: () => t });
    const attemptsPerCall: number[] = [];
    for (let call = 0; call < 5; call++) {
      const { fn, attempts } = failing([notSent, notSent, notSent]);
      await withRetries(fn, { ...base(), maxRetries: 3, retryable: true, budget }).catch(() => undefined);
      attemptsPerCall.push(attempts.length);
    }
    // Two retries are always allowed per window; after that 20 % of 5 calls is 1, already spent.
    expect(attemptsPerCall).toEqual([3, 1, 1, 1, 1]);
    // A minute later the window has moved on.
    t += 61_000;
    const { fn, attempts } = failing([notSent]);
    await expect(withRetries(fn, { ...base(), retryable: true, budget })).resolves.toBe('ok');
    expect(attempts).toEqual([0, 1]);
  });

  it('allows retries as a share of recent calls', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetries: 0, now: () => 0 });
    for (let i = 0; i < 50; i++) budget.recordCall();
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(10);
  });
});

describe('backoffDelay', () => {
  it('doubles per retry with jitter in [half, full], capped', () => {
    expect(backoffDelay(1, 100, 2000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 2000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 2000, () => 1)).toBe(400);
    expect(backoffDelay(10, 100, 2000, () => 1)).toBe(2000);
  });
});

describe('isRetryableTool', () => {
  it('is true only for read-only or idempotent annotations', () => {
    expect(isRetryableTool({ annotations: { readOnlyHint: true } })).toBe(true);
    expect(isRetryableTool({ annotations: { idempotentHint: true } })).toBe(true);
    expect(isRetryableTool({ annotations: { destructiveHint: false } })).toBe(false);
    expect(isRetryableTool({})).toBe(false);
  });
});
