// The first-run demo: tenant `demo`, its admin, a tool group `demo` serving every builtin tool over sample CRM data,
// and one API key (returned once).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../api-keys/api-keys.service';
import type { TenantScope } from '../auth/access.types';
import { CrmDemoData } from '../builtin-tools/crm/crm-demo-data';
import { AppConfigService } from '../config/app-config.service';
import { ToolGroupsService } from '../tool-groups/tool-groups.service';
import { MembersService } from '../tenants/members.service';
import { SourcesService } from '../sources/sources.service';
import { TenantsService } from '../tenants/tenants.service';
import { ToolsService } from '../tools/tools.service';
import { UsersService } from '../users/users.service';

export type SeedResult =
  | { created: true; tenant: string; serverCode: string; adminEmail: string; apiKey: string }
  | { created: false; tenant: string; serverCode: string; adminEmail: string };

export const DEMO_TENANT = 'demo';
export const DEMO_SERVER_CODE = 'demo';

@Injectable()
export class DemoSeedService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfigService,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    private readonly members: MembersService,
    private readonly groups: ToolGroupsService,
    private readonly keys: ApiKeysService,
    private readonly sources: SourcesService,
    private readonly tools: ToolsService,
    private readonly crmDemo: CrmDemoData,
  ) {}

  async run(): Promise<SeedResult> {
    const adminEmail = this.config.env.SEED_ADMIN_EMAIL;
    const base = { tenant: DEMO_TENANT, serverCode: DEMO_SERVER_CODE, adminEmail };
    const [existing] = await this.db.query('SELECT id FROM tenants WHERE slug = $1', [DEMO_TENANT]);
    if (existing) return { created: false, ...base };

    const password = this.config.env.SEED_ADMIN_PASSWORD;
    if (!password) throw new Error('SEED_ADMIN_PASSWORD must be set for the first seed (12+ characters).');
    let admin = await this.users.findByEmail(adminEmail);
    if (!admin) {
      admin = await this.db.transaction((m) => this.users.create(m, { email: adminEmail, name: 'Demo Admin', password, isPlatformAdmin: true }));
    }
    const actor = { userId: admin.id, email: admin.email, name: admin.name, isPlatformAdmin: true, sessionId: 'seed', ip: null, requestId: 'seed' };
    const tenant = await this.tenants.create(actor, { slug: DEMO_TENANT, name: 'Demo Company' });
    const scope: TenantScope = { ...actor, tenantId: tenant.id, role: 'owner' };
    await this.members.add(scope, { email: adminEmail, role: 'owner' });
    // The demo's upstream sources run on this machine: its tenant may reach loopback (the SSRF guard refuses it otherwise).
    await this.tenants.update(scope, { networkAllowlist: ['localhost', '127.0.0.1', '::1'] });
    const group = await this.groups.create(scope, {
      name: 'Demo tools',
      description: 'The demo group: business tools for customer-service agents.',
      serverCode: DEMO_SERVER_CODE,
      enabled: true,
      allowedRoles: [],
      allowedUserTiers: [],
      rateLimit: { perMinute: 600, perKeyPerMinute: 120, maxConcurrentPerKey: 16 },
    });
    // The tenant's catalog already holds the builtin tools (synced when it was created): the demo group serves them all.
    const builtinTools = await this.tools.list(tenant.id, { sourceId: await this.sources.builtinSourceId(tenant.id) });
    for (const tool of builtinTools.filter((t) => t.status === 'active')) {
      await this.groups.assignTool(scope, group.id, tool.id, {});
    }
    await this.db.transaction((m) => this.crmDemo.seed(m, tenant.id));
    const key = await this.keys.create(scope, group.id, { name: 'Demo agent key' });
    return { created: true, ...base, apiKey: key.plaintext };
  }
}
