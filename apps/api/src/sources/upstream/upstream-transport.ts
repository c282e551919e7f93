// Builds the SDK client transport for one connection to an upstream (a stdio process or one replica URL).
// Only the source's own configuration and secrets go into it: nothing of the calling agent (no token passthrough).
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RemoteSourceConfig, ResolvedSource, StdioSourceConfig } from './upstream.types';

/** A fetch-compatible function; the SSRF-guarded one comes from `createGuardedFetch(allowlist, options)`. */
export type UpstreamFetch = FetchLike;
/** Makes the fetch a source's HTTP transports use, from the tenant's network allowlist. */
/**
 * Makes a source's fetch from its tenant's allowlist. `maxBodyBytes` bounds what one response body may hold while it
 * streams in (the memory one oversized answer can take), well above the source's result limit.
 */
export type FetchFactory = (allowlist: string[], options: { maxBodyBytes: number }) => UpstreamFetch;

export type UpstreamTransportTarget = { kind: 'stdio' } | { kind: 'remote'; url: string };

export interface UpstreamTransportContext {
  source: ResolvedSource;
  target: UpstreamTransportTarget;
  fetch: UpstreamFetch;
  /** Largest single message read from a stdio process. */
  maxMessageBytes: number;
}

export type TransportFactory = (ctx: UpstreamTransportContext) => Transport;

export const createUpstreamTransport: TransportFactory = ({ source, target, fetch, maxMessageBytes }) => {
  if (source.kind === 'mcp_stdio') {
    const config = source.config as StdioSourceConfig;
    return new StdioClientTransport({
      command: config.command,
      args: config.args ?? [],
      // The SDK adds a small safe base (PATH, HOME, …); nothing else of the gateway's environment is inherited.
      env: { ...(config.env ?? {}), ...source.secrets },
      cwd: config.cwd,
      stderr: 'pipe',
      maxBufferSize: maxMessageBytes,
    });
  }
  if (target.kind !== 'remote') throw new Error(`A ${source.kind} source needs a URL`);
  const requestInit: RequestInit = { headers: upstreamHeaders(source) };
  const url = new URL(target.url);
  if (source.kind === 'mcp_sse') return new SSEClientTransport(url, { requestInit, fetch });
  if (source.kind === 'mcp_http') return new StreamableHTTPClientTransport(url, { requestInit, fetch });
  throw new Error(`Source kind ${source.kind} is not an MCP source`);
};

/** The headers every request to a remote source carries: its configured headers plus its secret headers. */
export function upstreamHeaders(source: ResolvedSource): Record<string, string> {
  const config = source.config as RemoteSourceConfig;
  return { ...(config.headers ?? {}), ...source.secrets };
}
