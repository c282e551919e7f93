// The pool against real upstreams on 127.0.0.1: @modelcontextprotocol/server-everything over stdio, and
// Streamable HTTP / legacy SSE servers built here with the SDK's McpServer. Every wait is bounded.
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids, deadUrl, EVERYTHING, startTestUpstream, TestUpstream, TINY_SERVER, waitFor } from '../../../test/upstreams';
import { isRetryableTool } from './retry-policy';
import { UpstreamClientPool } from './upstream-client-pool';
import { createUpstreamTransport, TransportFactory } from './upstream-transport';
import { ResilienceConfig, ResolvedSource, UpstreamError } from './upstream.types';

// ---------- helpers ----------

async function expectUpstreamError(promise: Promise<unknown>, code: UpstreamError['code']): Promise<UpstreamError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${code}, got a result`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  expect((err as UpstreamError).code).toBe(code);
  return err as UpstreamError;
}

function stdioSource(
  extra: { resilience?: ResilienceConfig; idleStopSeconds?: number; secrets?: Record<string, string>; env?: Record<string, string>; script?: string } = {},
): ResolvedSource {
  return {
    id: randomUUID(),
    tenantId: 'tenant-1',
    kind: 'mcp_stdio',
    namespace: extra.script ? 'tiny' : 'everything',
    config: { command: process.execPath, args: extra.script ? [extra.script] : [EVERYTHING, 'stdio'], env: extra.env, idleStopSeconds: extra.idleStopSeconds, resilience: extra.resilience },
    secrets: extra.secrets ?? {},
    networkAllowlist: [],
  };
}

function remoteSource(urls: string[], extra: { kind?: 'mcp_http' | 'mcp_sse'; resilience?: ResilienceConfig; selection?: 'round-robin' | 'least-in-flight' } = {}): ResolvedSource {
  return {
    id: randomUUID(),
    tenantId: 'tenant-1',
    kind: extra.kind ?? 'mcp_http',
    namespace: 'remote',
    name: 'Remote CRM',
    config: { urls, selection: extra.selection, headers: { 'X-Tenant-Tag': 'acme' }, resilience: extra.resilience },
    secrets: { 'X-Upstream-Token': 'upstream-secret-123' },
    networkAllowlist: ['127.0.0.1'],
  };
}

const signal = () => new AbortController().signal;

// ---------- stdio: server-everything ----------

describe('UpstreamClientPool over stdio (server-everything)', () => {
  let pool: UpstreamClientPool;
  let transportFactory: jest.MockedFunction<TransportFactory>;
  let baseline: number[];
  let tmp: string;
  let tinyServer: string;

  beforeAll(() => {
    baseline = childPids();
    tmp = mkdtempSync(join(tmpdir(), 'toolgate-upstream-'));
    tinyServer = join(tmp, 'tiny-mcp-server.cjs');
    writeFileSync(tinyServer, TINY_SERVER);
  });

  beforeEach(() => {
    transportFactory = jest.fn(createUpstreamTransport);
    pool = new UpstreamClientPool({ transportFactory });
  });

  afterEach(async () => {
    await pool.onApplicationShutdown();
  });

  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await waitFor('no child process left', () => childPids().length === baseline.length);
  });

  it('lists its tools (every page) and calls echo', async () => {
    const source = stdioSource();
    const tools = await pool.listTools(source);
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-env', 'get-sum', 'trigger-long-running-operation']));
    const echo = tools.find((t) => t.name === 'echo')!;
    expect(echo.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } });
    expect(isRetryableTool(echo)).toBe(true);

    const result = await pool.callTool(source, 'echo', { message: 'hello' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(result).toEqual({ content: [{ type: 'text', text: 'Echo: hello' }] });
    expect(pool.status(source.id)).toMatchObject({ state: 'ready', inFlight: 0, lastError: null, restarts: 0 });
    expect(pool.status(source.id).p50Ms).toEqual(expect.any(Number));
  });

  it('reuses one client (one transport, one process) for 20 calls', async () => {
    const source = stdioSource();
    const before = childPids().length;
    for (let i = 0; i < 20; i++) {
      const result = await pool.callTool(source, 'echo', { message: `m${i}` }, { signal: signal(), retryable: true, timeoutMs: 5000 });
      expect(result.content[0]).toEqual({ type: 'text', text: `Echo: m${i}` });
    }
    await Promise.all(Array.from({ length: 5 }, (_, i) => pool.callTool(source, 'echo', { message: `p${i}` }, { signal: signal(), retryable: true, timeoutMs: 5000 })));
    expect(transportFactory).toHaveBeenCalledTimes(1);
    expect(childPids().length).toBe(before + 1);
  });

  it('passes env and secret env to the process, nothing else of the gateway, and logs stderr at debug with secrets masked', async () => {
    const debug = jest.spyOn(Logger.prototype, 'debug');
    process.env.TOOLGATE_TEST_GATEWAY_ONLY = 'gateway-private';
    try {
      const source = stdioSource({ env: { PLAIN_SETTING: 'plain' }, secrets: { UPSTREAM_API_TOKEN: 'sekrit-token-42' } });
      const result = await pool.callTool(source, 'get-env', {}, { signal: signal(), retryable: true, timeoutMs: 5000 });
      const env = JSON.parse((result.content[0] as { text: string }).text) as Record<string, string>;
      expect(env.PLAIN_SETTING).toBe('plain');
      expect(env.UPSTREAM_API_TOKEN).toBe('sekrit-token-42');
      expect(env.TOOLGATE_TEST_GATEWAY_ONLY).toBeUndefined();
      expect(env.TEST_DATABASE_URL).toBeUndefined();
      await waitFor('stderr logged', () => debug.mock.calls.some(([m]) => String(m).includes('[everything stderr] Starting default (STDIO) server')));
      expect(debug.mock.calls.some(([m]) => String(m).includes('sekrit-token-42'))).toBe(false);
    } finally {
      delete process.env.TOOLGATE_TEST_GATEWAY_ONLY;
      debug.mockRestore();
    }
  });

  it('passes progress notifications to onProgress', async () => {
    const source = stdioSource();
    const progress: Array<[number, number | undefined]> = [];
    const result = await pool.callTool(
      source,
      'trigger-long-running-operation',
      { duration: 0.3, steps: 3 },
      { signal: signal(), retryable: true, timeoutMs: 5000, onProgress: (p, total) => progress.push([p, total]) },
    );
    expect(result.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('completed') });
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('a process killed mid-call fails that call at once with UNAVAILABLE; the next call restarts it', async () => {
    const source = stdioSource();
    await pool.callTool(source, 'echo', { message: 'warm' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    const pid = pool.status(source.id).pid!;
    expect(pid).toEqual(expect.any(Number));

    const call = pool.callTool(source, 'trigger-long-running-operation', { duration: 10, steps: 10 }, { signal: signal(), retryable: false, timeoutMs: 20_000 });
    await waitFor('call in flight', () => pool.status(source.id).inFlight === 1);
    await new Promise((r) => setTimeout(r, 100));
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const err = await expectUpstreamError(call, 'UNAVAILABLE');
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(err.message).toBe('the everything process exited (signal SIGKILL); restarting');
    expect(pool.status(source.id)).toMatchObject({ state: 'failed', lastError: 'the everything process exited (signal SIGKILL); restarting' });

    // Restarted on next use, after the first backoff step (1 s).
    const startedAt = Date.now();
    const result = await pool.callTool(source, 'echo', { message: 'again' }, { signal: signal(), retryable: true, timeoutMs: 10_000 });
    expect(result.content[0]).toEqual({ type: 'text', text: 'Echo: again' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(800);
    const status = pool.status(source.id);
    expect(status).toMatchObject({ state: 'ready', restarts: 1 });
    expect(status.pid).not.toBe(pid);
    expect(transportFactory).toHaveBeenCalledTimes(2);
  });

  it('a call whose deadline ends before the restart backoff fails fast, saying when it restarts', async () => {
    const source = stdioSource();
    await pool.callTool(source, 'echo', { message: 'warm' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    process.kill(pool.status(source.id).pid!, 'SIGKILL');
    await waitFor('exit noticed', () => pool.status(source.id).state === 'failed');
    const started = Date.now();
    const err = await expectUpstreamError(pool.callTool(source, 'echo', { message: 'x' }, { signal: signal(), retryable: false, timeoutMs: 300 }), 'UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(100);
    expect(err.notSent).toBe(true);
    expect(err.message).toMatch(/^the everything process exited \(signal SIGKILL\); restarting in 1 s$/);
  });

  it('stops the process after idleStopSeconds without calls, and starts it again on the next call', async () => {
    const source = stdioSource({ idleStopSeconds: 0.3 });
    const before = childPids().length;
    await pool.callTool(source, 'echo', { message: 'a' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(childPids().length).toBe(before + 1);
    await waitFor('idle stop', () => pool.status(source.id).state === 'idle' && childPids().length === before, 5000);
    const result = await pool.callTool(source, 'echo', { message: 'b' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(result.content[0]).toEqual({ type: 'text', text: 'Echo: b' });
    expect(pool.status(source.id).restarts).toBe(0);
  });

  async function createAndRelease(source: ResolvedSource, args: Record<string, unknown>): Promise<void> {
    await pool.callTool(source, 'echo', args, { signal: signal(), retryable: true, timeoutMs: 15_000 });
    expect(pool.status(source.id).pid).toEqual(expect.any(Number));
    await pool.release(source.id);
    expect(pool.status(source.id)).toMatchObject({ state: 'idle', pid: null });
  }

  it('50 create/release cycles leave no child process behind', async () => {
    const before = childPids().length;
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 10 }, () => createAndRelease(stdioSource({ script: tinyServer }), { text: 'x' })));
    }
    expect(transportFactory).toHaveBeenCalledTimes(50);
    expect(childPids().length).toBe(before);
    // And with the real server (slower to start, so fewer rounds).
    for (let round = 0; round < 2; round++) {
      await Promise.all(Array.from({ length: 4 }, () => createAndRelease(stdioSource(), { message: 'x' })));
    }
    expect(childPids().length).toBe(before);
  });

  it('starts startOnBoot sources at boot and keeps them up without an explicit idle stop', async () => {
    const before = childPids().length;
    const boot = stdioSource({ script: tinyServer });
    (boot.config as { startOnBoot?: boolean }).startOnBoot = true;
    const lazy = stdioSource({ script: tinyServer });
    await pool.startAtBoot([boot, lazy]);
    expect(pool.status(boot.id)).toMatchObject({ state: 'ready', pid: expect.any(Number) });
    expect(pool.status(lazy.id).state).toBe('idle');
    expect(childPids().length).toBe(before + 1);
    const result = await pool.callTool(boot, 'echo', { text: 'booted' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(result.content[0]).toEqual({ type: 'text', text: 'tiny booted' });
    expect(transportFactory).toHaveBeenCalledTimes(1);
  });

  it('is a Nest provider whose processes stop when the application shuts down', async () => {
    const before = childPids().length;
    const moduleRef = await Test.createTestingModule({ providers: [UpstreamClientPool] }).compile();
    const nestPool = moduleRef.get(UpstreamClientPool);
    await nestPool.callTool(stdioSource({ script: tinyServer }), 'echo', { text: 'nest' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(childPids().length).toBe(before + 1);
    await moduleRef.close();
    await waitFor('process stopped', () => childPids().length === before, 3000);
  });

  it('release during an in-flight call ends it without a restart (even for a retryable call); shutdown closes everything', async () => {
    const before = childPids().length;
    const a = stdioSource();
    const b = stdioSource();
    await pool.callTool(a, 'echo', { message: 'a' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    await pool.callTool(b, 'echo', { message: 'b' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(childPids().length).toBe(before + 2);
    const call = pool.callTool(a, 'trigger-long-running-operation', { duration: 10, steps: 10 }, { signal: signal(), retryable: true, timeoutMs: 20_000 });
    await waitFor('call in flight', () => pool.status(a.id).inFlight === 1);
    await pool.release(a.id);
    await expectUpstreamError(call, 'UNAVAILABLE');
    await new Promise((r) => setTimeout(r, 300));
    expect(childPids().length).toBe(before + 1);
    expect(transportFactory).toHaveBeenCalledTimes(2);
    await pool.onApplicationShutdown();
    await waitFor('all children gone', () => childPids().length === before, 2000);
    await expectUpstreamError(pool.callTool(b, 'echo', { message: 'late' }, { signal: signal(), retryable: true, timeoutMs: 1000 }), 'UNAVAILABLE');
  });
});

// ---------- remote: Streamable HTTP and legacy SSE ----------

describe('UpstreamClientPool over HTTP', () => {
  let upstream: TestUpstream;
  let pool: UpstreamClientPool;
  let transportFactory: jest.MockedFunction<TransportFactory>;

  beforeAll(async () => {
    upstream = await startTestUpstream();
  });

  afterAll(async () => {
    await upstream.close();
  });

  beforeEach(() => {
    upstream.failCalls = false;
    upstream.dropNext.clear();
    upstream.calls.clear();
    upstream.cancelled.length = 0;
    upstream.paginate = false;
    transportFactory = jest.fn(createUpstreamTransport);
    pool = new UpstreamClientPool({ transportFactory, retryBaseDelayMs: 10 });
  });

  afterEach(async () => {
    await pool.onApplicationShutdown();
  });

  it('lists and calls tools over Streamable HTTP with the source headers and secrets, never the caller credentials', async () => {
    const source = remoteSource([upstream.url]);
    upstream.requests.length = 0;
    const tools = await pool.listTools(source);
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'hang', 'progress', 'big', 'write-flaky']));
    const result = await pool.callTool(source, 'echo', { text: 'hi' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(result).toEqual({ content: [{ type: 'text', text: 'echo: hi' }] });
    for (let i = 0; i < 5; i++) await pool.callTool(source, 'echo', { text: `${i}` }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(transportFactory).toHaveBeenCalledTimes(1);

    const posts = upstream.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(8);
    for (const r of upstream.requests) {
      expect(r.headers['x-upstream-token']).toBe('upstream-secret-123');
      expect(r.headers['x-tenant-tag']).toBe('acme');
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-api-key']).toBeUndefined();
      expect(r.headers.cookie).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toContain('tg_');
    }
  });

  it('follows nextCursor through every page', async () => {
    upstream.paginate = true;
    const tools = await pool.listTools(remoteSource([upstream.url]));
    expect(tools.map((t) => t.name)).toEqual(['p1-a', 'p1-b', 'p2-a', 'p3-a']);
  });

  it('works over legacy SSE too', async () => {
    const source = remoteSource([upstream.sseUrl], { kind: 'mcp_sse' });
    upstream.requests.length = 0;
    expect((await pool.listTools(source)).map((t) => t.name)).toContain('echo');
    const result = await pool.callTool(source, 'echo', { text: 'sse' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(result.content[0]).toEqual({ type: 'text', text: 'echo: sse' });
    expect(upstream.requests.length).toBeGreaterThan(0);
    for (const r of upstream.requests) expect(r.headers['x-upstream-token']).toBe('upstream-secret-123');
  });

  it('a hanging tool fails at the deadline with TIMEOUT and the upstream sees the cancellation', async () => {
    const source = remoteSource([upstream.url]);
    const started = Date.now();
    const err = await expectUpstreamError(pool.callTool(source, 'hang', {}, { signal: signal(), retryable: false, timeoutMs: 400 }), 'TIMEOUT');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(1500);
    expect(err.message).toContain('within 400 ms');
    await waitFor('upstream cancellation', () => upstream.cancelled.length === 1, 3000);
    // The connection stays usable.
    expect((await pool.callTool(source, 'echo', { text: 'after' }, { signal: signal(), retryable: true, timeoutMs: 5000 })).content[0]).toEqual({ type: 'text', text: 'echo: after' });
  });

  it('the caller aborting its signal cancels upstream (CANCELLED)', async () => {
    const source = remoteSource([upstream.url]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    await expectUpstreamError(pool.callTool(source, 'hang', {}, { signal: controller.signal, retryable: true, timeoutMs: 5000 }), 'CANCELLED');
    await waitFor('upstream cancellation', () => upstream.cancelled.length === 1, 3000);
    expect(upstream.calls.get('hang')).toBe(1);
  });

  it('retries a read-only tool on a failure that may have reached the upstream, never a write', async () => {
    const source = remoteSource([upstream.url]);
    const tools = await pool.listTools(source);
    const retryable = (name: string) => isRetryableTool(tools.find((t) => t.name === name)!);
    expect(retryable('read-flaky')).toBe(true);
    expect(retryable('write-flaky')).toBe(false);

    upstream.dropNext.set('read-flaky', 1);
    const read = await pool.callTool(source, 'read-flaky', {}, { signal: signal(), retryable: retryable('read-flaky'), timeoutMs: 5000 });
    expect(read.content[0]).toEqual({ type: 'text', text: 'read ok' });
    expect(upstream.calls.get('read-flaky')).toBe(2);

    upstream.dropNext.set('write-flaky', 1);
    const err = await expectUpstreamError(pool.callTool(source, 'write-flaky', {}, { signal: signal(), retryable: retryable('write-flaky'), timeoutMs: 5000 }), 'UNAVAILABLE');
    expect(err.notSent).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(upstream.calls.get('write-flaky')).toBe(1);
  });

  it('opens the breaker after N failures, fails fast, and closes after one successful half-open probe', async () => {
    const source = remoteSource([upstream.url], { resilience: { breakerFailureThreshold: 3, breakerOpenSeconds: 0.5, maxRetries: 0 } });
    await pool.listTools(source);
    upstream.failCalls = true;
    for (let i = 0; i < 3; i++) await expectUpstreamError(pool.callTool(source, 'echo', { text: 'x' }, { signal: signal(), retryable: false, timeoutMs: 2000 }), 'UNAVAILABLE');
    expect(upstream.calls.get('echo')).toBe(3);
    expect(pool.status(source.id).state).toBe('open-circuit');

    const started = performance.now();
    const err = await expectUpstreamError(pool.callTool(source, 'echo', { text: 'x' }, { signal: signal(), retryable: true, timeoutMs: 2000 }), 'CIRCUIT_OPEN');
    expect(performance.now() - started).toBeLessThan(50);
    expect(err.message).toBe('Source "Remote CRM" is unavailable after repeated failures; retrying in 1 s');
    expect(err.notSent).toBe(true);
    expect(upstream.calls.get('echo')).toBe(3);

    upstream.failCalls = false;
    await new Promise((r) => setTimeout(r, 550));
    // Exactly one probe goes through; a concurrent call still fails fast.
    const probe = pool.callTool(source, 'slow-echo', { text: 'probe' }, { signal: signal(), retryable: false, timeoutMs: 2000 });
    await expectUpstreamError(pool.callTool(source, 'echo', { text: 'other' }, { signal: signal(), retryable: false, timeoutMs: 2000 }), 'CIRCUIT_OPEN');
    expect((await probe).content[0]).toEqual({ type: 'text', text: 'echo: probe' });
    expect(pool.status(source.id).state).toBe('ready');
    expect((await pool.callTool(source, 'echo', { text: 'closed' }, { signal: signal(), retryable: false, timeoutMs: 2000 })).content[0]).toEqual({ type: 'text', text: 'echo: closed' });
  });

  it('fails over from a dead replica to the live one, even for writes (the dead one was never reached)', async () => {
    const source = remoteSource([await deadUrl(), upstream.url], { resilience: { breakerFailureThreshold: 2, breakerOpenSeconds: 30 } });
    for (let i = 0; i < 6; i++) {
      const result = await pool.callTool(source, 'write-flaky', {}, { signal: signal(), retryable: false, timeoutMs: 5000 });
      expect(result.content[0]).toEqual({ type: 'text', text: 'written' });
    }
    expect(upstream.calls.get('write-flaky')).toBe(6);
    expect(pool.status(source.id).state).toBe('ready');
    // The dead replica's breaker opened after two refused connects: it is no longer tried.
    const creations = transportFactory.mock.calls.filter(([ctx]) => ctx.target.kind === 'remote' && ctx.target.url !== upstream.url).length;
    expect(creations).toBe(2);
  });

  it('least-in-flight spreads concurrent calls over live replicas', async () => {
    const second = await startTestUpstream();
    const source = remoteSource([upstream.url, second.url], { selection: 'least-in-flight' });
    try {
      await Promise.all(Array.from({ length: 6 }, (_, i) => pool.callTool(source, 'slow-echo', { text: `${i}` }, { signal: signal(), retryable: true, timeoutMs: 5000 })));
      expect(upstream.calls.get('slow-echo')).toBe(3);
      expect(second.calls.get('slow-echo')).toBe(3);
    } finally {
      await pool.release(source.id);
      await second.close();
    }
  });

  it('passes progress notifications to onProgress', async () => {
    const progress: Array<[number, number | undefined, string | undefined]> = [];
    const result = await pool.callTool(remoteSource([upstream.url]), 'progress', {}, {
      signal: signal(),
      retryable: false,
      timeoutMs: 5000,
      onProgress: (p, total, message) => progress.push([p, total, message]),
    });
    expect(result.content[0]).toEqual({ type: 'text', text: 'done' });
    expect(progress).toEqual([
      [1, 3, 'step 1'],
      [2, 3, 'step 2'],
      [3, 3, 'step 3'],
    ]);
  });

  it('refuses an oversized result with RESPONSE_TOO_LARGE and a malformed one with MALFORMED_RESPONSE', async () => {
    const source = remoteSource([upstream.url], { resilience: { maxResponseBytes: 50_000 } });
    expect((await pool.callTool(source, 'big', { bytes: 10_000 }, { signal: signal(), retryable: true, timeoutMs: 5000 })).content[0]).toMatchObject({ type: 'text' });
    const big = await expectUpstreamError(pool.callTool(source, 'big', { bytes: 100_000 }, { signal: signal(), retryable: true, timeoutMs: 5000 }), 'RESPONSE_TOO_LARGE');
    expect(big.message).toMatch(/over the 50000-byte limit/);
    expect(upstream.calls.get('big')).toBe(2);
    const bad = await expectUpstreamError(pool.callTool(source, 'malformed', {}, { signal: signal(), retryable: true, timeoutMs: 5000 }), 'MALFORMED_RESPONSE');
    expect(bad.message).toContain('content');
  });

  it('a JSON-RPC error from the upstream is UPSTREAM_ERROR, not retried, and does not trip the breaker', async () => {
    const source = remoteSource([upstream.url], { resilience: { breakerFailureThreshold: 2 } });
    await pool.listTools(source);
    for (let i = 0; i < 3; i++) {
      const result = await pool.callTool(source, 'no-such-tool', {}, { signal: signal(), retryable: true, timeoutMs: 5000 }).catch((e: unknown) => e);
      // The SDK server reports an unknown tool as an isError result; either way it is not a health failure.
      if (result instanceof UpstreamError) expect(result.code).toBe('UPSTREAM_ERROR');
      else expect(result).toMatchObject({ isError: true });
    }
    expect(pool.status(source.id).state).toBe('ready');
  });

  it('fires onToolsChanged when the upstream sends tools/list_changed', async () => {
    const source = remoteSource([upstream.url]);
    const changed: string[] = [];
    pool.onToolsChanged((id) => changed.push(id));
    await pool.listTools(source);
    // The client opens its standalone GET stream right after initialize; give it a moment to be there.
    await waitFor('GET stream', () => upstream.requests.some((r) => r.method === 'GET' && r.headers['x-upstream-token'] === 'upstream-secret-123'), 3000);
    const deadline = Date.now() + 5000;
    while (!changed.includes(source.id) && Date.now() < deadline) {
      for (const s of upstream.servers) if (s.isConnected()) s.sendToolListChanged();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(changed).toContain(source.id);
  });

  it('uses the injected fetch factory with the tenant allowlist', async () => {
    const allowlists: string[][] = [];
    let fetches = 0;
    const close = jest.fn();
    pool.useFetchFactory((allowlist) => {
      allowlists.push(allowlist);
      return Object.assign(
        (url: string | URL, init?: RequestInit) => {
          fetches++;
          return fetch(url, init);
        },
        { close },
      );
    });
    const source = remoteSource([upstream.url]);
    await pool.callTool(source, 'echo', { text: 'guarded' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    await pool.callTool(source, 'echo', { text: 'again' }, { signal: signal(), retryable: true, timeoutMs: 5000 });
    expect(allowlists).toEqual([['127.0.0.1']]);
    expect(fetches).toBeGreaterThanOrEqual(3);
    await pool.release(source.id);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('a refusal from the guarded fetch is REFUSED_ADDRESS, never retried', async () => {
    let fetches = 0;
    pool.useFetchFactory(() => async () => {
      fetches++;
      throw Object.assign(new Error('169.254.169.254 is a link-local address'), { code: 'REFUSED_ADDRESS' });
    });
    const source = remoteSource(['http://metadata.test/mcp']);
    await expectUpstreamError(pool.callTool(source, 'echo', { text: 'x' }, { signal: signal(), retryable: true, timeoutMs: 5000 }), 'REFUSED_ADDRESS');
    expect(fetches).toBe(1);
  });
});
