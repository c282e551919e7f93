import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ToolsModule } from '../tools/tools.module';
import { ToolGroupsController } from './tool-groups.controller';
import { ToolGroupsService } from './tool-groups.service';

@Module({ imports: [AuditModule, ToolsModule], controllers: [ToolGroupsController], providers: [ToolGroupsService], exports: [ToolGroupsService] })
export class ToolGroupsModule {}
