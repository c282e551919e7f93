import { auth, createGroup, createKey, createTenant } from '../../test/factories';
import { legacySseClient, sessionClient, statelessClient } from '../../test/mcp-clients';
import { createTestApp, TestApp } from '../../test/test-app';

describe('gateway smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterAll(() => t.close());

  it('lists and calls echo in all three transports', async () => {
    const tenant = await createTenant(t);
    const group = await createGroup(t, tenant);
    const tools = await t.http().get('/api/v1/tools').set(auth(tenant.owner.token, tenant.id));
    const echo = tools.body.items.find((x: { name: string }) => x.name === 'echo');
    await t.http().put(`/api/v1/groups/${group.id}/tools/${echo.id}`).set(auth(tenant.owner.token, tenant.id)).send({}).expect(200);
    const { plaintext } = await createKey(t, tenant, group.id);
    for (const connect of [sessionClient, statelessClient, legacySseClient]) {
      const { client } = await connect(t.url!, group.serverCode, plaintext);
      const list = await client.listTools();
      expect(list.tools.map((x: { name: string }) => x.name)).toEqual(['echo']);
      const res = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(res.structuredContent).toEqual({ text: 'hi' });
      await client.close();
    }
    const rows = await t.db.query('SELECT outcome FROM call_logs WHERE group_id = $1', [group.id]);
    expect(rows).toHaveLength(3);
  });
});
