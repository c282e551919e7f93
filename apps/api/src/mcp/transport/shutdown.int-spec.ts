import { createGroup, createKey, createTenant } from '../../../test/factories';
import { sessionClient } from '../../../test/mcp-clients';
import { createTestApp } from '../../../test/test-app';

describe('gateway shutdown', () => {
  it('does not hang on open client streams: they are closed and reconnects are refused with 503', async () => {
    const t = await createTestApp({ listen: true });
    const tenant = await createTenant(t);
    const group = await createGroup(t, tenant);
    const { plaintext } = await createKey(t, tenant, group.id);
    const { client } = await sessionClient(t.url!, group.serverCode, plaintext);
    await client.listTools();
    await new Promise((r) => setTimeout(r, 300)); // the SDK client opens its GET stream after initialize
    const started = Date.now();
    const outcome = await Promise.race([t.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), 8000))]);
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeLessThan(3000);
    await client.close().catch(() => undefined);
  }, 20_000);
});
