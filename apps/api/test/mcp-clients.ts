// Real MCP clients from the official SDKs, connected over HTTP to a running test app.
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';

export const endpoint = (baseUrl: string, serverCode: string) => new URL(`/mcp/${serverCode}`, baseUrl);

/** 2025-11-25 (the SDK 1.x default): initialize, Mcp-Session-Id, GET stream. */
export async function sessionClient(baseUrl: string, serverCode: string, key: string | null, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(endpoint(baseUrl, serverCode), {
    requestInit: { headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...headers } },
  });
  const client = new ClientV1({ name: 'toolgate-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, transport };
}

/** 2026-07-28, stateless: the SDK 2.x client negotiating the modern revision. */
export async function statelessClient(baseUrl: string, serverCode: string, key: string) {
  const transport = new StreamableV2(endpoint(baseUrl, serverCode), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new ClientV2({ name: 'toolgate-test-2026', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } } as never);
  await client.connect(transport);
  return { client, transport };
}

/** The legacy HTTP+SSE transport (2024-11-05). */
export async function legacySseClient(baseUrl: string, serverCode: string, key: string) {
  const auth = { Authorization: `Bearer ${key}` };
  const transport = new SSEClientTransport(new URL(`/mcp/${serverCode}/sse`, baseUrl), {
    requestInit: { headers: auth },
    eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...auth } }) },
  });
  const client = new ClientV1({ name: 'toolgate-test-sse', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, transport };
}
