// Gauges read from their owners at scrape time: nothing on the hot path, and always the current value.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { CallLogWriter } from '../call-logs/call-log-writer';
import { UpstreamClientPool } from '../sources/upstream/upstream-client-pool';
import type { BreakerState } from '../sources/upstream/circuit-breaker';
import { CallMetrics } from './call-metrics';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

@Injectable()
export class MetricsGauges implements OnModuleInit {
  constructor(
    private readonly metrics: CallMetrics,
    private readonly writer: CallLogWriter,
    private readonly pool: UpstreamClientPool,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('toolgate_call_log_queue_rows', 'Call-log rows written by calls and not yet committed nor spooled.', [], (g) => g.set(this.writer.stats().queued));
    this.metrics.gauge('toolgate_call_log_spool_rows', 'Call-log rows spooled to disk while PostgreSQL was unreachable, waiting for replay.', [], (g) =>
      g.set(this.writer.stats().spooledRows),
    );
    this.metrics.gauge('toolgate_call_log_database_up', '1 while the call-log writer can commit to PostgreSQL, 0 while it spools.', [], (g) =>
      g.set(this.writer.stats().databaseUp ? 1 : 0),
    );
    this.metrics.gauge(
      'toolgate_upstream_breaker_state',
      'Circuit breaker of each upstream source replica in use: 0 closed, 1 half-open, 2 open.',
      ['source_id', 'source', 'replica'],
      (g) => {
        // Sources released since the last scrape disappear instead of keeping their last value.
        g.reset();
        for (const b of this.pool.breakerStates()) g.labels(b.sourceId, b.sourceName, String(b.replica)).set(BREAKER_VALUE[b.state]);
      },
    );
  }
}
