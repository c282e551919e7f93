import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SourcesModule } from '../sources/sources.module';
import { ToolsController } from './tools.controller';
import { ToolsService } from './tools.service';

@Module({ imports: [AuditModule, SourcesModule], controllers: [ToolsController], providers: [ToolsService], exports: [ToolsService] })
export class ToolsModule {}
