import { auth, createEchoEndpoint, createTenant } from '../../../test/factories';
import { createTestApp, TestApp } from '../../../test/test-app';

const post = (t: TestApp, code: string, key: string) =>
  fetch(`${t.url}/mcp/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  });

const randomKey = () => `tg_${'abcdefghijkl'}_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;

describe('failed key checks per address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { MCP_AUTH_FAILURES_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('after the limit, unknown keys get 429 without a lookup while a known valid key keeps working; every refusal is logged', async () => {
    const tenant = await createTenant(t);
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
    expect((await post(t, group.serverCode, plaintext)).status).toBe(200); // now known to this replica
    for (let i = 0; i < 5; i++) expect((await post(t, group.serverCode, randomKey())).status).toBe(401);
    const throttled = await post(t, group.serverCode, randomKey());
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await throttled.json()) as { error: unknown }).error).toMatchObject({ code: -32029, data: { retryAfterSeconds: expect.any(Number) } });
    await new Promise((r) => setTimeout(r, 1100)); // past the 1 s cache: the known key is looked up again
    expect((await post(t, group.serverCode, plaintext)).status).toBe(200);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE outcome = 'unauthenticated'`);
    expect(n).toBe(6);
  });

  it('a real key from an address past the limit still works after an admin change dropped it from the cache', async () => {
    // Its own app: the test above left this address (127.0.0.1) past the limit in the first one.
    const t = await createTestApp({ listen: true, env: { MCP_AUTH_FAILURES_PER_MINUTE: '5' } });
    try {
      await realKeyAfterGroupChange(t);
    } finally {
      await t.close();
    }
  });

  async function realKeyAfterGroupChange(t: TestApp): Promise<void> {
    const tenant = await createTenant(t);
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
    expect((await post(t, group.serverCode, plaintext)).status).toBe(200);
    for (let i = 0; i < 5; i++) await post(t, group.serverCode, randomKey());
    expect((await post(t, group.serverCode, randomKey())).status).toBe(429);
    // An admin edits the group: every cached key of it is dropped on this replica.
    const edited = await t.http().patch(`/api/v1/groups/${group.id}`).set(auth(tenant.owner.token, tenant.id)).send({ description: 'edited' });
    expect(edited.status).toBe(200);
    expect((await post(t, group.serverCode, plaintext)).status).toBe(200);
    // Random keys are still refused without a lookup.
    expect((await post(t, group.serverCode, randomKey())).status).toBe(429);
  }
});
