// Upstream sources through the whole product (SECURITY 7, 21–25, 27): sources created and exposed with the admin
// API, called by a real MCP SDK Client through the gateway, against real upstreams on 127.0.0.1 (SDK servers over
// Streamable HTTP, stdio processes). Every wait is bounded.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, createGroup, createKey, createPlatformAdmin, createTenant, TestTenant } from '../../test/factories';
import { sessionClient } from '../../test/mcp-clients';
import { createTestApp, TestApp } from '../../test/test-app';
import { childPids, deadUrl, startTestUpstream, TestUpstream, TINY_SERVER, waitFor } from '../../test/upstreams';
import { UpstreamClientPool } from './upstream/upstream-client-pool';
import { captureLogs } from '../../test/capture-logs';

const UPSTREAM_SECRET = 'Bearer upstream-secret-XYZ';

type Result = CallToolResult & { isError?: boolean };

const text = (r: Result) => (r.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');

describe('upstream sources through the gateway (real upstreams on 127.0.0.1)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let group: { id: string; serverCode: string };
  let agentKey: string;
  let up: TestUpstream;
  let client: Client;
  const logs: string[] = [];
  let restoreStdout: () => void = () => undefined;
  let tmp: string;
  let tinyServer: string;
  let n = 0;

  const as = () => auth(tenant.owner.token, tenant.id);

  async function createSource(body: Record<string, unknown>) {
    const res = await t
      .http()
      .post('/api/v1/sources')
      .set(as())
      .send({ name: 'Upstream', namespace: `src_${++n}`, ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; namespace: string; status: string; lastError: string | null; toolCount: number };
  }

  /** Enables the source's tools named (upstream names), with `patch` applied, and puts them in the group. */
  async function expose(sourceId: string, names: string[], patch: Record<string, unknown> = {}): Promise<Record<string, string>> {
    const list = await t.http().get(`/api/v1/tools?sourceId=${sourceId}`).set(as());
    expect(list.status).toBe(200);
    const out: Record<string, string> = {};
    for (const name of names) {
      const tool = (list.body.items as Array<{ id: string; name: string; upstreamName: string }>).find((x) => x.upstreamName === name);
      if (!tool) throw new Error(`source ${sourceId} has no tool ${name}: ${JSON.stringify(list.body.items.map((x: { name: string }) => x.name))}`);
      const patched = await t.http().patch(`/api/v1/tools/${tool.id}`).set(as()).send({ enabled: true, ...patch });
      expect(patched.status).toBe(200);
      const put = await t.http().put(`/api/v1/groups/${group.id}/tools/${tool.id}`).set(as()).send({});
      expect(put.status).toBe(200);
      out[name] = tool.name;
    }
    return out;
  }

  const call = async (name: string, args: Record<string, unknown> = {}, c: Client = client) => (await c.callTool({ name, arguments: args })) as Result;
  const lastLog = async (toolName: string): Promise<{ outcome: string; error_code: string | null }> =>
    (await t.db.query(`SELECT outcome, error_code FROM call_logs WHERE tool_name = $1 ORDER BY created_at DESC LIMIT 1`, [toolName]))[0];
  const status = async (sourceId: string) => {
    const res = await t.http().get(`/api/v1/sources/${sourceId}/status`).set(as());
    expect(res.status).toBe(200);
    return res.body as { state: string; lastError: string | null; restarts: number; inFlight: number };
  };
  const pool = () => t.app.get(UpstreamClientPool);
  /** Child processes of this Jest worker started by this file (an earlier file's leftovers are not ours to count). */
  let before: Set<number>;
  const ownChildren = () => childPids().filter((pid) => !before.has(pid));

  beforeAll(async () => {
    before = new Set(childPids());
    restoreStdout = captureLogs(logs);
    t = await createTestApp({ listen: true, env: { LOG_LEVEL: 'debug' } });
    tenant = await createTenant(t);
    const allow = await t.http().patch('/api/v1/tenant').set(as()).send({ networkAllowlist: ['127.0.0.1'] });
    expect(allow.status).toBe(200);
    const admin = await createPlatformAdmin(t);
    const cmd = await t.http().put('/api/v1/platform/stdio-commands').set(auth(admin.token)).send({ command: process.execPath, description: 'node, for test upstreams' });
    expect(cmd.status).toBe(200);
    group = await createGroup(t, tenant);
    agentKey = (await createKey(t, tenant, group.id)).plaintext;
    up = await startTestUpstream({ faultTools: true });
    ({ client } = await sessionClient(t.url!, group.serverCode, agentKey));
    tmp = mkdtempSync(join(tmpdir(), 'toolgate-gateway-upstream-'));
    tinyServer = join(tmp, 'tiny-mcp-server.cjs');
    writeFileSync(tinyServer, TINY_SERVER);
  });

  afterAll(async () => {
    await client?.close();
    await t?.close();
    await up?.close();
    restoreStdout();
    rmSync(tmp, { recursive: true, force: true });
  });

  // ------------------------------------------------------------------------------------------------ stdio

  describe('stdio upstreams', () => {
    const stdioBody = (name = 'Tiny stdio') => ({ kind: 'mcp_stdio', name, config: { command: process.execPath, args: [tinyServer] } });

    it('a process killed mid-call: the agent gets a clear isError at once, the process is restarted and the next call works', async () => {
      const source = await createSource(stdioBody());
      try {
        await killedMidCall(source);
      } finally {
        expect((await t.http().delete(`/api/v1/sources/${source.id}`).set(as())).status).toBe(204);
      }
      await waitFor('the process stopped with its source', () => pool().status(source.id).pid === null && ownChildren().length === 0, 10_000);
    });

    async function killedMidCall(source: { id: string; status: string; toolCount: number }) {
      expect(source).toMatchObject({ status: 'healthy', toolCount: 2 });
      const tools = await expose(source.id, ['echo', 'hang']);
      expect(text(await call(tools.echo, { text: 'before' }))).toBe('tiny before');
      const pid = pool().status(source.id).pid!;
      expect(childPids()).toContain(pid);

      const pending = call(tools.hang);
      await waitFor('the hang call in flight', () => pool().status(source.id).inFlight === 1);
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      const result = await pending;
      expect(Date.now() - killedAt).toBeLessThan(2000);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/Tool "src_\d+__hang" failed: the Tiny stdio process exited \(signal SIGKILL\)/);
      expect(await lastLog(tools.hang)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_UNAVAILABLE' });

      // Restarted on next use (after the 1 s restart backoff), and that call works.
      expect(text(await call(tools.echo, { text: 'after' }))).toBe('tiny after');
      const restarted = pool().status(source.id).pid!;
      expect(restarted).not.toBe(pid);
      expect(childPids()).toContain(restarted);
      expect(childPids()).not.toContain(pid);
      // The status shows health now: the crash is history once a call succeeded again.
      expect(await status(source.id)).toMatchObject({ state: 'ready', restarts: 1, inFlight: 0, lastError: null });
    }

    it('50 create/delete cycles through the API leave no child process', async () => {
      await waitFor('no stdio process left from earlier tests', () => ownChildren().length === 0, 10_000);
      const cycle = async (i: number) => {
        const source = await createSource(stdioBody(`Cycle ${i}`));
        // Discovery on create started the process and listed its tools.
        expect(source).toMatchObject({ status: 'healthy', toolCount: 2 });
        expect(pool().status(source.id).pid).toEqual(expect.any(Number));
        expect((await t.http().delete(`/api/v1/sources/${source.id}`).set(as())).status).toBe(204);
      };
      let peak = 0;
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(Array.from({ length: 5 }, (_, i) => cycle(batch * 5 + i)));
        peak = Math.max(peak, ownChildren().length);
      }
      expect(peak).toBeLessThanOrEqual(5);
      await waitFor('every stdio process stopped', () => ownChildren().length === 0, 10_000);
      // SECURITY 27: every launch is logged.
      const launches = logs.map((l) => JSON.parse(l) as { msg?: string }).filter((l) => l.msg?.startsWith('launching stdio source "Cycle '));
      expect(launches).toHaveLength(50);
    });

    it('an unhealthy stdio source answers at once: one that cannot start, and one waiting out its restart backoff', async () => {
      const started = Date.now();
      const broken = await createSource({ kind: 'mcp_stdio', name: 'Broken stdio', config: { command: process.execPath, args: [join(tmp, 'missing.cjs')] } });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(broken).toMatchObject({ status: 'error', toolCount: 0 });
      expect(broken.lastError).toMatch(/the Broken stdio process exited \(code 1\) while starting/);
      expect((await t.http().delete(`/api/v1/sources/${broken.id}`).set(as())).status).toBe(204);

      // A process that keeps dying is restarted after a growing backoff (1 s, then 2 s); a call whose deadline ends
      // before the restart is answered at once, saying when the restart comes.
      const source = await createSource(stdioBody('Crashed stdio'));
      try {
        const tools = await expose(source.id, ['echo'], { timeoutSeconds: 1 });
        const crash = async () => {
          process.kill(pool().status(source.id).pid!, 'SIGKILL');
          await waitFor('the crash noticed', () => pool().status(source.id).pid === null && pool().status(source.id).state === 'failed');
        };
        await crash();
        await new Promise((r) => setTimeout(r, 1100));
        expect(text(await call(tools.echo, { text: 'restarted' }))).toBe('tiny restarted');
        await crash();
        const before = Date.now();
        const result = await call(tools.echo, { text: 'too soon' });
        expect(Date.now() - before).toBeLessThan(500);
        expect(result.isError).toBe(true);
        expect(text(result)).toMatch(/failed: the Crashed stdio process exited \(signal SIGKILL\); restarting in 2 s/);
        expect(await lastLog(tools.echo)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_UNAVAILABLE' });
      } finally {
        expect((await t.http().delete(`/api/v1/sources/${source.id}`).set(as())).status).toBe(204);
      }
      await waitFor('no stdio process left', () => ownChildren().length === 0, 10_000);
    });
  });

  // ------------------------------------------------------------------------------------------------ deadlines, breaker, health

  describe('deadlines, circuit breaker and unhealthy upstreams', () => {
    it("a hanging tool answers an error within its timeoutSeconds, and the cancellation reaches the upstream", async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Hanging CRM', config: { urls: [up.url] } });
      const tools = await expose(source.id, ['hang'], { timeoutSeconds: 1 });
      const cancelledBefore = up.cancelled.length;
      const started = Date.now();
      const result = await call(tools.hang);
      const elapsed = Date.now() - started;
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/did not finish within 1 s and was cancelled/);
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(2500);
      await waitFor('notifications/cancelled at the upstream', () => up.cancelled.length === cancelledBefore + 1, 3000);
      expect(await lastLog(tools.hang)).toEqual({ outcome: 'timeout', error_code: 'TIMEOUT' });
    });

    it('the breaker opens after consecutive failures (failing fast, naming the source), half-opens after breakerOpenSeconds and closes after a good probe', async () => {
      const source = await createSource({
        kind: 'mcp_http',
        name: 'Breaker CRM',
        config: { urls: [up.url], resilience: { breakerFailureThreshold: 2, breakerOpenSeconds: 1, maxRetries: 0 } },
      });
      const tools = await expose(source.id, ['write-flaky']);
      const name = tools['write-flaky'];
      const upstreamCalls = () => up.calls.get('write-flaky') ?? 0;
      expect(text(await call(name))).toBe('written');

      up.failCalls = true;
      try {
        for (let i = 0; i < 2; i++) {
          const failed = await call(name);
          expect(failed.isError).toBe(true);
          expect(text(failed)).toMatch(/Breaker CRM/);
        }
        const seen = upstreamCalls();
        const started = performance.now();
        const fast = await call(name);
        const elapsed = performance.now() - started;
        expect(fast.isError).toBe(true);
        expect(text(fast)).toMatch(/Source "Breaker CRM" is unavailable after repeated failures; retrying in 1 s/);
        // Refused by the open breaker: nothing went upstream, and the answer did not wait for anything.
        expect(upstreamCalls()).toBe(seen);
        expect(elapsed).toBeLessThan(250);
        expect(await lastLog(name)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_CIRCUIT_OPEN' });
        expect(await status(source.id)).toMatchObject({ state: 'open-circuit' });
      } finally {
        up.failCalls = false;
      }

      // After breakerOpenSeconds one probe goes through; it succeeds, so the breaker closes.
      await new Promise((r) => setTimeout(r, 1100));
      const seen = upstreamCalls();
      expect(text(await call(name))).toBe('written');
      expect(upstreamCalls()).toBe(seen + 1);
      expect(await status(source.id)).toMatchObject({ state: 'ready' });
      expect(text(await call(name))).toBe('written');
    });

    it('a failed half-open probe opens the breaker again', async () => {
      const source = await createSource({
        kind: 'mcp_http',
        name: 'Probe CRM',
        config: { urls: [up.url], resilience: { breakerFailureThreshold: 1, breakerOpenSeconds: 1, maxRetries: 0 } },
      });
      const name = (await expose(source.id, ['write-flaky']))['write-flaky'];
      up.failCalls = true;
      try {
        expect((await call(name)).isError).toBe(true);
        expect(text(await call(name))).toMatch(/Source "Probe CRM" is unavailable/);
        await new Promise((r) => setTimeout(r, 1100));
        const seen = up.calls.get('write-flaky') ?? 0;
        const probe = await call(name);
        expect(probe.isError).toBe(true);
        expect(text(probe)).not.toMatch(/is unavailable after repeated failures/);
        expect(up.calls.get('write-flaky')).toBe(seen + 1);
        expect(text(await call(name))).toMatch(/Source "Probe CRM" is unavailable after repeated failures/);
        expect(up.calls.get('write-flaky')).toBe(seen + 1);
      } finally {
        up.failCalls = false;
      }
    });

    it('an upstream that went away answers at once with an error naming the source, not a hang', async () => {
      const gone = await startTestUpstream();
      const source = await createSource({ kind: 'mcp_http', name: 'Vanishing CRM', config: { urls: [gone.url] } });
      const name = (await expose(source.id, ['echo']))['echo'];
      expect(text(await call(name, { text: 'hi' }))).toBe('echo: hi');
      await gone.close();
      const texts: string[] = [];
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const result = await call(name, { text: 'hi' });
        expect(Date.now() - started).toBeLessThan(1500);
        expect(result.isError).toBe(true);
        texts.push(text(result));
      }
      // Refused connections (retried: they never reached anything), then the breaker opens and answers without trying.
      expect(texts[0]).toMatch(/source "Vanishing CRM": Could not reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
      expect(texts[2]).toMatch(/Source "Vanishing CRM" is unavailable after repeated failures; retrying in \d+ s/);
      expect(await status(source.id)).toMatchObject({ state: 'open-circuit', lastError: expect.stringMatching(/Vanishing CRM/) });
    });

    it('malformed and oversized upstream responses become clear errors', async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Sloppy CRM', config: { urls: [up.url], resilience: { maxResponseBytes: 64 * 1024 } } });
      const tools = await expose(source.id, ['malformed', 'big']);

      const malformed = await call(tools.malformed);
      expect(malformed.isError).toBe(true);
      expect(text(malformed)).toMatch(/source "Sloppy CRM" sent a malformed result for tool "malformed" at content/);
      expect(await lastLog(tools.malformed)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_MALFORMED_RESPONSE' });

      const small = await call(tools.big, { bytes: 1000 });
      expect(small.isError).toBeFalsy();
      expect(text(small)).toHaveLength(1000);
      const big = await call(tools.big, { bytes: 200_000 });
      expect(big.isError).toBe(true);
      expect(text(big)).toMatch(/the response of tool "big" from source "Sloppy CRM" is \d+ bytes, over the 65536-byte limit/);
      expect(await lastLog(tools.big)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_RESPONSE_TOO_LARGE' });
      // Neither counts against the upstream's health: it answered.
      expect(text(await call(tools.big, { bytes: 10 }))).toBe('x'.repeat(10));
    });

    it('an answer far past the limit is cut off while it streams in, not read whole: memory stays bounded, the call fails at once as too large, the source stays usable (SECURITY 24)', async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Flooding CRM', config: { urls: [up.url], resilience: { maxResponseBytes: 16 * 1024 } } });
      const tools = await expose(source.id, ['big'], { timeoutSeconds: 10 });
      const started = Date.now();
      // 50 MB against a 16 KiB limit: the body cap (4 × limit + 64 KiB) stops reading after ~128 KiB and the call
      // fails there, long before its 10 s deadline. (Heap is not measured: the test upstream shares this process.)
      const flood = await call(tools.big, { bytes: 50_000_000 });
      const took = Date.now() - started;
      expect(flood.isError).toBe(true);
      expect(text(flood)).toMatch(/source "Flooding CRM": The response from http:\/\/127\.0\.0\.1:\d+\/mcp exceeded 131072 bytes/);
      expect(took).toBeLessThan(5_000);
      expect(await lastLog(tools.big)).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_RESPONSE_TOO_LARGE' });
      expect(text(await call(tools.big, { bytes: 10 }))).toBe('x'.repeat(10));
    });

    it('checks structured output against the tool’s output schema: a result that contradicts it is not passed on (SECURITY 24)', async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Typed CRM', config: { urls: [up.url] } });
      const tools = await expose(source.id, ['typed-liar']);
      const result = await call(tools['typed-liar']);
      expect(result.isError).toBe(true);
      expect(result).not.toHaveProperty('structuredContent');
      expect(text(result)).toMatch(/returned a result that does not match its output schema: .*count/);
      expect(await lastLog(tools['typed-liar'])).toEqual({ outcome: 'tool_error', error_code: 'OUTPUT_SCHEMA_MISMATCH' });
    });
  });

  // ------------------------------------------------------------------------------------------------ retries and failover

  describe('retries and replica failover', () => {
    it('retries a read-only tool whose call was cut off, and never repeats a write', async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Flaky CRM', config: { urls: [up.url] } });
      const tools = await expose(source.id, ['read-flaky', 'write-flaky']);

      const readsBefore = up.calls.get('read-flaky') ?? 0;
      up.dropNext.set('read-flaky', 1);
      const read = await call(tools['read-flaky']);
      expect(read.isError).toBeFalsy();
      expect(text(read)).toBe('read ok');
      expect(up.calls.get('read-flaky')).toBe(readsBefore + 2);

      const writesBefore = up.calls.get('write-flaky') ?? 0;
      up.dropNext.set('write-flaky', 1);
      const write = await call(tools['write-flaky']);
      expect(write.isError).toBe(true);
      expect(text(write)).toMatch(/Flaky CRM/);
      expect(up.calls.get('write-flaky')).toBe(writesBefore + 1);
      expect(await lastLog(tools['write-flaky'])).toEqual({ outcome: 'upstream_error', error_code: 'UPSTREAM_UNAVAILABLE' });
      // The upstream is fine: the next write goes through once.
      expect(text(await call(tools['write-flaky']))).toBe('written');
      expect(up.calls.get('write-flaky')).toBe(writesBefore + 2);
    });

    it('fails over from a dead replica: every call succeeds', async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Replicated CRM', config: { urls: [await deadUrl(), up.url] } });
      expect(source.status).toBe('healthy');
      const tools = await expose(source.id, ['echo', 'write-flaky']);
      for (let i = 0; i < 6; i++) expect(text(await call(tools.echo, { text: `r${i}` }))).toBe(`echo: r${i}`);
      // A write fails over too: the dead replica refused the connection, so the call never left.
      const writes = up.calls.get('write-flaky') ?? 0;
      for (let i = 0; i < 3; i++) expect(text(await call(tools['write-flaky']))).toBe('written');
      expect(up.calls.get('write-flaky')).toBe(writes + 3);
    });
  });

  // ------------------------------------------------------------------------------------------------ secrets and agent credentials

  describe("the source's secret and the agent's credentials", () => {
    let own: TestUpstream;
    beforeAll(async () => {
      own = await startTestUpstream();
    });
    afterAll(() => own.close());

    it('the upstream receives the secret header, which no admin answer, log line or call log holds; it never sees the agent key or headers', async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Secret CRM', config: { urls: [own.url], headers: { 'X-Tenant-Tag': 'acme' } }, secrets: { Authorization: UPSTREAM_SECRET } });
      expect(source.status).toBe('healthy');
      const tools = await expose(source.id, ['echo', 'read-flaky']);

      // Two agents on the same key: one sends it as Authorization, the other as X-API-Key; both add headers of their own.
      const agentHeaders = { 'X-Agent-Trace': 'agent-trace-4711', Cookie: 'agent_session=agent-cookie-0815' };
      const viaBearer = (await sessionClient(t.url!, group.serverCode, agentKey, agentHeaders)).client;
      const viaApiKey = (await sessionClient(t.url!, group.serverCode, null, { ...agentHeaders, 'X-API-Key': agentKey })).client;
      try {
        for (const c of [viaBearer, viaApiKey]) {
          expect(text(await call(tools.echo, { text: 'secret-test' }, c))).toBe('echo: secret-test');
          own.dropNext.set('read-flaky', 1); // an error path (cut off, retried) is logged too
          expect(text(await call(tools['read-flaky'], {}, c))).toBe('read ok');
        }
        // A refresh reconnects and lists again: those requests carry the secret as well.
        expect((await t.http().post(`/api/v1/sources/${source.id}/refresh`).set(as())).status).toBe(200);
      } finally {
        await viaBearer.close();
        await viaApiKey.close();
      }

      // What the upstream received: the source's headers on every request, nothing of the agents'.
      expect(own.requests.filter((r) => r.rpc === 'tools/call').length).toBeGreaterThanOrEqual(6);
      expect(own.requests.length).toBeGreaterThan(0);
      for (const r of own.requests) {
        expect(r.headers.authorization).toBe(UPSTREAM_SECRET);
        expect(r.headers['x-tenant-tag']).toBe('acme');
        expect(r.headers['x-api-key']).toBeUndefined();
        expect(r.headers['x-agent-trace']).toBeUndefined();
        expect(r.headers.cookie).toBeUndefined();
        const all = JSON.stringify(r.headers);
        expect(all).not.toContain(agentKey);
        expect(all).not.toContain(agentKey.split('_')[1]); // not even the key's public id
        expect(all).not.toMatch(/agent-trace-4711|agent-cookie-0815/);
      }

      // Nor did any other upstream of this file, though every agent here authenticates with that key.
      for (const r of up.requests) expect(JSON.stringify(r.headers)).not.toContain(agentKey);

      // Admin answers: the source, the list, its status, its tools, its audit trail.
      const answers = await Promise.all([
        t.http().get(`/api/v1/sources/${source.id}`).set(as()),
        t.http().get('/api/v1/sources').set(as()),
        t.http().get(`/api/v1/sources/${source.id}/status`).set(as()),
        t.http().get(`/api/v1/tools?sourceId=${source.id}`).set(as()),
        t.http().get(`/api/v1/tools/${(await t.http().get(`/api/v1/tools?sourceId=${source.id}`).set(as())).body.items[0].id}`).set(as()),
        t.http().get('/api/v1/audit-events').set(as()),
        t.http().get('/api/v1/call-logs').set(as()),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(200);
        expect(res.text).not.toContain('upstream-secret-XYZ');
      }
      expect(answers[0].body.secretNames).toEqual(['Authorization']);

      // The database's call logs, and every line the API logged (captured at debug level).
      const rows: { row: string }[] = await t.db.query(`SELECT c::text AS row FROM call_logs c`);
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const { row } of rows) expect(row).not.toContain('upstream-secret-XYZ');
      expect(logs.some((l) => l.includes('source tools refreshed'))).toBe(true);
      expect(logs.some((l) => l.includes('"level":20'))).toBe(true);
      expect(logs.length).toBeGreaterThan(50);
      const leaking = logs.filter((l) => l.includes('upstream-secret-XYZ') || l.includes(agentKey));
      expect(leaking).toEqual([]);
    });

    it("a stdio source's secret environment is logged by name only, and returned by no admin answer", async () => {
      const source = await createSource({
        kind: 'mcp_stdio',
        name: 'Env stdio',
        config: { command: process.execPath, args: [tinyServer], env: { PLAIN_SETTING: 'plain' } },
        secrets: { TINY_TOKEN: 'stdio-secret-value-77' },
      });
      try {
        expect(source.status).toBe('healthy');
        const launch = logs.map((l) => JSON.parse(l) as { msg?: string }).find((l) => l.msg?.startsWith('launching stdio source "Env stdio"'));
        expect(launch?.msg).toMatch(/env PLAIN_SETTING, TINY_TOKEN$/);
        const answers = await Promise.all([
          t.http().get(`/api/v1/sources/${source.id}`).set(as()),
          t.http().get(`/api/v1/sources/${source.id}/status`).set(as()),
          t.http().get('/api/v1/sources').set(as()),
        ]);
        for (const res of answers) expect(res.text).not.toContain('stdio-secret-value-77');
        expect(logs.filter((l) => l.includes('stdio-secret-value-77'))).toEqual([]);
      } finally {
        await t.http().delete(`/api/v1/sources/${source.id}`).set(as());
      }
    });
  });

  // ------------------------------------------------------------------------------------------------ progress and cancellation

  describe('progress and cancellation', () => {
    let tools: Record<string, string>;
    beforeAll(async () => {
      const source = await createSource({ kind: 'mcp_http', name: 'Progress CRM', config: { urls: [up.url] } });
      tools = await expose(source.id, ['progress', 'hang']);
    });

    it("passes the upstream's progress notifications to the client's onprogress", async () => {
      const events: Array<{ progress: number; total?: number; message?: string }> = [];
      const result = (await client.callTool({ name: tools.progress, arguments: {} }, undefined, { onprogress: (p) => void events.push(p) })) as Result;
      expect(text(result)).toBe('done');
      expect(events).toEqual([
        { progress: 1, total: 3, message: 'step 1' },
        { progress: 2, total: 3, message: 'step 2' },
        { progress: 3, total: 3, message: 'step 3' },
      ]);
    });

    it("a client's cancellation (AbortSignal) reaches the upstream", async () => {
      const cancelledBefore = up.cancelled.length;
      const hangsBefore = up.calls.get('hang') ?? 0;
      const controller = new AbortController();
      const pending = client.callTool({ name: tools.hang, arguments: {} }, undefined, { signal: controller.signal, timeout: 10_000 });
      await waitFor('the hang call at the upstream', () => (up.calls.get('hang') ?? 0) === hangsBefore + 1);
      controller.abort('the user pressed stop');
      await expect(pending).rejects.toThrow();
      await waitFor('notifications/cancelled at the upstream', () => up.cancelled.length === cancelledBefore + 1, 3000);
      let logged: { outcome: string } | undefined;
      const until = Date.now() + 3000;
      while (Date.now() < until && (logged = await lastLog(tools.hang))?.outcome !== 'cancelled') await new Promise((r) => setTimeout(r, 50));
      expect(logged).toMatchObject({ outcome: 'cancelled', error_code: 'CANCELLED' });
    });

    it('a client that disconnects mid-call cancels the upstream call', async () => {
      const { client: leaving, transport } = await sessionClient(t.url!, group.serverCode, agentKey);
      const cancelledBefore = up.cancelled.length;
      const hangsBefore = up.calls.get('hang') ?? 0;
      const pending = leaving.callTool({ name: tools.hang, arguments: {} }, undefined, { timeout: 10_000 }).catch((err: unknown) => err);
      await waitFor('the hang call at the upstream', () => (up.calls.get('hang') ?? 0) === hangsBefore + 1);
      await transport.close();
      await pending;
      await waitFor('notifications/cancelled at the upstream', () => up.cancelled.length === cancelledBefore + 1, 3000);
    });
  });
});
