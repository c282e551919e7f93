import { DynamicModule, Module, Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BuiltinToolsModule } from './builtin-tools/builtin-tools.module';
import { CallLogsModule } from './call-logs/call-logs.module';
import { CryptoModule } from './common/crypto/crypto.module';
import { DomainEventsModule } from './common/events/domain-events';
import { loggerOptions } from './common/logging/logger-options';
import { RedisModule } from './common/redis/redis.module';
import { ConfigModule } from './config/config.module';
import { Env } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { McpModule } from './mcp/mcp.module';
import { SeedModule } from './seed/seed.module';
import { SourcesModule } from './sources/sources.module';
import { TenantsModule } from './tenants/tenants.module';
import { ToolGroupsModule } from './tool-groups/tool-groups.module';
import { ToolsModule } from './tools/tools.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** `extraImports` lets tests add modules (e.g. test-only tools) to the real wiring. */
  static forRoot(env: Env, extraImports: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRoot(loggerOptions(env)),
        DatabaseModule,
        CryptoModule,
        RedisModule.forRoot(env),
        DomainEventsModule,
        AuditModule,
        UsersModule,
        TenantsModule,
        AuthModule,
        SourcesModule,
        ToolsModule,
        BuiltinToolsModule,
        ToolGroupsModule,
        ApiKeysModule,
        CallLogsModule,
        HealthModule,
        McpModule,
        SeedModule,
        ...extraImports,
      ],
    };
  }
}
