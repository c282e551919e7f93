// The protocol revisions the gateway speaks, and how a client's request picks one.

/** Session-based revisions, newest first: initialize negotiates one of these. */
export const SESSION_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
/** Stateless revisions: every request names its version in `_meta`. */
export const STATELESS_VERSIONS = ['2026-07-28'] as const;

export const LATEST_SESSION_VERSION = SESSION_VERSIONS[0];
/** Without an MCP-Protocol-Version header a session-era client is taken to speak this one (spec rule). */
export const DEFAULT_HEADERLESS_VERSION = '2025-03-26';

/** `_meta` keys of the 2026-07-28 request envelope. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export function isSessionVersion(v: string): boolean {
  return (SESSION_VERSIONS as readonly string[]).includes(v);
}

export function isStatelessVersion(v: string): boolean {
  return (STATELESS_VERSIONS as readonly string[]).includes(v);
}

/** initialize: the client's version when we speak it, else our latest (the client then decides). */
export function negotiateSessionVersion(requested: unknown): string {
  return typeof requested === 'string' && isSessionVersion(requested) ? requested : LATEST_SESSION_VERSION;
}

/** Batches (JSON arrays) exist only in 2025-03-26. */
export function allowsBatch(version: string): boolean {
  return version === '2025-03-26';
}
