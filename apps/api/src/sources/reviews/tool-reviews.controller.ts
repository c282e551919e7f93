import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ToolReviewQuerySchema } from '@toolgate/contracts';
import { z } from 'zod';
import { CurrentScope, RequirePermission } from '../../auth/access.decorators';
import type { TenantScope } from '../../auth/access.types';
import { ApiZodQuery, zod } from '../../common/http/zod.pipe';
import { ToolReviewsService } from './tool-reviews.service';

@ApiTags('sources')
@Controller('api/v1/tool-reviews')
export class ToolReviewsController {
  constructor(private readonly reviews: ToolReviewsService) {}

  @Get()
  @RequirePermission('readConfig')
  @ApiZodQuery(ToolReviewQuerySchema)
  async list(@CurrentScope() scope: TenantScope, @Query(zod(ToolReviewQuerySchema)) q: z.infer<typeof ToolReviewQuerySchema>) {
    return { items: await this.reviews.list(scope.tenantId, q) };
  }

  @Get(':id')
  @RequirePermission('readConfig')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.reviews.getById(scope.tenantId, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermission('writeConfig')
  approve(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.reviews.approve(scope, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequirePermission('writeConfig')
  reject(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.reviews.reject(scope, id);
  }
}
