// SECURITY 25, "after 10,000 requests heap and open handles are flat": ordinary traffic in every era (2026-07-28
// calls, 2025 session calls and lists, sessions opened and ended, calls whose client hangs up mid-way), measured
// after a warm-up and after the 10,000, each time after a forced GC.
import http from 'node:http';
import { auth, createGroup, createKey, createTenant } from '../../test/factories';
import { BOTH, modernHeaders, modernRequest, withConcurrency } from '../../test/mcp-raw';
import { createTestApp, TestApp } from '../../test/test-app';
import { SESSION_STORE } from './sessions/session-store';

const REQUESTS = 10_000;
const WARM_UP = 1_000;
const CONCURRENCY = 8;
const HEAP_BOUND_MB = 30;
/** Handles that may come and go between two quiet moments (pool connections, a timer). */
const HANDLE_SLACK = 12;

type Json = Record<string, any>;

describe(`${REQUESTS} ordinary MCP requests (SECURITY 25)`, () => {
  let t: TestApp;
  let url: string;
  let key: string;
  let session: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { MCP_AUTH_LOOKUP_TIMEOUT_MS: '30000' } });
    const tenant = await createTenant(t);
    const admin = auth(tenant.owner.token, tenant.id);
    const g = await createGroup(t, tenant);
    const echo = ((await t.http().get('/api/v1/tools').set(admin).expect(200)).body.items as Json[]).find((x) => x.name === 'echo')!;
    await t.http().put(`/api/v1/groups/${g.id}/tools/${echo.id}`).set(admin).send({}).expect(200);
    key = (await createKey(t, tenant, g.id)).plaintext;
    url = `${t.url}/mcp/${g.serverCode}`;
    session = (await send('POST', init(), {})).headers['mcp-session-id'] as string;
    expect(session).toBeTruthy();
  }, 30_000);

  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  const init = () => ({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'soak', version: '1' } } });

  /** One request on the keep-alive agent; `abortAfterMs` hangs up before the answer, as a client that goes away. */
  function send(method: string, body: unknown, headers: Record<string, string>, abortAfterMs?: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }> {
    const u = new URL(url);
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method,
          agent,
          headers: { 'Content-Type': 'application/json', Accept: BOTH, Authorization: `Bearer ${key}`, ...(text ? { 'Content-Length': String(Buffer.byteLength(text)) } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const s = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json: s ? JSON.parse(s) : undefined });
          });
        },
      );
      if (abortAfterMs !== undefined) {
        setTimeout(() => req.destroy(), abortAfterMs);
        req.on('error', () => resolve({ status: 0, headers: {}, json: undefined }));
      } else req.on('error', reject);
      req.end(text);
    });
  }

  const inSession = { 'Mcp-Session-Id': '', 'MCP-Protocol-Version': '2025-11-25' };

  /** Request `i`: a mix of what agents do. Returns a problem, or null. */
  async function request(i: number): Promise<string | null> {
    const s = { ...inSession, 'Mcp-Session-Id': session };
    switch (i % 8) {
      case 0:
      case 1:
      case 2: {
        const r = await send('POST', modernRequest(i, 'tools/call', { name: 'echo', arguments: { text: `soak ${i}` } }), modernHeaders('tools/call', 'echo'));
        return r.status === 200 && r.json?.result?.structuredContent?.text === `soak ${i}` ? null : `stateless call ${r.status} ${JSON.stringify(r.json)}`;
      }
      case 3:
      case 4: {
        const r = await send('POST', { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { text: `s${i}` } } }, s);
        return r.status === 200 && r.json?.result?.structuredContent?.text === `s${i}` ? null : `session call ${r.status} ${JSON.stringify(r.json)}`;
      }
      case 5: {
        const r = await send('POST', { jsonrpc: '2.0', id: i, method: 'tools/list' }, s);
        return r.status === 200 && r.json?.result?.tools?.length === 1 ? null : `list ${r.status}`;
      }
      case 6: {
        // A session opened and ended.
        const opened = await send('POST', init(), {});
        const sid = opened.headers['mcp-session-id'] as string;
        if (opened.status !== 200 || !sid) return `initialize ${opened.status}`;
        const ended = await send('DELETE', undefined, { ...inSession, 'Mcp-Session-Id': sid });
        return ended.status === 200 ? null : `delete ${ended.status}`;
      }
      default: {
        // A client that hangs up before its answer (its call is cancelled, its log row still written).
        await send('POST', modernRequest(i, 'tools/call', { name: 'echo', arguments: { text: 'x'.repeat(2000) } }), modernHeaders('tools/call', 'echo'), i % 3);
        return null;
      }
    }
  }

  async function run(from: number, to: number): Promise<string[]> {
    const out = await withConcurrency(
      Array.from({ length: to - from }, (_, k) => () => request(from + k)),
      CONCURRENCY,
    );
    return out.filter((x): x is string => x !== null).slice(0, 10);
  }

  async function quiet() {
    // Let hung-up calls finish and their rows commit, then collect.
    await new Promise((r) => setTimeout(r, 300));
    const gc = (global as { gc?: () => void }).gc;
    for (let k = 0; k < 3 && gc; k++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const connections = await new Promise<number>((r) => t.app.getHttpServer().getConnections((_: unknown, n: number) => r(n)));
    return {
      heap: process.memoryUsage().heapUsed,
      handles: process.getActiveResourcesInfo().filter((x) => x !== 'Timeout' && x !== 'Immediate').length,
      connections,
      sessions: (t.app.get(SESSION_STORE) as { size?: number }).size ?? 0,
    };
  }

  it(`answers ${REQUESTS} requests in every era; afterwards heap (after a forced GC), open handles, connections and sessions are where they were after the warm-up`, async () => {
    expect(await run(0, WARM_UP)).toEqual([]);
    const before = await quiet();
    expect(await run(WARM_UP, WARM_UP + REQUESTS)).toEqual([]);
    const after = await quiet();
    expect(after.sessions).toBe(before.sessions);
    expect(after.connections).toBeLessThanOrEqual(before.connections + CONCURRENCY);
    expect(after.handles).toBeLessThanOrEqual(before.handles + HANDLE_SLACK);
    if ((global as { gc?: () => void }).gc) {
      expect((after.heap - before.heap) / 1024 / 1024).toBeLessThan(HEAP_BOUND_MB);
    } else {
      console.warn('soak: heap not compared — global.gc is not exposed (run jest under node --expose-gc, as npm test does)');
    }
    const rows: Json[] = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE method = 'tools/call'`);
    expect(rows[0].n).toBeGreaterThanOrEqual(Math.floor(((WARM_UP + REQUESTS) * 5) / 8));
  }, 240_000);
});
