import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateSource, CreateSourceSchema, OpenApiPreviewSchema, SourceStatus, UpdateSourceSchema } from '@toolgate/contracts';
import { z } from 'zod';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { AppException } from '../common/errors/app-exception';
import { ApiZodBody, zod } from '../common/http/zod.pipe';
import { SourceDiscoveryService } from './discovery/source-discovery.service';
import { OpenApiPreview } from './openapi/openapi-preview';
import { ToolReviewsService } from './reviews/tool-reviews.service';
import { SourceInvoker } from './source-invoker.service';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@Controller('api/v1/sources')
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly discovery: SourceDiscoveryService,
    private readonly invoker: SourceInvoker,
    private readonly reviews: ToolReviewsService,
    private readonly preview: OpenApiPreview,
  ) {}

  @Get()
  @RequirePermission('readConfig')
  async list(@CurrentScope() scope: TenantScope) {
    return { items: await this.sources.list(scope.tenantId) };
  }

  /** Lists the operations of an OpenAPI document (by URL or uploaded), to pick which become tools. Stores nothing. */
  @Post('openapi/preview')
  @HttpCode(200)
  @RequirePermission('writeConfig')
  @ApiZodBody(OpenApiPreviewSchema)
  async previewOpenApi(@CurrentScope() scope: TenantScope, @Body(zod(OpenApiPreviewSchema)) body: z.infer<typeof OpenApiPreviewSchema>) {
    return this.preview.preview(scope.tenantId, body);
  }

  @Get(':id')
  @RequirePermission('readConfig')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.sources.getById(scope.tenantId, id);
  }

  /**
   * Creates the source and discovers its tools (they arrive disabled). An upstream that cannot be reached does not
   * lose the source: it is stored with status `error` and the reason in `lastError`; fix it and refresh.
   */
  @Post()
  @RequirePermission('writeConfig')
  @ApiZodBody(CreateSourceSchema)
  async create(@CurrentScope() scope: TenantScope, @Body(zod(CreateSourceSchema)) body: CreateSource) {
    const created = await this.sources.create(scope, body);
    if (created.enabled) await this.discoverQuietly(scope.tenantId, created.id, 'create');
    return this.sources.getById(scope.tenantId, created.id);
  }

  @Patch(':id')
  @RequirePermission('writeConfig')
  @ApiZodBody(UpdateSourceSchema)
  async update(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(UpdateSourceSchema)) body: z.infer<typeof UpdateSourceSchema>) {
    const updated = await this.sources.update(scope, id, body);
    if (updated.kind === 'builtin' || !updated.enabled || (body.config === undefined && body.secrets === undefined && body.enabled !== true)) return updated;
    await this.discoverQuietly(scope.tenantId, id, 'update');
    return this.sources.getById(scope.tenantId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('writeConfig')
  async remove(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    await this.sources.remove(scope, id);
  }

  /** Lists the upstream's tools now and applies them: what was added, changed (pending review), removed. */
  @Post(':id/refresh')
  @HttpCode(200)
  @RequirePermission('writeConfig')
  async refresh(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    const source = await this.sources.getById(scope.tenantId, id);
    if (source.kind === 'builtin') throw new AppException('VALIDATION_FAILED', 'The builtin source follows the code; it has nothing to refresh.');
    if (!source.enabled) throw new AppException('CONFLICT', `Source "${source.name}" is disabled; enable it to refresh its tools.`);
    const refresh = await this.discovery.refresh(scope.tenantId, id, 'manual');
    return { source: await this.sources.getById(scope.tenantId, id), refresh };
  }

  @Get(':id/status')
  @RequirePermission('readConfig')
  async status(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string): Promise<SourceStatus> {
    const source = await this.sources.getById(scope.tenantId, id);
    const runtime = source.kind === 'builtin' ? null : this.invoker.status(id, source.kind);
    return {
      sourceId: id,
      state: !source.enabled ? 'disabled' : (runtime?.state ?? 'ready'),
      discovery: source.status,
      lastError: runtime?.lastError ?? source.lastError,
      p50Ms: runtime?.p50Ms ?? null,
      p95Ms: runtime?.p95Ms ?? null,
      inFlight: runtime?.inFlight ?? 0,
      restarts: runtime?.restarts ?? 0,
      toolCount: source.toolCount,
      lastRefreshedAt: source.lastRefreshedAt,
      pendingReviews: await this.reviews.pendingCount(scope.tenantId, id),
    };
  }

  private async discoverQuietly(tenantId: string, id: string, trigger: 'create' | 'update'): Promise<void> {
    try {
      await this.discovery.refresh(tenantId, id, trigger);
    } catch (err) {
      // Recorded on the source (status `error`, lastError); the admin sees it in the answer.
      if (!(err instanceof AppException) || err.code !== 'SOURCE_UNAVAILABLE') throw err;
    }
  }
}
