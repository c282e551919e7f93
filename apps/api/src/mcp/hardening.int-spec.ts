// Promises of SECURITY.md that need more than one request to show (issue 7): refused requests reach no upstream,
// keys in a URL and every other secret stay out of every log line and call-log row, each element of a batch counts
// against the rate limit, and idle sessions are evicted with their streams closed.
import { randomBytes } from 'node:crypto';
import { auth, createGroup, createKey, createTenant, TestTenant } from '../../test/factories';
import { openStream, post } from '../../test/mcp-raw';
import { allowLoopback, createSource, expose, toolsOf } from '../../test/sources';
import { createTestApp, TestApp } from '../../test/test-app';
import { startTestUpstream, TestUpstream } from '../../test/upstreams';
import { captureLogs } from '../../test/capture-logs';

type Json = Record<string, any>;

const rpc = (id: number, method: string, params?: Json) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const init = (protocolVersion: string) => rpc(0, 'initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'hardening', version: '1' } });
const SOURCE_SECRET = `Bearer source-secret-${randomBytes(6).toString('hex')}`;
const PASSWORD_ARG = `pw-${randomBytes(6).toString('hex')}`;

describe('refusals, secrets in logs, batch limits (SECURITY 1–3, 14, 28; real upstream, every log line captured)', () => {
  const logs: string[] = [];
  let restoreStdout: () => void;
  let t: TestApp;
  let tenant: TestTenant;
  let up: TestUpstream;
  /** Group A: the builtin echo. Group B: the upstream's echo. */
  let A: { id: string; code: string; key: string };
  let B: { id: string; code: string; key: string; tool: string };
  const mcp = (code: string) => `${t.url}/mcp/${code}`;
  const upstreamCalls = () => up.requests.filter((r) => r.rpc === 'tools/call').length;

  beforeAll(async () => {
    restoreStdout = captureLogs(logs);
    t = await createTestApp({ listen: true, env: { LOG_LEVEL: 'debug' } });
    tenant = await createTenant(t);
    await allowLoopback(t, tenant);
    up = await startTestUpstream();
    const source = await createSource(t, tenant, { kind: 'mcp_http', namespace: 'up', config: { urls: [up.url] }, secrets: { Authorization: SOURCE_SECRET } });
    const tools = await toolsOf(t, tenant, source.id);
    const upEcho = [...tools.values()].find((x) => x.upstreamName === 'echo')!;
    expect(upEcho).toBeDefined();
    const admin = auth(tenant.owner.token, tenant.id);
    const all = (await t.http().get('/api/v1/tools').set(admin).expect(200)).body.items as Json[];
    const gA = await createGroup(t, tenant);
    await t.http().put(`/api/v1/groups/${gA.id}/tools/${all.find((x) => x.name === 'echo')!.id}`).set(admin).send({}).expect(200);
    A = { id: gA.id, code: gA.serverCode, key: (await createKey(t, tenant, gA.id)).plaintext };
    const gB = await createGroup(t, tenant);
    await expose(t, tenant, gB.id, [upEcho.id]);
    B = { id: gB.id, code: gB.serverCode, key: (await createKey(t, tenant, gB.id)).plaintext, tool: upEcho.name };
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await up?.close();
    restoreStdout?.();
  });

  it("no key, A's key on /mcp/B, and B's own key in the query string: 401 each, and B's upstream receives no call", async () => {
    const call = (id: number) => rpc(id, 'tools/call', { name: B.tool, arguments: { text: 'must not arrive' } });
    const before = upstreamCalls();
    const refused = [
      await post(mcp(B.code), call(1), {}),
      await post(mcp(B.code), call(2), { key: A.key }),
      await post(`${mcp(B.code)}?api_key=${encodeURIComponent(B.key)}`, call(3), {}),
      await post(`${mcp(B.code)}?key=${encodeURIComponent(B.key)}`, call(4), { headers: { 'MCP-Protocol-Version': '2025-11-25' } }),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    for (const r of refused) expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const sse = await openStream(`${mcp(B.code)}/sse?api_key=${encodeURIComponent(B.key)}`, { headers: { Accept: 'text/event-stream' } });
    expect(sse.status).toBe(401);
    expect(upstreamCalls()).toBe(before);
    expect(up.requests.filter((r) => r.rpc === 'tools/call' && JSON.stringify(r).includes('must not arrive'))).toEqual([]);
    // The same call with B's key in its header does reach the upstream: the count above can see a call.
    const { sessionId } = await (async () => {
      const res = await post(mcp(B.code), init('2025-11-25'), { key: B.key });
      return { sessionId: res.headers.get('mcp-session-id')! };
    })();
    const ok = await post(mcp(B.code), rpc(5, 'tools/call', { name: B.tool, arguments: { text: 'allowed' } }), {
      key: B.key,
      headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.result.isError).toBeFalsy();
    expect(upstreamCalls()).toBe(before + 1);
  });

  it('each element of an accepted batch (2025-03-26) counts against the rate limit, and each has its log row', async () => {
    const admin = auth(tenant.owner.token, tenant.id);
    const g = await createGroup(t, tenant, { rateLimit: { perKeyPerMinute: 3 } });
    const echo = ((await t.http().get('/api/v1/tools').set(admin).expect(200)).body.items as Json[]).find((x) => x.name === 'echo')!;
    await t.http().put(`/api/v1/groups/${g.id}/tools/${echo.id}`).set(admin).send({}).expect(200);
    const key = (await createKey(t, tenant, g.id)).plaintext;
    const opened = await post(mcp(g.serverCode), init('2025-03-26'), { key });
    expect(opened.json.result.protocolVersion).toBe('2025-03-26');
    const session = { 'Mcp-Session-Id': opened.headers.get('mcp-session-id')!, 'MCP-Protocol-Version': '2025-03-26' };
    const batch = Array.from({ length: 5 }, (_, i) => rpc(10 + i, 'tools/call', { name: 'echo', arguments: { text: `b${i}` } }));
    const res = await post(mcp(g.serverCode), batch, { key, headers: session });
    expect(res.status).toBe(200);
    expect(res.json).toHaveLength(5);
    const answers = res.json as Json[];
    expect(answers.filter((a) => a.result && !a.result.isError)).toHaveLength(3);
    const limited = answers.filter((a) => a.error?.code === -32029);
    expect(limited).toHaveLength(2);
    for (const a of limited) expect(a.error.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The next single call is over the limit as well: the batch used the key's whole minute.
    const after = await post(mcp(g.serverCode), rpc(20, 'tools/call', { name: 'echo', arguments: { text: 'after' } }), { key, headers: session });
    expect(after.json.error.code).toBe(-32029);
    const rows: Json[] = await t.db.query(`SELECT outcome FROM call_logs WHERE group_id = $1 AND method = 'tools/call' ORDER BY created_at`, [g.id]);
    expect(rows.map((r) => r.outcome).sort()).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited', 'rate_limited']);
  });

  it('no key, source secret, password or session token appears in any log line, call-log row or audit event (a grep over everything this app wrote)', async () => {
    const admin = auth(tenant.owner.token, tenant.id);
    // A little of everything: a call whose arguments hold a password, a wrong admin password, key rotation, refusals.
    const s = await post(mcp(A.code), init('2025-11-25'), { key: A.key });
    const sid = s.headers.get('mcp-session-id')!;
    await post(mcp(A.code), rpc(1, 'tools/call', { name: 'echo', arguments: { text: 'hello', password: PASSWORD_ARG } }), {
      key: A.key,
      headers: { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
    });
    await t.http().post('/api/v1/auth/login').send({ email: tenant.owner.email, password: `wrong-${PASSWORD_ARG}` }).expect(401);
    const created = await createKey(t, tenant, A.id);
    const rotated = await t.http().post(`/api/v1/keys/${created.key.id}/rotate`).set(admin).send({});
    const rotatedKey: string | undefined = rotated.body?.plaintext;
    await post(`${mcp(A.code)}?access_token=${encodeURIComponent(created.plaintext)}`, rpc(2, 'tools/list'), {});
    await post(mcp(A.code), rpc(3, 'tools/list'), { headers: { 'X-API-Key': `${A.key}x` } });

    const secretPart = (k: string) => k.split('_').slice(2).join('_');
    const secrets = [
      A.key,
      B.key,
      created.plaintext,
      ...(rotatedKey ? [rotatedKey] : []),
      secretPart(A.key),
      secretPart(B.key),
      secretPart(created.plaintext),
      SOURCE_SECRET.replace('Bearer ', ''),
      PASSWORD_ARG,
      tenant.owner.token,
    ];
    // Every row of call_logs and audit_events, as text; every line the API logged at debug level.
    const rows: { row: string }[] = await t.db.query(`SELECT c::text AS row FROM call_logs c UNION ALL SELECT a::text FROM audit_events a`);
    expect(rows.length).toBeGreaterThan(10);
    // The grep looks at real output: the boot lines, and lines of the requests above (they carry request ids).
    expect(logs.filter((l) => l.includes('"requestId"')).length).toBeGreaterThan(0);
    expect(logs.length).toBeGreaterThan(50);
    const haystacks = [...rows.map((r) => `row ${r.row}`), ...logs.map((l) => `log ${l}`)];
    const leaks = haystacks.flatMap((h) => secrets.filter((sec) => h.includes(sec)).map((sec) => `${sec.slice(0, 8)}… in ${h.slice(0, 200)}`));
    expect(leaks).toEqual([]);
    // And the refusals were logged: the grep looked at rows that exist.
    const refusals: Json[] = await t.db.query(`SELECT count(*)::int AS n FROM call_logs WHERE outcome = 'unauthenticated'`);
    expect(refusals[0].n).toBeGreaterThanOrEqual(2);
  });
});

describe('idle MCP sessions (SECURITY 25; MCP_SESSION_IDLE_SECONDS=10)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { MCP_SESSION_IDLE_SECONDS: '10' } });
  });
  afterAll(() => t?.close());

  it('a session idle past MCP_SESSION_IDLE_SECONDS is evicted: its GET stream is closed by the server and it answers 404; a session in use stays', async () => {
    const tenant = await createTenant(t);
    const admin = auth(tenant.owner.token, tenant.id);
    const g = await createGroup(t, tenant);
    const echo = ((await t.http().get('/api/v1/tools').set(admin).expect(200)).body.items as Json[]).find((x) => x.name === 'echo')!;
    await t.http().put(`/api/v1/groups/${g.id}/tools/${echo.id}`).set(admin).send({}).expect(200);
    const key = (await createKey(t, tenant, g.id)).plaintext;
    const url = `${t.url}/mcp/${g.serverCode}`;
    const open = async () => (await post(url, init('2025-11-25'), { key })).headers.get('mcp-session-id')!;
    const idle = await open();
    const busy = await open();
    const headers = (sid: string) => ({ 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' });
    const stream = await openStream(url, { headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream', ...headers(idle) } });
    expect(stream.status).toBe(200);
    const started = Date.now();
    let pings = 0;
    // Keep one session in use (every 2 s) while the other waits; the sweep runs every MCP_SESSION_IDLE_SECONDS / 2.
    const keepBusy = setInterval(() => {
      pings++;
      void post(url, rpc(100 + pings, 'ping'), { key, headers: headers(busy) }).catch(() => undefined);
    }, 2_000);
    try {
      expect(await stream.sse!.waitForEnd(20_000)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    } finally {
      clearInterval(keepBusy);
      await stream.sse!.close();
    }
    const gone = await post(url, rpc(1, 'tools/list'), { key, headers: headers(idle) });
    expect(gone.status).toBe(404);
    const alive = await post(url, rpc(2, 'tools/list'), { key, headers: headers(busy) });
    expect(alive.status).toBe(200);
    expect(alive.json.result.tools.map((x: Json) => x.name)).toEqual(['echo']);
  }, 40_000);
});
