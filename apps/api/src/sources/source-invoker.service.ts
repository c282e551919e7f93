// The one door from the gateway's call pipeline to upstream tools: resolves the tool's source and sends the call to
// the MCP client pool (stdio, Streamable HTTP, SSE) or the HTTP runner (OpenAPI tools).
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../common/events/domain-events';
import { createGuardedFetch } from './network/guarded-fetch';
import { HttpSourceRunner } from './openapi/http-source-runner';
import type { HttpBinding } from './openapi/openapi-tools';
import { SourceResolver } from './source-resolver';
import { isRetryableTool } from './upstream/retry-policy';
import { UpstreamClientPool, UpstreamStatus } from './upstream/upstream-client-pool';
import { type ToolResult, UpstreamError } from './upstream/upstream.types';

/** What the invoker needs of a catalog tool. */
export interface UpstreamToolRef {
  sourceId: string;
  sourceKind: string;
  upstreamName: string;
  binding: Record<string, unknown> | null;
  annotations: Record<string, unknown>;
}

export interface InvokeOptions {
  signal: AbortSignal;
  timeoutMs: number;
  onProgress?: (progress: number, total?: number, message?: string) => void;
}

export type SourceRuntimeStatus = Pick<UpstreamStatus, 'state' | 'inFlight' | 'lastError' | 'p50Ms' | 'p95Ms' | 'restarts'>;

@Injectable()
export class SourceInvoker implements OnModuleInit {
  constructor(
    private readonly resolver: SourceResolver,
    private readonly pool: UpstreamClientPool,
    private readonly http: HttpSourceRunner,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    // Remote MCP connections go through the SSRF guard built from the tenant's allowlist.
    this.pool.useFetchFactory((allowlist, { maxBodyBytes }) => createGuardedFetch(allowlist, { maxResponseBytes: maxBodyBytes }));
    this.events.on('source.changed', ({ sourceId }) => void this.release(sourceId));
  }

  /**
   * Calls the tool at its source. Throws UpstreamError (the pipeline turns it into a clear isError result);
   * a tool's own failure is a normal result with isError.
   */
  async call(tenantId: string, tool: UpstreamToolRef, args: Record<string, unknown>, options: InvokeOptions): Promise<ToolResult> {
    const source = await this.resolver.resolve(tenantId, tool.sourceId);
    const retryable = isRetryableTool(tool);
    if (source.kind === 'http') {
      if (!tool.binding) throw new UpstreamError('MALFORMED_RESPONSE', `HTTP tool "${tool.upstreamName}" has no request binding; refresh its source.`, true);
      return this.http.call(source, tool.binding as unknown as HttpBinding, args, { signal: options.signal, retryable });
    }
    return this.pool.callTool(source, tool.upstreamName, args, { signal: options.signal, timeoutMs: options.timeoutMs, retryable, onProgress: options.onProgress });
  }

  status(sourceId: string, kind: string): SourceRuntimeStatus {
    if (kind === 'http') {
      const s = this.http.status(sourceId);
      return s ? { ...s, state: s.state as UpstreamStatus['state'], restarts: 0 } : { state: 'idle', inFlight: 0, lastError: null, p50Ms: null, p95Ms: null, restarts: 0 };
    }
    return this.pool.status(sourceId);
  }

  /** Closes the source's connections and stops its process (removed, disabled or reconfigured). */
  async release(sourceId: string): Promise<void> {
    this.http.release(sourceId);
    await this.pool.release(sourceId);
  }
}
