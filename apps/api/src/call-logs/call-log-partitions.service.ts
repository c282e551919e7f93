// Keeps monthly call-log partitions created ahead: at boot and twice a day.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { CallLogsService } from './call-logs.service';

const TWELVE_HOURS = 12 * 3600_000;

@Injectable()
export class CallLogPartitionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallLogPartitionsService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly callLogs: CallLogsService,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintain();
    this.timer = setInterval(() => void this.maintain(), TWELVE_HOURS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async maintain(): Promise<void> {
    try {
      const created = await this.callLogs.ensurePartitions(this.config.env.CALL_LOG_PARTITIONS_AHEAD);
      if (created > 0) this.logger.log({ created }, 'created call-log partitions');
    } catch (err) {
      // Rows still land in the default partition, so a failure here loses nothing; say so loudly.
      this.logger.error({ err }, 'could not create call-log partitions');
    }
  }
}
