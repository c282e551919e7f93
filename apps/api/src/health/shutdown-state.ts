// Whether this replica is shutting down: read by the readiness probe and by the request listener's refusals.
import { Injectable } from '@nestjs/common';

@Injectable()
export class ShutdownState {
  private reason: string | null = null;

  /** Null while serving; the reason (e.g. `SIGTERM received`) once shutdown has begun. */
  get shuttingDown(): string | null {
    return this.reason;
  }

  begin(reason: string): void {
    this.reason ??= reason;
  }
}
