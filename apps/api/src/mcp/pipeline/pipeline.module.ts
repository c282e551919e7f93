// The tools/call pipeline's standalone steps, for the gateway module to compose.
import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../../api-keys/api-keys.module';
import { ArgumentValidator } from './argument-validator';
import { KeyAuthenticator } from './key-authenticator';
import { GroupRateLimits, InProcessRateLimiter, RateLimiter } from './rate-limiter';
import { ToolNameSuggester } from './tool-name-suggester';

@Module({
  imports: [ApiKeysModule],
  providers: [
    KeyAuthenticator,
    InProcessRateLimiter,
    // One replica's counters; a Redis-backed RateLimiter can replace this binding without touching callers.
    { provide: RateLimiter, useExisting: InProcessRateLimiter },
    GroupRateLimits,
    ArgumentValidator,
    ToolNameSuggester,
  ],
  exports: [KeyAuthenticator, RateLimiter, GroupRateLimits, ArgumentValidator, ToolNameSuggester],
})
export class PipelineModule {}
