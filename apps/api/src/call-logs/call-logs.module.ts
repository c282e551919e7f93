import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfigService } from '../config/app-config.service';
import { CallLogPartitionsService } from './call-log-partitions.service';
import { CallLogRetentionService } from './call-log-retention.service';
import { CallLogSpool } from './call-log-spool';
import { CallLogWriter } from './call-log-writer';
import { CallLogsController } from './call-logs.controller';
import { CallLogsService } from './call-logs.service';
import { CallLogExportService } from './export/call-log-export.service';
import { CallStatsController } from './stats/call-stats.controller';
import { CallStatsRollup } from './stats/call-stats-rollup';
import { CallStatsService } from './stats/call-stats.service';
import { UsageController } from './stats/usage.controller';
import { UsageService } from './stats/usage.service';

@Module({
  imports: [AuditModule],
  controllers: [CallLogsController, CallStatsController, UsageController],
  providers: [
    CallLogsService,
    CallLogPartitionsService,
    CallLogRetentionService,
    CallLogExportService,
    CallStatsService,
    UsageService,
    CallStatsRollup,
    { provide: CallLogSpool, inject: [AppConfigService], useFactory: (config: AppConfigService) => new CallLogSpool(config.env.CALL_LOG_SPOOL_DIR) },
    CallLogWriter,
  ],
  exports: [CallLogsService, CallLogWriter, CallStatsRollup],
})
export class CallLogsModule {}
