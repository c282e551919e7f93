import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { BuiltinToolsModule } from '../builtin-tools/builtin-tools.module';
import { SourcesModule } from '../sources/sources.module';
import { UsersModule } from '../users/users.module';
import { MembersService } from './members.service';
import { Membership } from './membership.entity';
import { Tenant } from './tenant.entity';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant, Membership]), UsersModule, AuditModule, SourcesModule, BuiltinToolsModule],
  controllers: [TenantsController],
  providers: [TenantsService, MembersService],
  exports: [TenantsService, MembersService],
})
export class TenantsModule {}
