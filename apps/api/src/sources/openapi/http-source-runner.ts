// Calls of HTTP (OpenAPI) tools with the same resilience as upstream MCP calls: per source a circuit breaker, a
// retry budget, retries only for read-only/idempotent operations or requests that never left, and latency stats.
// Every request goes through the SSRF-guarded fetch made from the tenant's allowlist.
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createGuardedFetch, GuardedFetch } from '../network/guarded-fetch';
import { CircuitBreaker } from '../upstream/circuit-breaker';
import { LatencyWindow } from '../upstream/latency-window';
import { RetryBudget, withRetries } from '../upstream/retry-policy';
import { breakerOutcome, namingSource } from '../upstream/upstream-errors';
import { type ResilienceConfig, type ResolvedSource, type ToolResult, UpstreamError } from '../upstream/upstream.types';
import { executeHttpTool } from './http-tool-executor';
import type { HttpBinding } from './openapi-tools';

export interface HttpSourceConfig {
  baseUrl?: string;
  headers?: Record<string, string>;
  resilience?: ResilienceConfig;
}

/** Secrets named `query.<name>` go in the query string; every other secret is a header. */
export const QUERY_SECRET_PREFIX = 'query.';

export interface HttpCallOptions {
  signal: AbortSignal;
  retryable: boolean;
}

class HttpSourceEntry {
  inFlight = 0;
  lastError: string | null = null;
  readonly latencies = new LatencyWindow();
  readonly budget = new RetryBudget();

  constructor(
    readonly fingerprint: string,
    readonly breaker: CircuitBreaker,
    readonly fetch: GuardedFetch,
    readonly maxRetries: number,
    readonly maxResponseBytes: number,
  ) {}
}

@Injectable()
export class HttpSourceRunner implements OnApplicationShutdown {
  private readonly entries = new Map<string, HttpSourceEntry>();

  async call(source: ResolvedSource, binding: HttpBinding, args: Record<string, unknown>, options: HttpCallOptions): Promise<ToolResult> {
    const entry = this.entryFor(source);
    const config = source.config as HttpSourceConfig;
    const headers: Record<string, string> = { ...(config.headers ?? {}) };
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(source.secrets)) {
      if (name.startsWith(QUERY_SECRET_PREFIX)) query[name.slice(QUERY_SECRET_PREFIX.length)] = value;
      else headers[name] = value;
    }
    const started = performance.now();
    entry.inFlight++;
    try {
      const result = await withRetries(
        () =>
          entry.breaker.allowsRequest
            ? entry.breaker.run(
                () =>
                  executeHttpTool(binding, args, {
                    fetch: entry.fetch as typeof fetch,
                    baseUrl: config.baseUrl,
                    headers,
                    query,
                    secretValues: Object.values(source.secrets),
                    signal: options.signal,
                    maxResponseBytes: entry.maxResponseBytes,
                  }),
                breakerOutcome,
              )
            : Promise.reject(entry.breaker.openError()),
        { retryable: options.retryable, maxRetries: entry.maxRetries, baseDelayMs: 100, signal: options.signal, budget: entry.budget },
      );
      entry.latencies.record(performance.now() - started);
      entry.lastError = null;
      return result;
    } catch (err) {
      const error = options.signal.aborted
        ? new UpstreamError('CANCELLED', `the call to source "${source.name ?? source.namespace}" was cancelled`)
        : err instanceof UpstreamError
          ? namingSource(err, source.name ?? source.namespace)
          : new UpstreamError('UNAVAILABLE', `source "${source.name ?? source.namespace}" failed: ${(err as Error).message}`);
      if (error.code !== 'CIRCUIT_OPEN' && error.code !== 'CANCELLED') {
        entry.latencies.record(performance.now() - started);
        entry.lastError = error.message;
      }
      throw error;
    } finally {
      entry.inFlight--;
    }
  }

  /** Guarded fetch for other requests of this source's tenant (fetching an OpenAPI document by URL). */
  fetchFor(source: ResolvedSource): GuardedFetch {
    return this.entryFor(source).fetch;
  }

  status(sourceId: string): { state: string; inFlight: number; lastError: string | null; p50Ms: number | null; p95Ms: number | null } | null {
    const entry = this.entries.get(sourceId);
    if (!entry) return null;
    const breaker = entry.breaker.state;
    return {
      state: breaker === 'closed' ? 'ready' : breaker === 'open' ? 'open-circuit' : 'half-open',
      inFlight: entry.inFlight,
      lastError: entry.lastError,
      p50Ms: entry.latencies.quantile(0.5),
      p95Ms: entry.latencies.quantile(0.95),
    };
  }

  release(sourceId: string): void {
    this.entries.get(sourceId)?.fetch.close();
    this.entries.delete(sourceId);
  }

  onApplicationShutdown(): void {
    for (const id of [...this.entries.keys()]) this.release(id);
  }

  private entryFor(source: ResolvedSource): HttpSourceEntry {
    const fingerprint = createHash('sha256').update(JSON.stringify([source.config, source.secrets, source.networkAllowlist])).digest('base64url');
    const existing = this.entries.get(source.id);
    if (existing?.fingerprint === fingerprint) return existing;
    if (existing) existing.fetch.close();
    const resilience = (source.config as HttpSourceConfig).resilience ?? {};
    const maxResponseBytes = resilience.maxResponseBytes ?? 1024 * 1024;
    const entry = new HttpSourceEntry(
      fingerprint,
      new CircuitBreaker({
        name: source.name ?? source.namespace,
        failureThreshold: resilience.breakerFailureThreshold ?? 5,
        openMs: (resilience.breakerOpenSeconds ?? 30) * 1000,
      }),
      createGuardedFetch(source.networkAllowlist, { maxResponseBytes }),
      resilience.maxRetries ?? 2,
      maxResponseBytes,
    );
    this.entries.set(source.id, entry);
    return entry;
  }
}
