import { BuiltinToolRegistry } from '../builtin-tools/builtin-tool-registry';
import { testToolContext } from '../builtin-tools/tool-context.testing';
import { createTestApp, TestApp } from '../../test/test-app';
import { DemoSeedService } from './demo-seed.service';

describe('demo seed (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { SEED_ADMIN_PASSWORD: 'demo-password-123456', SEED_ADMIN_EMAIL: 'admin@demo.local' } });
  });
  afterAll(() => t.close());

  it('creates the demo tenant whose group serves every builtin tool over sample CRM data, once', async () => {
    const seed = t.app.get(DemoSeedService);
    const first = await seed.run();
    expect(first).toMatchObject({ created: true, tenant: 'demo', serverCode: 'demo', apiKey: expect.stringMatching(/^tg_/) });

    const [tenant] = await t.db.query(`SELECT id FROM tenants WHERE slug = 'demo'`);
    const served: { name: string; enabled: boolean }[] = await t.db.query(
      `SELECT t.name, gt.enabled FROM tool_group_tools gt JOIN tool_groups g ON g.id = gt.group_id JOIN tools t ON t.id = gt.tool_id
       WHERE g.tenant_id = $1 AND g.server_code = 'demo' ORDER BY t.name`,
      [tenant.id],
    );
    const registry = t.app.get(BuiltinToolRegistry);
    expect(served).toEqual(registry.definitions().map((d) => ({ name: d.name, enabled: true })));
    expect(served.map((s) => s.name)).toEqual(expect.arrayContaining(['echo', 'get_user_profile', 'get_customer_profile', 'get_conversation_messages', 'get_task', 'create_task', 'update_task_status']));

    const profile = await registry.get('get_customer_profile')!.invoke({ username: 'wang.fang' }, testToolContext(tenant.id));
    expect(profile.structuredContent).toMatchObject({ user: { display_name: '王芳' }, portrait: { churn_risk: 'low' } });

    const again = await seed.run();
    expect(again).toEqual({ created: false, tenant: 'demo', serverCode: 'demo', adminEmail: 'admin@demo.local' });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM crm.users WHERE tenant_id = $1`, [tenant.id]);
    expect(n).toBe(12);
  });
});
