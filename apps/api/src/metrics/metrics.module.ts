import { Module } from '@nestjs/common';
import { CallLogsModule } from '../call-logs/call-logs.module';
import { SourcesModule } from '../sources/sources.module';
import { CallMetrics } from './call-metrics';
import { MetricsEndpoint } from './metrics-endpoint';
import { MetricsGauges } from './metrics-gauges';

/** Prometheus metrics: CallMetrics for the call pipeline to observe, MetricsEndpoint for app.factory to mount. */
@Module({
  imports: [CallLogsModule, SourcesModule],
  providers: [CallMetrics, MetricsGauges, MetricsEndpoint],
  exports: [CallMetrics, MetricsEndpoint],
})
export class MetricsModule {}
