import { CircuitBreaker } from './circuit-breaker';
import { UpstreamError } from './upstream.types';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const fail = () => Promise.reject(new Error('boom'));
const ok = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  function setup() {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ name: 'crm', failureThreshold: 3, openMs: 10_000, now: clock.now });
    return { clock, breaker };
  }

  async function failTimes(breaker: CircuitBreaker, n: number) {
    for (let i = 0; i < n; i++) await expect(breaker.run(fail)).rejects.toThrow('boom');
  }

  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');

    const fn = jest.fn(ok);
    const started = performance.now();
    const err = await breaker.run(fn).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(50);
    expect(fn).not.toHaveBeenCalled();
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'CIRCUIT_OPEN', notSent: true, message: 'Source "crm" is unavailable after repeated failures; retrying in 10 s' });
  });

  it('a success resets the consecutive count', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 2);
    await breaker.run(ok);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('counts down the retry time in the message', async () => {
    const { clock, breaker } = setup();
    await failTimes(breaker, 3);
    clock.advance(7_500);
    await expect(breaker.run(ok)).rejects.toThrow('retrying in 3 s');
  });

  it('after the open period lets exactly one probe through; success closes', async () => {
    const { clock, breaker } = setup();
    await failTimes(breaker, 3);
    clock.advance(10_000);
    expect(breaker.state).toBe('half-open');

    let release!: () => void;
    const probe = breaker.run(() => new Promise<string>((r) => (release = () => r('probe'))));
    // While the probe is out, everyone else still fails fast.
    const other = jest.fn(ok);
    await expect(breaker.run(other)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(other).not.toHaveBeenCalled();

    release();
    await expect(probe).resolves.toBe('probe');
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(ok)).resolves.toBe('ok');
  });

  it('a failed probe re-opens for another full period', async () => {
    const { clock, breaker } = setup();
    await failTimes(breaker, 3);
    clock.advance(10_000);
    await expect(breaker.run(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    clock.advance(9_999);
    await expect(breaker.run(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    clock.advance(1);
    await expect(breaker.run(ok)).resolves.toBe('ok');
  });

  it('a neutral probe outcome frees the probe slot without closing or re-opening', async () => {
    const { clock, breaker } = setup();
    await failTimes(breaker, 3);
    clock.advance(10_000);
    await expect(breaker.run(fail, () => 'neutral')).rejects.toThrow('boom');
    expect(breaker.state).toBe('half-open');
    expect(breaker.allowsRequest).toBe(true);
  });

  it('errors classified as success (the upstream answered) do not count', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail, () => 'success')).rejects.toThrow('boom');
    expect(breaker.state).toBe('closed');
  });
});
