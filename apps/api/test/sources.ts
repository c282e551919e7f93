// Upstream sources through the real admin API, for the gateway-level source specs: the tenant's loopback
// allowlist, creating a source (discovery runs), putting its tools into a group, and bounded waits.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { StreamRegistry } from '../src/mcp/sessions/stream-registry';
import { auth, TestTenant } from './factories';
import type { TestApp } from './test-app';

type Json = Record<string, any>;

export const owner = (tenant: TestTenant) => auth(tenant.owner.token, tenant.id);

/** The test upstreams listen on 127.0.0.1, which the SSRF guard refuses unless the tenant allows it. */
export async function allowLoopback(t: TestApp, tenant: TestTenant): Promise<void> {
  const res = await t.http().patch('/api/v1/tenant').set(owner(tenant)).send({ networkAllowlist: ['127.0.0.1'] });
  if (res.status !== 200) throw new Error(`allowLoopback failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** POST /api/v1/sources (which runs discovery); fails the test unless it is created. */
export async function createSource(t: TestApp, tenant: TestTenant, body: Json): Promise<Json> {
  const res = await t.http().post('/api/v1/sources').set(owner(tenant)).send({ name: `Source ${body.namespace}`, ...body });
  if (res.status !== 201) throw new Error(`createSource failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The source's tools by name, as GET /api/v1/tools?sourceId= lists them. */
export async function toolsOf(t: TestApp, tenant: TestTenant, sourceId: string): Promise<Map<string, Json>> {
  const res = await t.http().get(`/api/v1/tools?sourceId=${sourceId}`).set(owner(tenant));
  if (res.status !== 200) throw new Error(`list tools failed: ${res.status} ${JSON.stringify(res.body)}`);
  return new Map((res.body.items as Json[]).map((x) => [x.name, x]));
}

/** Enables each tool (discovered tools arrive disabled) and puts it into the group. */
export async function expose(t: TestApp, tenant: TestTenant, groupId: string, toolIds: string[]): Promise<void> {
  for (const id of toolIds) {
    const enabled = await t.http().patch(`/api/v1/tools/${id}`).set(owner(tenant)).send({ enabled: true });
    if (enabled.status !== 200) throw new Error(`enable tool failed: ${enabled.status} ${JSON.stringify(enabled.body)}`);
    const assigned = await t.http().put(`/api/v1/groups/${groupId}/tools/${id}`).set(owner(tenant)).send({});
    if (assigned.status !== 200) throw new Error(`assign tool failed: ${assigned.status} ${JSON.stringify(assigned.body)}`);
  }
}

/** Polls an async check until it holds, for at most `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Counts the notifications/tools/list_changed an SDK client receives. Take `mark()` before the change, then
 * `await mark.arrived()`: it resolves once one came after the mark (at once if it already did), or rejects after
 * `timeoutMs`.
 */
export function listChangedWatcher(client: Client) {
  let count = 0;
  let waiters: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    count++;
    const ready = waiters;
    waiters = [];
    ready.forEach((w) => w());
  });
  return {
    get count() {
      return count;
    },
    mark() {
      const seen = count;
      return {
        arrived(timeoutMs = 5000): Promise<void> {
          if (count > seen) return Promise.resolve();
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no notifications/tools/list_changed within ${timeoutMs} ms`)), timeoutMs);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        },
      };
    },
  };
}

/** The SDK client opens its GET stream (where list_changed arrives) just after connecting: wait until the gateway holds it. */
export async function streamOpen(t: TestApp, transport: { sessionId?: string }): Promise<void> {
  const streams = t.app.get(StreamRegistry);
  await eventually('the session GET stream', async () => transport.sessionId !== undefined && streams.hasStream(transport.sessionId));
}
