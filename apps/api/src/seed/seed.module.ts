import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { CrmModule } from '../builtin-tools/crm/crm.module';
import { SourcesModule } from '../sources/sources.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ToolGroupsModule } from '../tool-groups/tool-groups.module';
import { ToolsModule } from '../tools/tools.module';
import { UsersModule } from '../users/users.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [UsersModule, TenantsModule, SourcesModule, ToolsModule, ToolGroupsModule, ApiKeysModule, CrmModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class SeedModule {}
