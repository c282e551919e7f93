import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { StatsQuery, StatsQuerySchema } from '@toolgate/contracts';
import { CurrentScope, RequirePermission } from '../../auth/access.decorators';
import type { TenantScope } from '../../auth/access.types';
import { ApiZodQuery, zod } from '../../common/http/zod.pipe';
import { CallStatsService } from './call-stats.service';

@ApiTags('stats')
@Controller('api/v1/stats')
export class CallStatsController {
  constructor(private readonly stats: CallStatsService) {}

  @Get()
  @RequirePermission('readLogs')
  @ApiZodQuery(StatsQuerySchema)
  get(@CurrentScope() scope: TenantScope, @Query(zod(StatsQuerySchema)) q: StatsQuery) {
    return this.stats.stats(scope.tenantId, q);
  }
}
