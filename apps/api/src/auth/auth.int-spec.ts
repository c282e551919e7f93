import { createKey, createGroup, createTenant, PASSWORD, TestTenant } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';

describe('admin auth (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '600', LOGIN_IP_LIMIT_PER_MINUTE: '1000' } });
    tenant = await createTenant(t);
  });
  afterAll(() => t.close());

  it('signs in with the right password: JWT in an httpOnly SameSite cookie and in the body', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect(res.body.user.email).toBe(tenant.owner.email);
    expect(res.body.memberships).toEqual([expect.objectContaining({ tenantId: tenant.id, role: 'owner' })]);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^tg_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('accepts the cookie and the Bearer token alike', async () => {
    const agent = t.http();
    const login = await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: PASSWORD });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const viaCookie = await agent.get('/api/v1/auth/me').set('Cookie', cookie);
    expect(viaCookie.status).toBe(200);
    const viaBearer = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.token}`);
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body.user.id).toBe(viaCookie.body.user.id);
  });

  it('refuses a wrong password with 401 and a clear code, and does not reveal whether the email exists', async () => {
    const wrong = await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: 'nope-nope-nope' });
    const unknown = await t.http().post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.', requestId: expect.any(String) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    // A later correct sign-in resets the failure count.
    expect((await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: PASSWORD })).status).toBe(200);
  });

  it('locks the account after repeated failures, even for the right password, with Retry-After', async () => {
    const victim = await createTenant(t);
    for (let i = 0; i < 2; i++) {
      const r = await t.http().post('/api/v1/auth/login').send({ email: victim.owner.email, password: 'wrong-password' });
      expect(r.status).toBe(401);
    }
    const third = await t.http().post('/api/v1/auth/login').send({ email: victim.owner.email, password: 'wrong-password' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('ACCOUNT_LOCKED');
    const right = await t.http().post('/api/v1/auth/login').send({ email: victim.owner.email, password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(500);
    // After the lock ends, the right password works again.
    await t.db.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE lower(email) = lower($1)`, [victim.owner.email]);
    expect((await t.http().post('/api/v1/auth/login').send({ email: victim.owner.email, password: PASSWORD })).status).toBe(200);
  });

  it('logs out: the session ends server-side, so the same token is refused afterwards', async () => {
    const login = await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: PASSWORD });
    const token = login.body.token;
    const out = await t.http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${token}`);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/tg_session=;/);
    const after = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('rejects malformed login bodies with 422 naming the field, and unknown fields', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'not-an-email', password: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/email/);
    const extra = await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: PASSWORD, isPlatformAdmin: true });
    expect(extra.status).toBe(422);
    expect(extra.body.error.message).toMatch(/isPlatformAdmin/);
  });

  it('never accepts a tool-group API key on the admin API', async () => {
    const group = await createGroup(t, tenant);
    const { plaintext } = await createKey(t, tenant, group.id);
    for (const headers of [{ Authorization: `Bearer ${plaintext}` }, { 'X-API-Key': plaintext }]) {
      const res = await t.http().get('/api/v1/groups').set(headers).set('X-Tenant-Id', tenant.id);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/Bearer/);
    }
  });

  it('rejects a forged or tampered JWT', async () => {
    const login = await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: PASSWORD });
    const [h, p, s] = String(login.body.token).split('.');
    const tampered = `${h}.${p}.${s.slice(0, -2)}xx`;
    expect((await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${tampered}`)).status).toBe(401);
  });
});

describe('login throttle per address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_IP_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once an address exceeds its attempts per minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await t.http().post('/api/v1/auth/login').send({ email: 'x@example.com', password: 'whatever-1' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('login CSRF', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses a form-encoded sign-in (what a cross-site HTML form would send) with 415', async () => {
    const res = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/x-www-form-urlencoded').send('email=a%40b.c&password=x');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
