// The fixed log-scale latency histogram of the rollups, and percentiles estimated from it.

/**
 * Bucket bounds in milliseconds, exactly as migration 1763780000000-CallStats gives `toolgate_latency_bucket`:
 * 1, 2, 3, then x, 1.25x, 1.5x, 1.75x for every power of two x from 4 to 2^19, then 2^20.
 */
export const LATENCY_BOUNDS: readonly number[] = (() => {
  const bounds = [1, 2, 3];
  for (let x = 4; x < 2 ** 20; x *= 2) bounds.push(x, x * 1.25, x * 1.5, x * 1.75);
  bounds.push(2 ** 20);
  return bounds;
})();

/** Buckets are numbered from 1 as in the stored arrays: 1 holds 0 ms, k holds [bound k-1, bound k), the last ≥ 2^20 ms. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS.length + 1;

/** The bucket of a duration, as PostgreSQL's `toolgate_latency_bucket` computes it. */
export function latencyBucket(ms: number): number {
  let k = 0;
  while (k < LATENCY_BOUNDS.length && ms >= LATENCY_BOUNDS[k]) k++;
  return k + 1;
}

/** The whole milliseconds a bucket holds, first and last; the last bucket ends at the largest duration seen. */
export function bucketRange(bucket: number, maxMs: number): [number, number] {
  if (bucket <= 1) return [0, 0];
  const low = LATENCY_BOUNDS[bucket - 2];
  const high = bucket - 1 < LATENCY_BOUNDS.length ? LATENCY_BOUNDS[bucket - 1] - 1 : Math.max(low, maxMs);
  return [low, Math.min(high, Math.max(low, maxMs))];
}

/** Counts per bucket (bucket number → count). */
export type Histogram = Map<number, number>;

export function addInto(target: Histogram, from: Histogram): Histogram {
  for (const [bucket, count] of from) target.set(bucket, (target.get(bucket) ?? 0) + count);
  return target;
}

/**
 * The p-quantile (0 < p ≤ 1) by nearest rank, interpolated linearly inside its bucket and rounded to 0.1 ms: the
 * estimate always lies in the bucket of the true value (at most 25 % wide). Null for an empty histogram.
 */
export function percentile(hist: Histogram, p: number, maxMs: number): number | null {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...hist.keys()].sort((a, b) => a - b)) {
    const count = hist.get(bucket)!;
    if (count <= 0) continue;
    if (seen + count >= rank) {
      const [low, high] = bucketRange(bucket, maxMs);
      // A lone value is put mid-bucket; several are spread from the bucket's first to its last millisecond.
      const within = count === 1 ? 0.5 : (rank - seen - 1) / (count - 1);
      return Math.round((low + (high - low) * within) * 10) / 10;
    }
    seen += count;
  }
  return null;
}

/** p50, p95 and p99 of a histogram. */
export function percentiles(hist: Histogram, maxMs: number): { p50: number | null; p95: number | null; p99: number | null } {
  return { p50: percentile(hist, 0.5, maxMs), p95: percentile(hist, 0.95, maxMs), p99: percentile(hist, 0.99, maxMs) };
}
