// Stdio sources marked startOnBoot are started at boot, the others only on first use.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createPlatformAdmin, createTenant, TestTenant } from '../../test/factories';
import { createTestApp, TestApp } from '../../test/test-app';
import { TINY_SERVER, waitFor } from '../../test/upstreams';
import { StdioBootStarter } from './source-boot';
import { UpstreamClientPool } from './upstream/upstream-client-pool';

describe('stdio sources at boot (real PostgreSQL, real processes)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let dir: string;
  let script: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'toolgate-boot-'));
    script = join(dir, 'tiny.cjs');
    writeFileSync(script, TINY_SERVER);
    t = await createTestApp();
    tenant = await createTenant(t);
    const root = await createPlatformAdmin(t);
    const allowed = await t.http().put('/api/v1/platform/stdio-commands').set(auth(root.token)).send({ command: process.execPath });
    expect(allowed.status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = async (namespace: string, startOnBoot: boolean) => {
    const res = await t
      .http()
      .post('/api/v1/sources')
      .set(auth(tenant.owner.token, tenant.id))
      .send({ kind: 'mcp_stdio', name: namespace, namespace, config: { command: process.execPath, args: [script], startOnBoot } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'healthy', lastError: null });
    return res.body.id as string;
  };

  it('starts only the sources marked startOnBoot', async () => {
    const pool = t.app.get(UpstreamClientPool);
    const eager = await create('eager', true);
    const lazy = await create('lazy', false);
    // Discovery at creation started both; a fresh boot starts from nothing.
    await pool.release(eager);
    await pool.release(lazy);
    expect(pool.status(eager).pid).toBeNull();

    await t.app.get(StdioBootStarter).start();
    await waitFor('the eager source to run', () => pool.status(eager).pid !== null && pool.status(eager).state === 'ready');
    expect(pool.status(lazy)).toMatchObject({ state: 'idle', pid: null });
  });
});
