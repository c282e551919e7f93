import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CallLogQuery, CallLogQuerySchema } from '@toolgate/contracts';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodQuery, zod } from '../common/http/zod.pipe';
import { CallLogsService } from './call-logs.service';

@ApiTags('call-logs')
@Controller('api/v1/call-logs')
export class CallLogsController {
  constructor(private readonly callLogs: CallLogsService) {}

  @Get()
  @RequirePermission('readLogs')
  @ApiZodQuery(CallLogQuerySchema)
  list(@CurrentScope() scope: TenantScope, @Query(zod(CallLogQuerySchema)) q: CallLogQuery) {
    return this.callLogs.query(scope.tenantId, q);
  }
}
