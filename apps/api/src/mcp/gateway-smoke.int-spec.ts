import { createEchoEndpoint, createTenant } from '../../test/factories';
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
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
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
