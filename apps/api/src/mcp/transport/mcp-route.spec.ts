import { matchMcpRoute } from './mcp-route';

describe('matchMcpRoute', () => {
  it.each([
    ['/mcp/crm', { kind: 'endpoint', serverCode: 'crm', path: '/mcp/crm', query: '' }],
    ['/mcp/crm/', { kind: 'endpoint', serverCode: 'crm', path: '/mcp/crm/', query: '' }],
    ['/MCP/crm?x=1', { kind: 'endpoint', serverCode: 'crm', path: '/MCP/crm', query: 'x=1' }],
    ['/mcp/a%20b', { kind: 'endpoint', serverCode: 'a b', path: '/mcp/a%20b', query: '' }],
    ['/mcp/crm/sse', { kind: 'sse', serverCode: 'crm', path: '/mcp/crm/sse', query: '' }],
    ['/mcp/crm/SSE/', { kind: 'sse', serverCode: 'crm', path: '/mcp/crm/SSE/', query: '' }],
    ['/mcp/crm/messages?sessionId=abc', { kind: 'messages', serverCode: 'crm', path: '/mcp/crm/messages', query: 'sessionId=abc' }],
  ])('%s is an MCP route', (url, route) => {
    expect(matchMcpRoute(url)).toEqual(route);
  });

  it.each(['/', '/mcp', '/mcp/', '/mcp//', '/mcpx/crm', '/api/v1/mcp/crm', '/mcp/crm/other', '/mcp/crm/sse/more', '/mcp/%E0%A4%A', '/healthz'])(
    '%s is not (the admin API answers it, or 404s)',
    (url) => {
      expect(matchMcpRoute(url)).toBeNull();
    },
  );
});
