// One tools/call through a group's real MCP endpoint, as an agent makes it: POST /mcp/{serverCode} on the
// console's origin (forwarded to the gateway), the stateless 2026-07-28 form (docs/mcp-protocol-notes.md §1):
// one request, the version, method and tool name repeated in headers, client info in params._meta. A progress
// token asks the gateway to answer as an event stream, so progress notifications arrive before the result.

export const MCP_PROTOCOL_VERSION = '2026-07-28';
const RPC_ID = 1;

export interface ContentBlock {
  type: string;
  [field: string]: unknown;
}

export interface ToolCallResult {
  content?: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
  [field: string]: unknown;
}

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface McpProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface McpCallOutcome {
  /** The X-Request-Id sent, which the gateway writes on the call's log row. */
  requestId: string;
  httpStatus: number;
  durationMs: number;
  result: ToolCallResult | null;
  error: RpcError | null;
  /** The final JSON-RPC message as received, for the "raw" view. */
  raw: unknown;
}

/** A request id the API accepts as given (`[A-Za-z0-9._:-]{1,64}`); getRandomValues works on plain http too. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `playground-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Header values that are not plain printable ASCII travel base64-encoded (spec "Value Encoding"). */
function headerValue(value: string): string {
  const plain = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !value.startsWith('=?base64?');
  if (plain) return value;
  const bytes = new TextEncoder().encode(value);
  return `=?base64?${btoa(String.fromCharCode(...bytes))}?=`;
}

/** `Mcp-Param-{Name}` headers for top-level arguments whose schema says `"x-mcp-header": "<Name>"`. */
function paramHeaders(inputSchema: Record<string, unknown>, args: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  const properties = inputSchema.properties;
  if (!properties || typeof properties !== 'object') return headers;
  for (const [name, property] of Object.entries(properties as Record<string, Record<string, unknown>>)) {
    const header = property?.['x-mcp-header'];
    const value = args[name];
    if (typeof header === 'string' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      headers[`Mcp-Param-${header}`] = headerValue(String(value));
    }
  }
  return headers;
}

export async function callToolOverMcp(options: {
  endpoint: string;
  apiKey: string;
  toolName: string;
  args: Record<string, unknown>;
  inputSchema: Record<string, unknown>;
  requestId: string;
  signal: AbortSignal;
  onProgress?(progress: McpProgress): void;
}): Promise<McpCallOutcome> {
  const { endpoint, apiKey, toolName, args, inputSchema, requestId, signal, onProgress } = options;
  const started = performance.now();
  const body = {
    jsonrpc: '2.0',
    id: RPC_ID,
    method: 'tools/call',
    params: {
      name: toolName,
      arguments: args,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MCP_PROTOCOL_VERSION,
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': { name: 'toolgate-console-playground', version: '1.0.0' },
        progressToken: RPC_ID,
      },
    },
  };
  const response = await fetch(endpoint, {
    method: 'POST',
    // The gateway authenticates the key only; the console's session cookie has no business there.
    credentials: 'omit',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${apiKey}`,
      'MCP-Protocol-Version': MCP_PROTOCOL_VERSION,
      'Mcp-Method': 'tools/call',
      'Mcp-Name': headerValue(toolName),
      'X-Request-Id': requestId,
      ...paramHeaders(inputSchema, args),
    },
    body: JSON.stringify(body),
    signal,
  });

  const contentType = response.headers.get('content-type') ?? '';
  let message: unknown = null;
  if (contentType.includes('text/event-stream') && response.body) {
    message = await readEventStream(response.body, (event) => {
      if (isProgress(event)) onProgress?.(event.params as McpProgress);
    });
  } else {
    const text = await response.text();
    try {
      message = text ? JSON.parse(text) : null;
    } catch {
      message = text;
    }
  }

  const outcome: McpCallOutcome = {
    requestId: response.headers.get('x-request-id') ?? requestId,
    httpStatus: response.status,
    durationMs: Math.round(performance.now() - started),
    result: null,
    error: null,
    raw: message,
  };
  if (isObject(message) && isObject(message.result)) outcome.result = message.result as ToolCallResult;
  else if (isObject(message) && isObject(message.error)) outcome.error = message.error as unknown as RpcError;
  else outcome.error = { code: 0, message: typeof message === 'string' && message ? message : `HTTP ${response.status}` };
  return outcome;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isProgress(event: unknown): event is { method: string; params: unknown } {
  return isObject(event) && event.method === 'notifications/progress' && isObject(event.params);
}

/** Reads `event: message / data: …` frames until the response to our request arrives (or the stream ends). */
async function readEventStream(stream: ReadableStream<Uint8Array>, onEvent: (message: unknown) => void): Promise<unknown> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let final: unknown = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (!data) continue;
        let message: unknown;
        try {
          message = JSON.parse(data);
        } catch {
          continue;
        }
        if (isObject(message) && message.id === RPC_ID && ('result' in message || 'error' in message)) {
          final = message;
          return final;
        }
        onEvent(message);
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return final;
}
