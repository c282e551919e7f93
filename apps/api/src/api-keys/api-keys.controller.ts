import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateApiKey, CreateApiKeySchema, RotateApiKeySchema, UpdateApiKeySchema } from '@toolgate/contracts';
import { z } from 'zod';
import { CurrentScope, RequirePermission } from '../auth/access.decorators';
import type { TenantScope } from '../auth/access.types';
import { ApiZodBody, ApiZodQuery, zod } from '../common/http/zod.pipe';
import { ApiKeysService } from './api-keys.service';

const KeyListQuerySchema = z.strictObject({ groupId: z.uuid().optional() });
/** Revoke and regenerate take no input; a body with fields is refused rather than ignored. */
const EmptyBodySchema = z.strictObject({});

@ApiTags('keys')
@Controller('api/v1')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get('keys')
  @RequirePermission('readConfig')
  @ApiZodQuery(KeyListQuerySchema)
  async list(@CurrentScope() scope: TenantScope, @Query(zod(KeyListQuerySchema)) q: z.infer<typeof KeyListQuerySchema>) {
    return { items: await this.keys.list(scope.tenantId, q.groupId) };
  }

  @Get('groups/:groupId/keys')
  @RequirePermission('readConfig')
  async listForGroup(@CurrentScope() scope: TenantScope, @Param('groupId', ParseUUIDPipe) groupId: string) {
    return { items: await this.keys.listForGroup(scope.tenantId, groupId) };
  }

  /** The response holds the plaintext key: the only time it is ever shown. */
  @Post('groups/:groupId/keys')
  @RequirePermission('writeConfig')
  @ApiZodBody(CreateApiKeySchema)
  create(@CurrentScope() scope: TenantScope, @Param('groupId', ParseUUIDPipe) groupId: string, @Body(zod(CreateApiKeySchema)) body: CreateApiKey) {
    return this.keys.create(scope, groupId, body);
  }

  @Get('keys/:id')
  @RequirePermission('readConfig')
  get(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string) {
    return this.keys.getById(scope.tenantId, id);
  }

  @Patch('keys/:id')
  @RequirePermission('writeConfig')
  @ApiZodBody(UpdateApiKeySchema)
  update(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(UpdateApiKeySchema)) body: z.infer<typeof UpdateApiKeySchema>) {
    return this.keys.update(scope, id, body);
  }

  /** Revoking changes the key; nothing is created, so 200. */
  @Post('keys/:id/revoke')
  @HttpCode(200)
  @RequirePermission('writeConfig')
  revoke(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(EmptyBodySchema)) _body: object) {
    return this.keys.revoke(scope, id);
  }

  @Post('keys/:id/rotate')
  @RequirePermission('writeConfig')
  @ApiZodBody(RotateApiKeySchema)
  rotate(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(RotateApiKeySchema)) body: z.infer<typeof RotateApiKeySchema>) {
    return this.keys.rotate(scope, id, body.overlapSeconds);
  }

  @Post('keys/:id/regenerate')
  @RequirePermission('writeConfig')
  regenerate(@CurrentScope() scope: TenantScope, @Param('id', ParseUUIDPipe) id: string, @Body(zod(EmptyBodySchema)) _body: object) {
    return this.keys.regenerate(scope, id);
  }
}
