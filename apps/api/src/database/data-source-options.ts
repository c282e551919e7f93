// One definition of the database connection, shared by the app, the CLI and the tests.
import type { DataSourceOptions } from 'typeorm';
import { ApiKey } from '../api-keys/api-key.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { AdminSession } from '../auth/admin-session.entity';
import { ToolSource } from '../sources/tool-source.entity';
import { Membership } from '../tenants/membership.entity';
import { Tenant } from '../tenants/tenant.entity';
import { GroupTool } from '../tool-groups/group-tool.entity';
import { ToolGroup } from '../tool-groups/tool-group.entity';
import { Tool } from '../tools/tool.entity';
import { User } from '../users/user.entity';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export const ENTITIES = [Tenant, User, Membership, AdminSession, ToolGroup, GroupTool, ApiKey, ToolSource, Tool, AuditEvent];

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // The migrations own the schema: TypeORM would otherwise install uuid-ossp on every connect.
    installExtensions: false,
    extra: { max: poolSize, application_name: 'toolgate-api' },
  };
}
