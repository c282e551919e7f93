// The gateway's Prometheus metrics: one registry per app, the call counters observed on the hot path, and the
// gauges read from their owners only when /metrics is scraped.
import { Injectable } from '@nestjs/common';
import type { CallOutcome } from '@toolgate/contracts';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Distinct (server code, tool) pairs labelled by name; past it, further tools are counted as `(other)`. */
export const MAX_TOOL_SERIES = 1000;
/** A call that never resolved to an exposed tool (unknown name, refused before): its name is the caller's, not ours. */
export const UNRESOLVED_TOOL = '(unresolved)';
export const OTHER_TOOL = '(other)';

/** Call latency buckets in seconds: from an in-process tool (ms) to a slow upstream (30 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One (server code, tool)'s latencies: per-bucket counts (not cumulative; the last is +Inf), their sum. */
class Latency {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;

  constructor(
    readonly serverCode: string,
    readonly tool: string,
  ) {}
}

/** One (server code, tool, outcome)'s call count. */
class Calls {
  value = 0;

  constructor(
    readonly serverCode: string,
    readonly tool: string,
    readonly outcome: string,
    readonly latency: Latency,
  ) {}
}

interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * The call metrics are plain numbers on the hot path (a prom-client child validates and hashes its labels on every
 * inc/observe: ~2 µs a call); they become samples only when /metrics is scraped, through these registry entries.
 */
function scrapedMetric(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]): void {
  registry.registerMetric({ name, help, type, get: () => ({ name, help, type, values: values(), aggregator: 'sum' }) } as never);
}

@Injectable()
export class CallMetrics {
  readonly registry = new Registry();
  /** By `server code \0 tool \0 outcome` as called (the tool may be labelled (other)); bounded. */
  private readonly byCall = new Map<string, Calls>();
  /** By their labels, so every name that is labelled (other) shares one series. */
  private readonly calls = new Map<string, Calls>();
  private readonly latencies = new Map<string, Latency>();
  private readonly rateLimited = new Map<string, number>();
  private readonly toolPairs = new Set<string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'toolgate_' });
    scrapedMetric(this.registry, 'toolgate_mcp_calls_total', 'tools/call requests answered, by group server code, tool and outcome.', 'counter', () =>
      [...this.calls.values()].map((c) => ({ labels: { server_code: c.serverCode, tool: c.tool, outcome: c.outcome }, value: c.value })),
    );
    scrapedMetric(
      this.registry,
      'toolgate_mcp_call_duration_seconds',
      'tools/call latency inside the gateway (resolve to committed log row), by group server code and tool.',
      'histogram',
      () => [...this.latencies.values()].flatMap(histogramSamples),
    );
    scrapedMetric(this.registry, 'toolgate_rate_limit_rejections_total', "tools/call requests refused by a group's or key's rate limit, by group server code.", 'counter', () =>
      [...this.rateLimited].map(([serverCode, value]) => ({ labels: { server_code: serverCode }, value })),
    );
  }

  /** One answered tools/call. `tool` is the exposed tool's name, or null when none was resolved. */
  observeCall(serverCode: string, tool: string | null, outcome: CallOutcome, durationMs: number): void {
    const key = `${serverCode}\u0000${tool}\u0000${outcome}`;
    const c = this.byCall.get(key) ?? this.newSeries(key, serverCode, tool ?? UNRESOLVED_TOOL, outcome);
    c.value++;
    const seconds = durationMs / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    c.latency.counts[i]++;
    c.latency.sum += seconds;
    if (outcome === 'rate_limited') this.rateLimited.set(serverCode, (this.rateLimited.get(serverCode) ?? 0) + 1);
  }

  /** A gauge whose value is read from its owner at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (g: Gauge<L>) => void): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        collect(this);
      },
    });
  }

  private newSeries(key: string, serverCode: string, tool: string, outcome: string): Calls {
    const pair = `${serverCode}\u0000${tool}`;
    if (!this.toolPairs.has(pair)) {
      if (this.toolPairs.size >= MAX_TOOL_SERIES) tool = OTHER_TOOL;
      else this.toolPairs.add(pair);
    }
    const latencyKey = `${serverCode}\u0000${tool}`;
    let latency = this.latencies.get(latencyKey);
    if (!latency) this.latencies.set(latencyKey, (latency = new Latency(serverCode, tool)));
    const labelKey = `${latencyKey}\u0000${outcome}`;
    let c = this.calls.get(labelKey);
    if (!c) this.calls.set(labelKey, (c = new Calls(serverCode, tool, outcome, latency)));
    // Keyed by the real name even when labelled (other), so the cap is checked once per name; bounded all the same.
    if (this.byCall.size < MAX_TOOL_SERIES * 8) this.byCall.set(key, c);
    return c;
  }
}

/** A histogram's samples in Prometheus' shape: cumulative `_bucket`s up to +Inf, `_sum`, `_count`. */
function histogramSamples(h: Latency): Sample[] {
  const labels = { server_code: h.serverCode, tool: h.tool };
  const name = 'toolgate_mcp_call_duration_seconds';
  const out: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
    cumulative += h.counts[i];
    out.push({ metricName: `${name}_bucket`, labels: { le: i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i] : '+Inf', ...labels }, value: cumulative });
  }
  out.push({ metricName: `${name}_sum`, labels, value: h.sum }, { metricName: `${name}_count`, labels, value: cumulative });
  return out;
}
