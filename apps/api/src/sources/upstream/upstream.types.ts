// The contract between the gateway and upstream tool sources (MCP servers over stdio, Streamable HTTP
// or SSE; HTTP APIs described by OpenAPI). Everything the gateway needs from an upstream goes through it.
import type { ToolResult } from '../../builtin-tools/mcp-tool.decorator';

/** A tool as an upstream MCP server lists it (before namespacing). */
export interface UpstreamTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** mcp_stdio: the command must be on the platform admins' allowlist. */
export interface StdioSourceConfig {
  command: string;
  args?: string[];
  /** Non-secret environment; secret variables come from the source's sealed secrets. */
  env?: Record<string, string>;
  cwd?: string;
  /** Stop the process after this long without calls (default 600). */
  idleStopSeconds?: number;
  /** Start at boot instead of on first use. */
  startOnBoot?: boolean;
}

/** mcp_http / mcp_sse: one or more replicas of the same server. */
export interface RemoteSourceConfig {
  urls: string[];
  selection?: 'round-robin' | 'least-in-flight';
  /** Non-secret headers; secret headers (Authorization…) come from the sealed secrets. */
  headers?: Record<string, string>;
}

/** Resilience settings shared by every upstream kind (defaults in parentheses). */
export interface ResilienceConfig {
  /** Per-attempt timeout (30 s); the whole call never exceeds the tool's own deadline. */
  attemptTimeoutSeconds?: number;
  /** Consecutive failures that open the breaker (5). */
  breakerFailureThreshold?: number;
  /** How long the breaker stays open before a half-open probe (30 s). */
  breakerOpenSeconds?: number;
  /** Retries for calls that may be retried (2), with exponential backoff from 100 ms. */
  maxRetries?: number;
  /** Largest upstream response accepted (1 MiB). */
  maxResponseBytes?: number;
}

export interface ResolvedSource {
  id: string;
  tenantId: string;
  kind: 'mcp_stdio' | 'mcp_http' | 'mcp_sse' | 'http';
  namespace: string;
  /** The source's display name, used in error messages agents see (defaults to the namespace). */
  name?: string;
  config: (StdioSourceConfig | RemoteSourceConfig | Record<string, unknown>) & { resilience?: ResilienceConfig };
  /** Decrypted secret settings (header values or environment variables); never logged. */
  secrets: Record<string, string>;
  /** Hosts/CIDRs this tenant may reach despite the SSRF guard. */
  networkAllowlist: string[];
}

export interface UpstreamCallOptions {
  /** Aborted by the gateway on timeout, client cancel or disconnect: cancellation is passed upstream. */
  signal: AbortSignal;
  /** Whether a failed attempt may be retried: only read-only or idempotent tools (annotations), or when the call never reached the upstream. */
  retryable: boolean;
  onProgress?: (progress: number, total?: number, message?: string) => void;
}

export type { ToolResult };

/** `CANCELLED`: the caller aborted `signal` before the deadline (client cancel or disconnect); cancellation was sent upstream. */
export type UpstreamErrorCode =
  | 'UNAVAILABLE'
  | 'CIRCUIT_OPEN'
  | 'TIMEOUT'
  | 'RESPONSE_TOO_LARGE'
  | 'MALFORMED_RESPONSE'
  | 'REFUSED_ADDRESS'
  | 'UPSTREAM_ERROR'
  | 'CANCELLED';

/** A failure the agent should see as a clear isError result (never a hang). */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    /** True when the request certainly never reached the upstream (safe to retry even for writes). */
    readonly notSent = false,
    /** When known: how long until the upstream may take calls again (open breaker, restart backoff); Infinity for never. */
    readonly retryInMs?: number,
  ) {
    super(message);
  }
}
