import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateSource, CreateSourceSchema, UpdateSourceSchema } from '@toolgate/contracts';
import { z } from 'zod';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodBody, zod } from '../common/http/zod.pipe';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@Controller('api/v1/sources')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Get()
  @RequirePermission('readConfig')
  async list(@CurrentScope() scope: TenantScope) {
    return { items: await this.sources.list(scope.tenantId) };
  }

  @Get(':id')
  @RequirePermission('readConfig')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.sources.getById(scope.tenantId, id);
  }

  @Post()
  @RequirePermission('writeConfig')
  @ApiZodBody(CreateSourceSchema)
  create(@CurrentScope() scope: TenantScope, @Body(zod(CreateSourceSchema)) body: CreateSource) {
    return this.sources.create(scope, body);
  }

  @Patch(':id')
  @RequirePermission('writeConfig')
  @ApiZodBody(UpdateSourceSchema)
  update(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(UpdateSourceSchema)) body: z.infer<typeof UpdateSourceSchema>) {
    return this.sources.update(scope, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('writeConfig')
  async remove(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    await this.sources.remove(scope, id);
  }
}
