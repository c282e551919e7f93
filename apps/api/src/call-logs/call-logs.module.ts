import { Module } from '@nestjs/common';
import { CallLogPartitionsService } from './call-log-partitions.service';
import { CallLogsController } from './call-logs.controller';
import { CallLogsService } from './call-logs.service';

@Module({ controllers: [CallLogsController], providers: [CallLogsService, CallLogPartitionsService], exports: [CallLogsService] })
export class CallLogsModule {}
