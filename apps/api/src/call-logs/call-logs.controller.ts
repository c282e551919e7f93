import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CallLogExportQuery,
  CallLogExportQuerySchema,
  CallLogFilter,
  CallLogFilterSchema,
  CallLogQuery,
  CallLogQuerySchema,
} from '@toolgate/contracts';
import type { Response } from 'express';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodQuery, zod } from '../common/http/zod.pipe';
import { CallLogsService } from './call-logs.service';
import { CallLogExportService } from './export/call-log-export.service';

@ApiTags('call-logs')
@Controller('api/v1/call-logs')
export class CallLogsController {
  constructor(
    private readonly callLogs: CallLogsService,
    private readonly exporter: CallLogExportService,
  ) {}

  @Get()
  @RequirePermission('readLogs')
  @ApiZodQuery(CallLogQuerySchema)
  list(@CurrentScope() scope: TenantScope, @Query(zod(CallLogQuerySchema)) q: CallLogQuery) {
    return this.callLogs.query(scope.tenantId, q);
  }

  // Declared before :id, which would otherwise take "count" and "export" for ids.
  @Get('count')
  @RequirePermission('readLogs')
  @ApiZodQuery(CallLogFilterSchema)
  count(@CurrentScope() scope: TenantScope, @Query(zod(CallLogFilterSchema)) q: CallLogFilter) {
    return this.callLogs.count(scope.tenantId, q);
  }

  @Get('facets')
  @RequirePermission('readLogs')
  facets(@CurrentScope() scope: TenantScope) {
    return this.callLogs.facets(scope.tenantId);
  }

  @Get('export')
  @RequirePermission('readLogs')
  @ApiZodQuery(CallLogExportQuerySchema)
  async export(@CurrentScope() scope: TenantScope, @Query(zod(CallLogExportQuerySchema)) q: CallLogExportQuery, @Res() res: Response): Promise<void> {
    await this.exporter.stream(scope, q, res);
  }

  @Get(':id')
  @RequirePermission('readLogs')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.callLogs.getById(scope.tenantId, id);
  }
}
