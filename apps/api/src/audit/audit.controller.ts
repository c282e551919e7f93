import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditQuery, AuditQuerySchema } from '@toolgate/contracts';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodQuery, zod } from '../common/http/zod.pipe';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission('readLogs')
  @ApiZodQuery(AuditQuerySchema)
  list(@CurrentScope() scope: TenantScope, @Query(zod(AuditQuerySchema)) q: AuditQuery) {
    return this.audit.query(scope.tenantId, q);
  }
}
