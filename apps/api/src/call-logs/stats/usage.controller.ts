// Monthly usage: a tenant's own (readLogs, like the call log it is counted from), and every tenant's for platform admins.
import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PlatformUsageQuery, PlatformUsageQuerySchema, UsageQuery, UsageQuerySchema } from '@toolgate/contracts';
import { CurrentScope, PlatformAdminOnly, RequirePermission } from '../../auth/access.decorators';
import type { TenantScope } from '../../auth/access.types';
import { ApiZodQuery, zod } from '../../common/http/zod.pipe';
import { UsageService } from './usage.service';

@ApiTags('usage')
@Controller('api/v1')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /** GET /api/v1/usage?month=YYYY-MM&by=tenant|group|key|tool */
  @Get('usage')
  @RequirePermission('readLogs')
  @ApiZodQuery(UsageQuerySchema)
  get(@CurrentScope() scope: TenantScope, @Query(zod(UsageQuerySchema)) q: UsageQuery) {
    return this.usage.forTenant(scope.tenantId, q.month, q.by);
  }

  /** GET /api/v1/platform/usage?month=YYYY-MM: one row per tenant. */
  @Get('platform/usage')
  @PlatformAdminOnly()
  @ApiZodQuery(PlatformUsageQuerySchema)
  platform(@Query(zod(PlatformUsageQuerySchema)) q: PlatformUsageQuery) {
    return this.usage.forPlatform(q.month);
  }
}
