import { bucketRange, Histogram, LATENCY_BOUNDS, LATENCY_BUCKETS, latencyBucket, percentile } from './latency-histogram';

/** A small deterministic PRNG (mulberry32), so the property checks below are reproducible. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function histogramOf(values: number[]): Histogram {
  const h: Histogram = new Map();
  for (const v of values) h.set(latencyBucket(v), (h.get(latencyBucket(v)) ?? 0) + 1);
  return h;
}

/** Nearest-rank percentile of the raw values. */
function truePercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

describe('latency histogram', () => {
  it('has 76 increasing bounds, four per power of two, each bucket at most 25 % wide', () => {
    expect(LATENCY_BOUNDS).toHaveLength(76);
    expect(LATENCY_BUCKETS).toBe(77);
    expect(LATENCY_BOUNDS.slice(0, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16]);
    expect(LATENCY_BOUNDS[75]).toBe(2 ** 20);
    for (let i = 1; i < LATENCY_BOUNDS.length; i++) {
      expect(LATENCY_BOUNDS[i]).toBeGreaterThan(LATENCY_BOUNDS[i - 1]);
      expect(LATENCY_BOUNDS[i] / LATENCY_BOUNDS[i - 1]).toBeLessThanOrEqual(i < 4 ? 2 : 1.25);
    }
  });

  it('puts 0 ms in bucket 1, each bound at the start of its bucket, and everything from 2^20 ms in the last', () => {
    expect(latencyBucket(0)).toBe(1);
    expect(latencyBucket(1)).toBe(2);
    expect(latencyBucket(8)).toBe(9);
    expect(latencyBucket(9)).toBe(9);
    expect(latencyBucket(10)).toBe(10);
    expect(latencyBucket(2 ** 20 - 1)).toBe(76);
    expect(latencyBucket(2 ** 20)).toBe(77);
    expect(latencyBucket(10 ** 9)).toBe(77);
    expect(bucketRange(1, 100)).toEqual([0, 0]);
    expect(bucketRange(9, 100)).toEqual([8, 9]);
    // The last bucket, and any bucket past the largest duration seen, end at that duration.
    expect(bucketRange(77, 3_000_000)).toEqual([2 ** 20, 3_000_000]);
    expect(bucketRange(40, 1100)).toEqual([1792, 1792]);
    expect(bucketRange(39, 1600)).toEqual([1536, 1600]);
  });

  it('gives exact percentiles for small whole milliseconds, null for nothing', () => {
    expect(percentile(histogramOf([1, 2, 3, 4]), 0.5, 4)).toBe(2);
    expect(percentile(histogramOf([0, 0, 0, 7]), 0.99, 7)).toBe(7);
    expect(percentile(histogramOf([0, 0, 0, 7]), 0.5, 7)).toBe(0);
    expect(percentile(new Map(), 0.5, 0)).toBeNull();
  });

  it('estimates every percentile inside the bucket of the true value (random latency mixes)', () => {
    const random = prng(42);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 500);
      const scale = 10 ** (random() * 5);
      const values = Array.from({ length: n }, () => Math.floor(scale * -Math.log(1 - random()) * (random() < 0.05 ? 20 : 1)));
      const max = Math.max(...values);
      const hist = histogramOf(values);
      for (const p of [0.5, 0.95, 0.99]) {
        const estimate = percentile(hist, p, max)!;
        const actual = truePercentile(values, p);
        expect({ round, p, bucket: latencyBucket(Math.floor(estimate)) }).toEqual({ round, p, bucket: latencyBucket(actual) });
        expect(estimate).toBeLessThanOrEqual(max);
      }
    }
  });
});
