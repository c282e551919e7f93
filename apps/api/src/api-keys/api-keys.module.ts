import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ToolGroupsModule } from '../tool-groups/tool-groups.module';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

@Module({ imports: [AuditModule, ToolGroupsModule], controllers: [ApiKeysController], providers: [ApiKeysService], exports: [ApiKeysService] })
export class ApiKeysModule {}
