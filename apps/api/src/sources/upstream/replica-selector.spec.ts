import { CircuitBreaker } from './circuit-breaker';
import { Replica, ReplicaSelector } from './replica-selector';
import { UpstreamError } from './upstream.types';

function replica(key: string, now: () => number = () => 0): Replica {
  return { key, breaker: new CircuitBreaker({ name: 'crm', failureThreshold: 1, openMs: 1000, now }), inFlight: 0 };
}

const failover = {
  canFailover: (err: unknown) => err instanceof UpstreamError && err.notSent,
  classify: () => 'failure' as const,
};

describe('ReplicaSelector', () => {
  it('round-robin starts each call on the next replica', () => {
    const selector = new ReplicaSelector([replica('a'), replica('b'), replica('c')], 'round-robin');
    const firsts = Array.from({ length: 6 }, () => selector.candidates()[0].key);
    expect(firsts).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(selector.candidates().map((r) => r.key)).toEqual(['a', 'b', 'c']);
  });

  it('least-in-flight prefers the least busy replica', () => {
    const [a, b, c] = [replica('a'), replica('b'), replica('c')];
    a.inFlight = 3;
    b.inFlight = 1;
    c.inFlight = 2;
    const selector = new ReplicaSelector([a, b, c], 'least-in-flight');
    expect(selector.candidates().map((r) => r.key)).toEqual(['b', 'c', 'a']);
  });

  it('skips replicas whose breaker is open', async () => {
    const [a, b] = [replica('a'), replica('b')];
    await a.breaker.run(() => Promise.reject(new Error('down'))).catch(() => undefined);
    const selector = new ReplicaSelector([a, b]);
    for (let i = 0; i < 4; i++) expect(selector.candidates().map((r) => r.key)).toEqual(['b']);
  });

  it('fails over to the next replica on a not-sent failure, and counts in-flight', async () => {
    const [a, b] = [replica('a'), replica('b')];
    const selector = new ReplicaSelector([a, b]);
    const seen: string[] = [];
    const result = await selector.withFailover(async (r) => {
      seen.push(`${r.key}:${r.inFlight}`);
      if (r.key === 'a') throw new UpstreamError('UNAVAILABLE', 'refused', true);
      return r.key;
    }, failover);
    expect(result).toBe('b');
    expect(seen).toEqual(['a:1', 'b:1']);
    expect(a.inFlight + b.inFlight).toBe(0);
    expect(a.breaker.state).toBe('open');
  });

  it('does not fail over on a failure that may have reached the replica', async () => {
    const selector = new ReplicaSelector([replica('a'), replica('b')]);
    const seen: string[] = [];
    await expect(
      selector.withFailover(async (r) => {
        seen.push(r.key);
        throw new UpstreamError('UNAVAILABLE', 'reset mid-call');
      }, failover),
    ).rejects.toThrow('reset mid-call');
    expect(seen).toEqual(['a']);
  });

  it('with every breaker open fails fast with CIRCUIT_OPEN, naming the soonest retry', async () => {
    let t = 0;
    const [a, b] = [replica('a', () => t), replica('b', () => t)];
    await a.breaker.run(() => Promise.reject(new Error('down'))).catch(() => undefined);
    t = 600;
    await b.breaker.run(() => Promise.reject(new Error('down'))).catch(() => undefined);
    const selector = new ReplicaSelector([a, b]);
    expect(selector.allOpen).toBe(true);
    const attempt = jest.fn();
    await expect(selector.withFailover(attempt, failover)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', message: expect.stringContaining('retrying in 1 s') });
    expect(attempt).not.toHaveBeenCalled();
  });
});
