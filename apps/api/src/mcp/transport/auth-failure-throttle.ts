// Counts failed key checks per client address. Past the limit, that address may still use keys this
// replica already knows are valid, but unknown keys are refused with 429 without a database query:
// guessing keys, or flooding the database with random ones, stops paying.
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';

const WINDOW_MS = 60_000;
const MAX_ADDRESSES = 50_000;

@Injectable()
export class AuthFailureThrottle {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  private readonly limit: number;

  constructor(config: AppConfigService) {
    this.limit = config.env.MCP_AUTH_FAILURES_PER_MINUTE;
  }

  /** Seconds until the address may check unknown keys again, or 0 when it may now. */
  retryAfterSeconds(ip: string | null, now = Date.now()): number {
    const w = this.windows.get(ip ?? '');
    if (!w || now - w.start >= WINDOW_MS || w.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
  }

  recordFailure(ip: string | null, now = Date.now()): void {
    const key = ip ?? '';
    const w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size >= MAX_ADDRESSES) this.sweep(now);
      this.windows.set(key, { start: now, failures: 1 });
    } else {
      w.failures++;
    }
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
    // Still full of live windows (a spread-out attack): forget the oldest rather than grow without bound.
    while (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value as string);
  }
}
