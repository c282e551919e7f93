// GET /metrics: Prometheus text with the calls by group, tool and outcome, latency histograms, the call-log
// writer's queue and spool, breaker states and rate-limit rejections; only with METRICS_TOKEN, only to its bearer.
import { createEchoEndpoint, createGroup, createKey, createTenant, TestTenant } from '../../test/factories';
import { modernHeaders, modernRequest, post } from '../../test/mcp-raw';
import { allowLoopback, createSource, expose, toolsOf } from '../../test/sources';
import { createTestApp, TestApp } from '../../test/test-app';
import { startTestUpstream, TestUpstream } from '../../test/upstreams';

const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample line, e.g. `toolgate_mcp_calls_total{server_code="x",tool="echo",outcome="ok"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(/,(?=[a-z_]+=")/).filter(Boolean);
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics (real PostgreSQL)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let upstream: TestUpstream;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN }, listen: true });
    tenant = await createTenant(t);
    upstream = await startTestUpstream();
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
  });

  const scrape = async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const callTool = (serverCode: string, key: string, name: string, args: Record<string, unknown>) =>
    post(`${t.url}/mcp/${serverCode}`, modernRequest(1, 'tools/call', { name, arguments: args }), { key, headers: modernHeaders('tools/call', name) });

  it('refuses a scrape without the token, or with another one, and says how to authenticate', async () => {
    for (const headers of [{}, { Authorization: 'Bearer not-the-token-at-all-000000' }, { Authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
      const res = await fetch(`${t.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="toolgate-metrics"');
      expect(await res.text()).not.toMatch(/toolgate_/);
    }
    expect((await fetch(`${t.url}/metrics`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
  });

  it('counts calls by server code, tool and outcome, with latency buckets and rate-limit rejections', async () => {
    const { group, plaintext } = await createEchoEndpoint(t, tenant);
    const patched = await t.http().patch(`/api/v1/groups/${group.id}`).set({ Authorization: `Bearer ${tenant.owner.token}`, 'X-Tenant-Id': tenant.id }).send({ rateLimit: { perMinute: 4 } });
    expect(patched.status).toBe(200);
    const outcomes: string[] = [];
    for (const args of [{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 42 }, { text: 'd' }, { text: 'e' }]) {
      const res = await callTool(group.serverCode, plaintext, 'echo', args);
      outcomes.push(res.json.error ? `rpc ${res.json.error.code}` : res.json.result.isError ? 'isError' : 'ok');
    }
    // Three answers, one refused for its arguments, then the limit of 4 a minute refuses the rest.
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'isError', expect.stringMatching(/^rpc /), expect.stringMatching(/^rpc /)]);
    await callTool(group.serverCode, plaintext, 'no-such-tool', {});

    const text = await scrape();
    const code = group.serverCode;
    expect(sample(text, 'toolgate_mcp_calls_total', { server_code: code, tool: 'echo', outcome: 'ok' })).toBe(3);
    expect(sample(text, 'toolgate_mcp_calls_total', { server_code: code, tool: 'echo', outcome: 'invalid_arguments' })).toBe(1);
    expect(sample(text, 'toolgate_mcp_calls_total', { server_code: code, tool: 'echo', outcome: 'rate_limited' })).toBe(2);
    expect(sample(text, 'toolgate_rate_limit_rejections_total', { server_code: code })).toBe(2);
    // A name the caller made up is not a label: unresolved calls share one.
    expect(text).not.toMatch(/no-such-tool/);
    expect(text).toMatch(new RegExp(`toolgate_mcp_calls_total\\{server_code="${code}",tool="\\(unresolved\\)",outcome="[a-z_]+"\\} 1`));

    expect(text).toMatch(/# TYPE toolgate_mcp_call_duration_seconds histogram/);
    expect(sample(text, 'toolgate_mcp_call_duration_seconds_bucket', { le: '0.005', server_code: code, tool: 'echo' })).toBeDefined();
    expect(sample(text, 'toolgate_mcp_call_duration_seconds_bucket', { le: '+Inf', server_code: code, tool: 'echo' })).toBe(6);
    expect(sample(text, 'toolgate_mcp_call_duration_seconds_count', { server_code: code, tool: 'echo' })).toBe(6);
    // Process metrics come along.
    expect(text).toMatch(/^toolgate_process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^toolgate_nodejs_eventloop_lag_seconds /m);
  });

  it('shows the call-log writer queue and spool, and each upstream breaker: 2 once open', async () => {
    await allowLoopback(t, tenant);
    const source = await createSource(t, tenant, {
      kind: 'mcp_http',
      namespace: 'brk',
      name: 'Breaker metrics',
      config: { urls: [upstream.url], resilience: { breakerFailureThreshold: 2, breakerOpenSeconds: 60, maxRetries: 0 } },
    });
    const group = await createGroup(t, tenant);
    await expose(t, tenant, group.id, [(await toolsOf(t, tenant, source.id)).get('brk__write-flaky')!.id]);
    const key = (await createKey(t, tenant, group.id)).plaintext;

    expect((await callTool(group.serverCode, key, 'brk__write-flaky', {})).json.result.isError).toBeFalsy();
    let text = await scrape();
    expect(sample(text, 'toolgate_upstream_breaker_state', { source_id: source.id, source: 'Breaker metrics', replica: '0' })).toBe(0);

    upstream.failCalls = true;
    try {
      for (let i = 0; i < 2; i++) expect((await callTool(group.serverCode, key, 'brk__write-flaky', {})).json.result.isError).toBe(true);
    } finally {
      upstream.failCalls = false;
    }
    text = await scrape();
    expect(sample(text, 'toolgate_upstream_breaker_state', { source_id: source.id, source: 'Breaker metrics', replica: '0' })).toBe(2);
    expect(sample(text, 'toolgate_mcp_calls_total', { server_code: group.serverCode, tool: 'brk__write-flaky', outcome: 'upstream_error' })).toBe(2);

    expect(sample(text, 'toolgate_call_log_queue_rows', {})).toBe(0);
    expect(sample(text, 'toolgate_call_log_spool_rows', {})).toBe(0);
    expect(sample(text, 'toolgate_call_log_database_up', {})).toBe(1);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('does not exist: the admin API answers 404, whatever the credentials', async () => {
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/toolgate_/);
  });
});
