import { DynamicModule, Global, Module } from '@nestjs/common';
import { Env } from '../../config/env.schema';
import { RedisService } from './redis.service';

/**
 * Provides RedisService only when REDIS_URL is set: inject it with `@Optional()`, and treat its absence as
 * "this replica works alone" (in-process limits, local events, in-memory sessions).
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(env: Env): DynamicModule {
    const providers = env.REDIS_URL ? [RedisService] : [];
    return { module: RedisModule, providers, exports: providers };
  }
}
