import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ToolGroupsModule } from '../tool-groups/tool-groups.module';
import { UsersModule } from '../users/users.module';
import { DemoSeedService } from './demo-seed.service';

@Module({ imports: [UsersModule, TenantsModule, ToolGroupsModule, ApiKeysModule], providers: [DemoSeedService], exports: [DemoSeedService] })
export class SeedModule {}
