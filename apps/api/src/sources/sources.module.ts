import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SourceDiscoveryService } from './discovery/source-discovery.service';
import { SourceRefreshScheduler } from './discovery/source-refresh.scheduler';
import { UpstreamCatalog } from './discovery/upstream-catalog';
import { HttpSourceRunner } from './openapi/http-source-runner';
import { OpenApiPreview } from './openapi/openapi-preview';
import { ToolReviewsController } from './reviews/tool-reviews.controller';
import { ToolReviewsService } from './reviews/tool-reviews.service';
import { StdioBootStarter } from './source-boot';
import { SourceInvoker } from './source-invoker.service';
import { SourceResolver } from './source-resolver';
import { SourcesController } from './sources.controller';
import { SourcesService } from './sources.service';
import { StdioCommandsController } from './stdio-commands/stdio-commands.controller';
import { StdioCommandsService } from './stdio-commands/stdio-commands.service';
import { UpstreamClientPool } from './upstream/upstream-client-pool';

@Module({
  imports: [AuditModule],
  controllers: [SourcesController, ToolReviewsController, StdioCommandsController],
  providers: [
    SourcesService,
    StdioCommandsService,
    SourceResolver,
    UpstreamClientPool,
    HttpSourceRunner,
    SourceInvoker,
    UpstreamCatalog,
    SourceDiscoveryService,
    SourceRefreshScheduler,
    ToolReviewsService,
    OpenApiPreview,
    StdioBootStarter,
  ],
  exports: [SourcesService, SourceInvoker, UpstreamClientPool],
})
export class SourcesModule {}
