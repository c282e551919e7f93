import { Module } from '@nestjs/common';
import { BuiltinToolsModule } from '../builtin-tools/builtin-tools.module';
import { CallLogsModule } from '../call-logs/call-logs.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisService } from '../common/redis/redis.service';
import { AppConfigService } from '../config/app-config.service';
import { SourcesModule } from '../sources/sources.module';
import { GroupCatalogService } from './catalog/group-catalog.service';
import { CallPipeline } from './pipeline/call-pipeline';
import { ExecuteTool } from './pipeline/execute-tool';
import { PipelineModule } from './pipeline/pipeline.module';
import { RecordCall } from './pipeline/record-call';
import { ResolveTool } from './pipeline/resolve-tool';
import { McpDispatcher } from './protocol/dispatcher';
import { RedisSessionStore } from './sessions/redis-session-store';
import { SessionRelay } from './sessions/session-relay';
import { InMemorySessionStore, SESSION_STORE } from './sessions/session-store';
import { StreamRegistry } from './sessions/stream-registry';
import { McpNotifier } from './sessions/mcp-notifier';
import { AuthFailureThrottle } from './transport/auth-failure-throttle';
import { HttpChecks } from './transport/http-checks';
import { McpHttpHandler } from './transport/mcp-http.handler';

/** The gateway. Its endpoint is served from the HTTP server's own request listener, ahead of Express (see McpHttpHandler.listener and app.factory). */
@Module({
  imports: [PipelineModule, CallLogsModule, BuiltinToolsModule, SourcesModule, MetricsModule],
  providers: [
    GroupCatalogService,
    ResolveTool,
    ExecuteTool,
    RecordCall,
    CallPipeline,
    McpDispatcher,
    StreamRegistry,
    SessionRelay,
    McpNotifier,
    {
      // Sessions in Redis when the replicas share one (any replica serves any session), else in this process.
      provide: SESSION_STORE,
      inject: [AppConfigService, { token: RedisService, optional: true }],
      useFactory: (config: AppConfigService, redis?: RedisService) => (redis ? new RedisSessionStore(config, redis) : new InMemorySessionStore(config)),
    },
    HttpChecks,
    AuthFailureThrottle,
    McpHttpHandler,
  ],
  exports: [McpHttpHandler],
})
export class McpModule {}
