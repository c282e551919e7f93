import { Module } from '@nestjs/common';
import { BuiltinToolsModule } from '../builtin-tools/builtin-tools.module';
import { CallLogsModule } from '../call-logs/call-logs.module';
import { GroupCatalogService } from './catalog/group-catalog.service';
import { CallPipeline } from './pipeline/call-pipeline';
import { ExecuteTool } from './pipeline/execute-tool';
import { PipelineModule } from './pipeline/pipeline.module';
import { RecordCall } from './pipeline/record-call';
import { ResolveTool } from './pipeline/resolve-tool';
import { McpDispatcher } from './protocol/dispatcher';
import { InMemorySessionStore, SESSION_STORE } from './sessions/session-store';
import { StreamRegistry } from './sessions/stream-registry';
import { McpNotifier } from './sessions/mcp-notifier';
import { AuthFailureThrottle } from './transport/auth-failure-throttle';
import { HttpChecks } from './transport/http-checks';
import { McpHttpHandler } from './transport/mcp-http.handler';

/** The gateway. Its endpoint is mounted on Express by app.factory (see McpHttpHandler.router). */
@Module({
  imports: [PipelineModule, CallLogsModule, BuiltinToolsModule],
  providers: [
    GroupCatalogService,
    ResolveTool,
    ExecuteTool,
    RecordCall,
    CallPipeline,
    McpDispatcher,
    StreamRegistry,
    McpNotifier,
    { provide: SESSION_STORE, useClass: InMemorySessionStore },
    HttpChecks,
    AuthFailureThrottle,
    McpHttpHandler,
  ],
  exports: [McpHttpHandler],
})
export class McpModule {}
