import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { CallLogPartitionsService } from './call-log-partitions.service';
import { CallLogSpool } from './call-log-spool';
import { CallLogWriter } from './call-log-writer';
import { CallLogsController } from './call-logs.controller';
import { CallLogsService } from './call-logs.service';

@Module({
  controllers: [CallLogsController],
  providers: [
    CallLogsService,
    CallLogPartitionsService,
    { provide: CallLogSpool, inject: [AppConfigService], useFactory: (config: AppConfigService) => new CallLogSpool(config.env.CALL_LOG_SPOOL_DIR) },
    CallLogWriter,
  ],
  exports: [CallLogsService, CallLogWriter],
})
export class CallLogsModule {}
