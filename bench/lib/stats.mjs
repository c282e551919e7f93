// Small numeric helpers: exact percentiles over recorded samples (autocannon's own histogram keeps whole
// milliseconds only, too coarse for a 1 ms median).

/** A growable list of float samples. */
export class Samples {
  constructor(capacity = 1 << 16) {
    this.values = new Float64Array(capacity);
    this.length = 0;
  }

  push(value) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  /** Percentiles (0–100) by nearest rank; null when empty. */
  percentiles(...ps) {
    if (this.length === 0) return ps.map(() => null);
    const sorted = this.values.slice(0, this.length).sort();
    return ps.map((p) => sorted[Math.min(this.length - 1, Math.max(0, Math.ceil((p / 100) * this.length) - 1))]);
  }

  mean() {
    if (this.length === 0) return null;
    let sum = 0;
    for (let i = 0; i < this.length; i += 1) sum += this.values[i];
    return sum / this.length;
  }
}

/** Rounds to `digits` decimals, keeping null. */
export const round = (value, digits = 2) => (value === null || value === undefined || Number.isNaN(value) ? null : Number(value.toFixed(digits)));
