// The MCP requests the benchmark sends, written out by hand (docs/mcp-protocol-notes.md): the load
// generator replays raw HTTP, so no SDK client sits in the measured path.
import http from 'node:http';
import { ID } from './load.mjs';

export const SESSION_ERA = '2025-11-25';
export const STATELESS_ERA = '2026-07-28';

const CLIENT_INFO = { name: 'toolgate-bench', version: '1.0.0' };
const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
/** Echoed text: plain, and free of the word the error check looks for. */
export const ECHO_TEXT = 'toolgate benchmark payload';

// node:http with keep-alive rather than fetch: cheaper per request, so client-side timings (S3's page
// walks) carry less of the client's own cost.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function post(url, headers, body) {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...BASE_HEADERS, ...headers, 'content-length': payload.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ res: { status: res.statusCode, headers: { get: (name) => res.headers[name.toLowerCase()] ?? null } }, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The JSON-RPC message of a response body: plain JSON, or the last `data:` line of an SSE stream. */
export function parseMessage(text) {
  try {
    return JSON.parse(text);
  } catch {
    const data = text.split('\n').filter((l) => l.startsWith('data:')).at(-1);
    if (!data) return null;
    try {
      return JSON.parse(data.slice(5));
    } catch {
      return null;
    }
  }
}

/**
 * The 2025 handshake, done once: initialize, then notifications/initialized. Resolves to the session
 * id that every later request repeats.
 */
export async function openSession(url, auth = {}) {
  const init = await post(url, auth, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: SESSION_ERA, capabilities: {}, clientInfo: CLIENT_INFO },
  });
  const sessionId = init.res.headers.get('mcp-session-id');
  if (init.res.status !== 200 || !sessionId) throw new Error(`initialize at ${url} failed: HTTP ${init.res.status} ${init.text.slice(0, 300)}`);
  const version = parseMessage(init.text)?.result?.protocolVersion;
  if (version !== SESSION_ERA) throw new Error(`initialize at ${url} negotiated ${version}, not ${SESSION_ERA}`);
  const headers = { ...auth, 'mcp-session-id': sessionId, 'mcp-protocol-version': SESSION_ERA };
  const initialized = await post(url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
  if (initialized.res.status !== 202) throw new Error(`notifications/initialized at ${url}: HTTP ${initialized.res.status}`);
  return { sessionId, headers };
}

/** The 2026-07-28 `_meta` envelope every stateless request carries. */
export const envelope = () => ({
  'io.modelcontextprotocol/protocolVersion': STATELESS_ERA,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
});

/**
 * A request for the load generator: { headers, body } with `[<id>]` as the JSON-RPC id (and in
 * X-Request-Id when requestIdPrefix is given).
 *
 * - era: SESSION_ERA (needs sessionHeaders from openSession) or STATELESS_ERA.
 * - method: 'tools/call' (of `tool`, an echo: `echo` unless named otherwise) or 'tools/list'.
 */
export function loadRequest({ era, method, auth = {}, sessionHeaders = {}, requestIdPrefix = null, cursor, tool = 'echo' }) {
  const params = method === 'tools/call' ? { name: tool, arguments: { text: ECHO_TEXT } } : cursor ? { cursor } : {};
  const headers = { ...BASE_HEADERS, ...auth };
  if (requestIdPrefix) headers['x-request-id'] = `${requestIdPrefix}${ID}`;
  if (era === SESSION_ERA) {
    Object.assign(headers, sessionHeaders);
  } else {
    params._meta = envelope();
    headers['mcp-protocol-version'] = STATELESS_ERA;
    headers['mcp-method'] = method;
    if (method === 'tools/call') headers['mcp-name'] = tool;
  }
  // The id is a string so the placeholder stays valid JSON after replacement.
  const body = JSON.stringify({ jsonrpc: '2.0', id: ID, method, params });
  return { headers, body };
}

/** Sends one request (fetch, keep-alive) and returns { status, json }. */
export async function sendOnce(url, { headers, body }, id = 'probe-1') {
  const { res, text } = await post(url, { ...headers, ...(headers['x-request-id'] ? { 'x-request-id': headers['x-request-id'].replace(ID, id) } : {}) }, JSON.parse(body.replace(ID, id)));
  return { status: res.status, json: parseMessage(text), text };
}
