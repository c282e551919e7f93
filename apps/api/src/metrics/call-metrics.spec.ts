import { CallMetrics, MAX_TOOL_SERIES } from './call-metrics';

describe('CallMetrics', () => {
  it('labels at most MAX_TOOL_SERIES tools by name; the rest are counted as (other), none lost', async () => {
    const m = new CallMetrics();
    for (let i = 0; i < MAX_TOOL_SERIES + 50; i++) m.observeCall('g', `tool_${i}`, 'ok', 3);
    m.observeCall('g', 'tool_0', 'ok', 3);
    const calls = (await m.registry.getSingleMetric('toolgate_mcp_calls_total')!.get()).values;
    expect(calls.length).toBe(MAX_TOOL_SERIES + 1);
    expect(calls.find((v) => v.labels.tool === '(other)')?.value).toBe(50);
    expect(calls.find((v) => v.labels.tool === 'tool_0')?.value).toBe(2);
    expect(calls.reduce((n, v) => n + v.value, 0)).toBe(MAX_TOOL_SERIES + 51);
  });

  it('counts a rate-limited call both as an outcome and as a limiter rejection', async () => {
    const m = new CallMetrics();
    m.observeCall('g', 'echo', 'rate_limited', 0);
    m.observeCall('g', null, 'rate_limited', 0);
    const rejections = (await m.registry.getSingleMetric('toolgate_rate_limit_rejections_total')!.get()).values;
    expect(rejections).toEqual([{ labels: { server_code: 'g' }, value: 2 }]);
    const calls = (await m.registry.getSingleMetric('toolgate_mcp_calls_total')!.get()).values.map((v) => [v.labels.tool, v.value]);
    expect(calls).toEqual([
      ['echo', 1],
      ['(unresolved)', 1],
    ]);
  });
});
