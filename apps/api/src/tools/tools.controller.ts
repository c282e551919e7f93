import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateTool, CreateToolSchema, ToolQuerySchema, UpdateTool, UpdateToolSchema } from '@toolgate/contracts';
import { z } from 'zod';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodBody, ApiZodQuery, zod } from '../common/http/zod.pipe';
import { ToolsService } from './tools.service';

@ApiTags('tools')
@Controller('api/v1/tools')
export class ToolsController {
  constructor(private readonly tools: ToolsService) {}

  @Get()
  @RequirePermission('readConfig')
  @ApiZodQuery(ToolQuerySchema)
  async list(@CurrentScope() scope: TenantScope, @Query(zod(ToolQuerySchema)) q: z.infer<typeof ToolQuerySchema>) {
    return { items: await this.tools.list(scope.tenantId, q) };
  }

  @Get(':id')
  @RequirePermission('readConfig')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.tools.getById(scope.tenantId, id);
  }

  @Post()
  @RequirePermission('writeConfig')
  @ApiZodBody(CreateToolSchema)
  create(@CurrentScope() scope: TenantScope, @Body(zod(CreateToolSchema)) body: CreateTool) {
    return this.tools.create(scope, body);
  }

  @Patch(':id')
  @RequirePermission('writeConfig')
  @ApiZodBody(UpdateToolSchema)
  update(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(UpdateToolSchema)) body: UpdateTool) {
    return this.tools.update(scope, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('writeConfig')
  async remove(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    await this.tools.remove(scope, id);
  }
}
