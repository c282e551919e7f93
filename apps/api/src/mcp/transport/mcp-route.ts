// Which MCP route a request URL names: /mcp/{server_code}, …/sse and …/messages (legacy HTTP+SSE).
// Matched as Express matched them before the endpoint left it: case-insensitive, an optional trailing
// slash, the server code percent-decoded.

export interface McpRoute {
  kind: 'endpoint' | 'sse' | 'messages';
  serverCode: string;
  /** The path without the query string, for logs. */
  path: string;
  /** The raw query string, without `?` ('' when none). */
  query: string;
}

const PREFIX = '/mcp/';

/** The route of `url`, or null when it is not an MCP route (the admin API answers it, or 404s). */
export function matchMcpRoute(url: string): McpRoute | null {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.startsWith(PREFIX) && path.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return null;
  const rest = path.endsWith('/') ? path.slice(PREFIX.length, -1) : path.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  const code = slash === -1 ? rest : rest.slice(0, slash);
  if (code === '') return null;
  let kind: McpRoute['kind'];
  if (slash === -1) kind = 'endpoint';
  else {
    const sub = rest.slice(slash + 1).toLowerCase();
    if (sub === 'sse') kind = 'sse';
    else if (sub === 'messages') kind = 'messages';
    else return null;
  }
  let serverCode: string;
  try {
    serverCode = decodeURIComponent(code);
  } catch {
    return null;
  }
  return { kind, serverCode, path, query: q === -1 ? '' : url.slice(q + 1) };
}
