// The tools/call pipeline's standalone steps, for the gateway module to compose.
import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../../api-keys/api-keys.module';
import { RedisService } from '../../common/redis/redis.service';
import { ArgumentValidator } from './argument-validator';
import { KeyAuthenticator } from './key-authenticator';
import { GroupRateLimits, InProcessRateLimiter, RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';
import { ToolNameSuggester } from './tool-name-suggester';

@Module({
  imports: [ApiKeysModule],
  providers: [
    KeyAuthenticator,
    InProcessRateLimiter,
    // Shared by the replicas through Redis when REDIS_URL is set (this replica's counters while it is down); else this replica's own.
    {
      provide: RateLimiter,
      inject: [InProcessRateLimiter, { token: RedisService, optional: true }],
      useFactory: (local: InProcessRateLimiter, redis?: RedisService) => (redis ? new RedisRateLimiter(redis, local) : local),
    },
    GroupRateLimits,
    ArgumentValidator,
    ToolNameSuggester,
  ],
  exports: [KeyAuthenticator, RateLimiter, GroupRateLimits, ArgumentValidator, ToolNameSuggester],
})
export class PipelineModule {}
