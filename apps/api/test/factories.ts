// Test data through the real services and the real HTTP API.
import type { Role } from '@toolgate/contracts';
import { randomBytes } from 'node:crypto';
import type { Actor } from '../src/auth/access.types';
import { MembersService } from '../src/tenants/members.service';
import { TenantsService } from '../src/tenants/tenants.service';
import { UsersService } from '../src/users/users.service';
import type { TestApp } from './test-app';

export const PASSWORD = 'correct-horse-battery-staple';

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface TestTenant {
  id: string;
  slug: string;
  owner: TestUser;
}

const rand = () => randomBytes(4).toString('hex');

/** A platform admin (created directly: the bootstrap path, as the seed does). */
export async function createPlatformAdmin(t: TestApp): Promise<TestUser> {
  const email = `root-${rand()}@example.com`;
  const user = await t.db.transaction((m) => t.app.get(UsersService).create(m, { email, name: 'Root', password: PASSWORD, isPlatformAdmin: true }));
  return { id: user.id, email, token: await login(t, email) };
}

function systemActor(user: { id: string; email: string }): Actor {
  return { userId: user.id, email: user.email, name: 'system', isPlatformAdmin: true, sessionId: 'test', ip: null, requestId: 'test' };
}

/** A tenant with an owner who is signed in. */
export async function createTenant(t: TestApp, slug = `t-${rand()}`): Promise<TestTenant> {
  const ownerEmail = `owner-${rand()}@example.com`;
  const owner = await t.db.transaction((m) => t.app.get(UsersService).create(m, { email: ownerEmail, name: 'Owner', password: PASSWORD }));
  const tenant = await t.app.get(TenantsService).create(systemActor(owner), { slug, name: `Tenant ${slug}` });
  await t.app.get(MembersService).add({ ...systemActor(owner), tenantId: tenant.id, role: 'owner' }, { email: ownerEmail, role: 'owner' });
  return { id: tenant.id, slug, owner: { id: owner.id, email: ownerEmail, token: await login(t, ownerEmail) } };
}

/** A signed-in member of the tenant with the given role, added through the API by the owner. */
export async function addMember(t: TestApp, tenant: TestTenant, role: Role): Promise<TestUser> {
  const email = `${role}-${rand()}@example.com`;
  const res = await t.http().post('/api/v1/members').set(auth(tenant.owner.token, tenant.id)).send({ email, role, password: PASSWORD });
  if (res.status !== 201) throw new Error(`addMember failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.userId, email, token: await login(t, email) };
}

export async function login(t: TestApp, email: string, password = PASSWORD): Promise<string> {
  const res = await t.http().post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Headers for an admin request: the Bearer token and, when given, the tenant. */
export function auth(token: string, tenantId?: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, ...(tenantId ? { 'X-Tenant-Id': tenantId } : {}) };
}

export async function createGroup(t: TestApp, tenant: TestTenant, overrides: Record<string, unknown> = {}) {
  const res = await t
    .http()
    .post('/api/v1/groups')
    .set(auth(tenant.owner.token, tenant.id))
    .send({ name: `Group ${rand()}`, serverCode: `g-${rand()}`, ...overrides });
  if (res.status !== 201) throw new Error(`createGroup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; serverCode: string; name: string };
}

export async function builtinSourceId(t: TestApp, tenant: TestTenant): Promise<string> {
  const res = await t.http().get('/api/v1/sources').set(auth(tenant.owner.token, tenant.id));
  return (res.body.items as { id: string; kind: string }[]).find((s) => s.kind === 'builtin')!.id;
}

export async function createTool(t: TestApp, tenant: TestTenant, overrides: Record<string, unknown> = {}) {
  const res = await t
    .http()
    .post('/api/v1/tools')
    .set(auth(tenant.owner.token, tenant.id))
    .send({
      sourceId: await builtinSourceId(t, tenant),
      name: `tool_${rand()}`,
      description: 'A test tool',
      inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
      ...overrides,
    });
  if (res.status !== 201) throw new Error(`createTool failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

export async function createKey(t: TestApp, tenant: TestTenant, groupId: string, overrides: Record<string, unknown> = {}) {
  const res = await t.http().post(`/api/v1/groups/${groupId}/keys`).set(auth(tenant.owner.token, tenant.id)).send({ name: 'agent', ...overrides });
  if (res.status !== 201) throw new Error(`createKey failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { key: { id: string; prefix: string; last4: string }; plaintext: string };
}

/** A group serving the builtin `echo` tool, with one key: the smallest working MCP endpoint. */
export async function createEchoEndpoint(t: TestApp, tenant: TestTenant) {
  const group = await createGroup(t, tenant);
  const tools = await t.http().get('/api/v1/tools').set(auth(tenant.owner.token, tenant.id));
  const echo = (tools.body.items as { id: string; name: string }[]).find((x) => x.name === 'echo')!;
  const res = await t.http().put(`/api/v1/groups/${group.id}/tools/${echo.id}`).set(auth(tenant.owner.token, tenant.id)).send({});
  if (res.status !== 200) throw new Error(`assign echo failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { plaintext, key } = await createKey(t, tenant, group.id);
  return { group, key, plaintext };
}
