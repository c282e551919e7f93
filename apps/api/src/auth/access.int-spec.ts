// Every route of the running app, found by reflection: each declares an access rule, refuses anonymous
// callers and refuses the roles its rule leaves out, so a new or re-decorated route cannot slip through.
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { PERMISSIONS, Role, ROLES } from '@toolgate/contracts';
import { randomUUID } from 'node:crypto';
import { addMember, auth, createPlatformAdmin, createTenant, TestTenant, TestUser } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';
import { UsersService } from '../users/users.service';
import { ACCESS_RULE } from './access.decorators';
import type { AccessRule } from './access.types';
import { AuthService } from './auth.service';

interface Route {
  method: string;
  path: string;
  rule: AccessRule | undefined;
}

const id = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** The routes Nest mapped, read from the controllers' metadata exactly as the router and the guards read it. */
function discoverRoutes(t: TestApp): Route[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as Type;
    const prefixes = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '/');
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = controller.prototype[name];
      const paths: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, handler);
      if (paths === undefined) continue; // a plain method, not a route handler
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      // The same lookup AccessGuard and JwtAuthGuard make.
      const rule = reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [handler, controller]);
      for (const prefix of prefixes) {
        for (const path of ([] as string[]).concat(paths)) {
          const full = `/${[prefix, path].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
          routes.push({ method, path: full, rule });
        }
      }
    }
  }
  return routes.sort((a, b) => id(a).localeCompare(id(b)));
}

/** What Express itself will answer, to prove the reflection above saw every mounted route. */
function expressRoutes(t: TestApp): string[] {
  const router = t.app.getHttpAdapter().getInstance().router as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  return router.stack.flatMap((layer) => {
    const methods = Object.keys(layer.route?.methods ?? {});
    // Nest mounts route-scoped middleware (the request logger's "/{*path}") with app.all(), one layer for
    // every method; a controller handler is one layer with one method (no controller here uses @All).
    if (methods.length !== 1) return [];
    return [`${methods[0].toUpperCase()} ${layer.route!.path}`];
  });
}

/** Runs a check per case, a few at a time, and returns the failure messages in case order. */
async function failures<T>(cases: T[], check: (c: T) => Promise<string | null>, concurrency = 8): Promise<string[]> {
  const results: (string | null)[] = new Array(cases.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await check(cases[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results.filter((r): r is string => r !== null);
}

const PUBLIC_ALLOWLIST = ['GET /healthz', 'GET /readyz', 'POST /api/v1/auth/login'];
// Signed in but outside any tenant: a tenant route decorated like this would skip the membership check.
const AUTHENTICATED_ALLOWLIST = ['GET /api/v1/auth/me', 'GET /api/v1/tenants', 'GET /api/v1/tenants/:id', 'POST /api/v1/auth/logout'];
const PLATFORM_ADMIN_ROUTES = [
  'POST /api/v1/tenants',
  // What a stdio source may run on the gateway's machines is the platform's decision, not a tenant's.
  'GET /api/v1/platform/stdio-commands',
  'PUT /api/v1/platform/stdio-commands',
  'DELETE /api/v1/platform/stdio-commands/:command',
  // Usage across tenants.
  'GET /api/v1/platform/usage',
  // The ceiling a tenant cannot raise itself.
  'PATCH /api/v1/platform/tenants/:id',
];
// What an auditor may reach: the call log (explorer, detail, count, export), the dashboards' statistics, monthly usage, the audit trail.
const READ_LOGS_ROUTES = [
  'GET /api/v1/audit-events',
  'GET /api/v1/call-logs',
  'GET /api/v1/call-logs/:id',
  'GET /api/v1/call-logs/count',
  'GET /api/v1/call-logs/export',
  'GET /api/v1/call-logs/facets',
  'GET /api/v1/stats',
  'GET /api/v1/usage',
];
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/** Routes that, once let through, end the caller's session: the other checks keep using the caller's token. */
const ENDS_SESSION = new Set(['POST /api/v1/auth/logout']);

interface Caller {
  label: string;
  user: TestUser;
  /** The membership role in the tenant under test; null for callers who are not members. */
  role: Role | null;
  isPlatformAdmin: boolean;
}

describe('access rules of every admin route (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let routes: Route[];
  let callers: Record<'owner' | 'admin' | 'viewer' | 'auditor' | 'outsider' | 'root', Caller>;

  beforeAll(async () => {
    // Listening once saves supertest an ephemeral server per request: a few hundred requests follow.
    t = await createTestApp({ env: { LOGIN_IP_LIMIT_PER_MINUTE: '10000' }, listen: true });
    tenant = await createTenant(t);
    const [admin, viewer, auditor] = [await addMember(t, tenant, 'admin'), await addMember(t, tenant, 'viewer'), await addMember(t, tenant, 'auditor')];
    const other = await createTenant(t);
    callers = {
      owner: { label: 'owner', user: tenant.owner, role: 'owner', isPlatformAdmin: false },
      admin: { label: 'admin', user: admin, role: 'admin', isPlatformAdmin: false },
      viewer: { label: 'viewer', user: viewer, role: 'viewer', isPlatformAdmin: false },
      auditor: { label: 'auditor', user: auditor, role: 'auditor', isPlatformAdmin: false },
      // The owner of another tenant: signed in, but not a member of this one.
      outsider: { label: 'owner of another tenant', user: other.owner, role: null, isPlatformAdmin: false },
      root: { label: 'platform admin', user: await createPlatformAdmin(t), role: null, isPlatformAdmin: true },
    };
    routes = discoverRoutes(t);
  });
  afterAll(() => t.close());

  /** Calls the route with random UUIDs for its parameters and, where it takes one, an empty JSON body. */
  function call(route: Route, headers: Record<string, string> = {}) {
    const url = route.path.replace(/:[A-Za-z0-9_]+/g, () => randomUUID());
    const req = t.http()[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url).set(headers);
    return WITH_BODY.has(route.method) ? req.send({}) : req;
  }

  /** The caller's token; a route that ends the session it is called with gets a session of its own. */
  async function tokenFor(user: TestUser, route: Route): Promise<string> {
    if (!ENDS_SESSION.has(id(route))) return user.token;
    const found = await t.app.get(UsersService).findById(user.id);
    return (await t.app.get(AuthService).startSession(found!, { ip: null, userAgent: 'access.int-spec' })).token;
  }

  const mayPass = (c: Caller, rule: AccessRule): boolean => {
    if (rule.kind === 'public' || rule.kind === 'authenticated') return true;
    if (c.isPlatformAdmin) return true;
    if (rule.kind === 'platform-admin') return false;
    return c.role !== null && (PERMISSIONS[rule.permission] as readonly string[]).includes(c.role);
  };

  const nonPublic = () => routes.filter((r) => r.rule?.kind !== 'public');
  const ofKind = (kind: AccessRule['kind']) => routes.filter((r) => r.rule?.kind === kind).map(id);

  it('enumerates every route Express serves, and enough of them that the checks below cannot pass vacuously', () => {
    expect(routes.length).toBeGreaterThan(30);
    // Swagger's document routes are mounted on Express directly, outside any controller.
    const mounted = expressRoutes(t).filter((r) => !/ \/api\/docs/.test(r));
    expect(mounted.length).toBeGreaterThan(30);
    expect([...new Set(mounted)].sort()).toEqual(routes.map(id).sort());
    expect(new Set(routes.map(id)).size).toBe(routes.length);
  });

  it('tests the documented permission matrix', () => {
    expect(PERMISSIONS).toEqual({
      readConfig: ['owner', 'admin', 'viewer'],
      writeConfig: ['owner', 'admin'],
      readLogs: ['owner', 'admin', 'auditor'],
      manageTenant: ['owner'],
    });
  });

  it('gives every route an access rule', () => {
    expect(routes.filter((r) => !r.rule).map(id)).toEqual([]);
    for (const r of routes) expect(['public', 'authenticated', 'platform-admin', 'permission']).toContain(r.rule!.kind);
  });

  it('opens exactly the allowlisted routes to the public', () => {
    expect(ofKind('public').sort()).toEqual([...PUBLIC_ALLOWLIST].sort());
  });

  it('lets exactly the allowlisted routes skip the tenant check, and keeps tenant creation to platform admins', () => {
    expect(ofKind('authenticated').sort()).toEqual([...AUTHENTICATED_ALLOWLIST].sort());
    expect(ofKind('platform-admin').sort()).toEqual([...PLATFORM_ADMIN_ROUTES].sort());
    // Everything else needs a permission in the request's tenant.
    expect(ofKind('permission').length).toBe(routes.length - PUBLIC_ALLOWLIST.length - AUTHENTICATED_ALLOWLIST.length - PLATFORM_ADMIN_ROUTES.length);
  });

  it('never puts a change behind a read permission', () => {
    const writes = routes.filter((r) => r.rule?.kind === 'permission' && r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(15);
    const underRead = writes.filter((r) => r.rule?.kind === 'permission' && !['writeConfig', 'manageTenant'].includes(r.rule.permission));
    expect(underRead.map(id)).toEqual([]);
  });

  it('answers an anonymous call to every non-public route with 401 UNAUTHENTICATED', async () => {
    const anonymous: Record<string, string>[] = [{}, { 'X-Tenant-Id': tenant.id }, { Authorization: 'Bearer not-a-token', 'X-Tenant-Id': tenant.id }];
    const cases = nonPublic().flatMap((route) => anonymous.map((headers) => ({ route, headers })));
    const wrong = await failures(cases, async ({ route, headers }) => {
      const res = await call(route, headers);
      const ok = res.status === 401 && res.body?.error?.code === 'UNAUTHENTICATED' && /Bearer/.test(String(res.headers['www-authenticate']));
      return ok ? null : `${id(route)} ${JSON.stringify(headers)} -> ${res.status} ${JSON.stringify(res.body)}`;
    });
    expect(wrong).toEqual([]);
    expect(cases.length).toBeGreaterThan(90);
  });

  it('serves the public routes without a sign-in', async () => {
    const wrong = await failures(
      routes.filter((r) => r.rule?.kind === 'public'),
      async (route) => {
        const res = await call(route);
        return res.status === 401 || res.status === 403 || res.status >= 500 ? `${id(route)} -> ${res.status}` : null;
      },
    );
    expect(wrong).toEqual([]);
  });

  it('refuses with 403 FORBIDDEN every member whose role lacks the route’s permission', async () => {
    const cases = routes
      .filter((r) => r.rule?.kind === 'permission')
      .flatMap((route) => ROLES.filter((role) => !mayPass(callers[role], route.rule!)).map((role) => ({ route, role })));
    const wrong = await failures(cases, async ({ route, role }) => expectForbidden(route, callers[role]));
    expect(wrong).toEqual([]);
    // Viewers miss writeConfig, readLogs and manageTenant; auditors all but readLogs; admins manageTenant.
    expect(cases.length).toBeGreaterThan(30);
    expect(cases.filter((c) => c.role === 'auditor').length).toBe(ofKind('permission').length - READ_LOGS_ROUTES.length);
  });

  it('lets the auditor through only to the logs and to the routes any signed-in user has', async () => {
    const readLogs = routes.filter((r) => r.rule?.kind === 'permission' && r.rule.permission === 'readLogs').map(id);
    expect(readLogs.sort()).toEqual([...READ_LOGS_ROUTES].sort());
    const outcomes = await Promise.all(
      nonPublic().map(async (route) => {
        const res = await call(route, auth(await tokenFor(callers.auditor.user, route), tenant.id));
        return { route: id(route), status: res.status, code: res.body?.error?.code };
      }),
    );
    const passed = outcomes.filter((o) => o.status !== 403).map((o) => o.route);
    expect(passed.sort()).toEqual([...readLogs, ...AUTHENTICATED_ALLOWLIST].sort());
    expect(outcomes.filter((o) => o.status === 403 && o.code !== 'FORBIDDEN')).toEqual([]);
    expect(passed.filter((r) => outcomes.find((o) => o.route === r)!.status === 401)).toEqual([]);
  });

  it('refuses with 403 a signed-in user who is not a member of the named tenant, on every tenant route', async () => {
    const wrong = await failures(
      routes.filter((r) => r.rule?.kind === 'permission'),
      (route) => expectForbidden(route, callers.outsider),
    );
    expect(wrong).toEqual([]);
  });

  it('refuses platform-admin routes with 403 to every tenant role, the owner included', async () => {
    const cases = routes.filter((r) => r.rule?.kind === 'platform-admin').flatMap((route) => ROLES.map((role) => ({ route, role })));
    expect(cases.length).toBeGreaterThan(0);
    const wrong = await failures(cases, ({ route, role }) => expectForbidden(route, callers[role]));
    expect(wrong).toEqual([]);
  });

  it('lets every allowed caller past the guards (a 404 or 422 from random ids and empty bodies is fine)', async () => {
    const cases = nonPublic().flatMap((route) => Object.values(callers).filter((c) => mayPass(c, route.rule!)).map((caller) => ({ route, caller })));
    const wrong = await failures(cases, async ({ route, caller }) => {
      const res = await call(route, auth(await tokenFor(caller.user, route), tenant.id));
      return res.status === 401 || res.status === 403 || res.status >= 500 ? `${id(route)} as ${caller.label} -> ${res.status} ${JSON.stringify(res.body)}` : null;
    });
    expect(wrong).toEqual([]);
    expect(cases.length).toBeGreaterThan(100);
  });

  async function expectForbidden(route: Route, caller: Caller): Promise<string | null> {
    const res = await call(route, auth(caller.user.token, tenant.id));
    return res.status === 403 && res.body?.error?.code === 'FORBIDDEN' ? null : `${id(route)} as ${caller.label} -> ${res.status} ${JSON.stringify(res.body)}`;
  }
});
