#!/usr/bin/env node
// The commit floor: the least any server can do that answers S1's `tools/call` echo only after the call's log row
// is committed. Bare `node:http`, no auth, no validation, no session checks: read the body, add one row (the
// gateway's columns and values) to a group commit (one INSERT in flight, the next batch gathering meanwhile, the
// gateway's own `json_to_recordset` statement), answer the JSON-RPC result once the batch is committed.
//
// S1 runs it beside the gateway so that each run says how close the gateway comes to that floor, and whether a
// ratio to the bare SDK server (which commits nothing) is reachable at all on the machine at hand.
//
//   node bench/commit-floor-server.mjs --database-url=postgres://… [--port=N]
//
// Prints one line `{"listening":"http://127.0.0.1:<port>/mcp"}` on stdout once it accepts connections.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const port = Number(arg('port', 0));
const databaseUrl = arg('database-url', process.env.DATABASE_URL);
if (!databaseUrl) throw new Error('--database-url is required');

const INSERT = {
  name: 'floor_call_logs_insert',
  text: `INSERT INTO call_logs (id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments, result_summary, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id)
  SELECT id, created_at, tenant_id, group_id, api_key_id, tool_id, tool_name, method, session_id, client_name,
    client_version, caller_ip, arguments, result_summary, is_error, outcome, error_code, duration_ms, upstream_duration_ms, request_id
  FROM json_to_recordset($1::json) AS u(id uuid, created_at timestamptz, tenant_id uuid, group_id uuid, api_key_id uuid, tool_id uuid,
    tool_name text, method text, session_id text, client_name text, client_version text, caller_ip text, arguments jsonb,
    result_summary jsonb, is_error boolean, outcome text, error_code text, duration_ms integer, upstream_duration_ms integer, request_id text)`,
};
// Rows of their own tenant, so that they never mix with the gateway's in S4's counts.
const TENANT = randomUUID();
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });

let open = null;
let inFlight = false;

/** Resolves once the row is committed: one INSERT at a time, rows written meanwhile go in the next one. */
function commit(rowJson) {
  if (!open) {
    open = { rows: [], waiters: [] };
    if (!inFlight) setImmediate(flush);
  }
  open.rows.push(rowJson);
  return new Promise((resolve, reject) => open.waiters.push({ resolve, reject }));
}

async function flush() {
  if (inFlight || !open) return;
  const batch = open;
  open = null;
  inFlight = true;
  try {
    await pool.query({ ...INSERT, values: [`[${batch.rows.join(',')}]`] });
    for (const w of batch.waiters) w.resolve();
  } catch (error) {
    for (const w of batch.waiters) w.reject(error);
  } finally {
    inFlight = false;
    if (open) void flush();
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const started = Date.now();
    let msg;
    try {
      msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    if (msg.id === undefined) return void res.writeHead(202).end();
    if (msg.method === 'initialize') {
      res.setHeader('mcp-session-id', randomUUID());
      return send(res, 200, { jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'commit-floor', version: '1.0.0' } } });
    }
    const args = msg.params?.arguments ?? {};
    const result = { content: [{ type: 'text', text: String(args.text ?? '') }], structuredContent: { text: String(args.text ?? '') } };
    const row = {
      id: randomUUID(),
      created_at: new Date(started).toISOString(),
      tenant_id: TENANT,
      group_id: null,
      api_key_id: null,
      tool_id: null,
      tool_name: msg.params?.name ?? null,
      method: msg.method,
      session_id: req.headers['mcp-session-id'] ?? null,
      client_name: null,
      client_version: null,
      caller_ip: req.socket.remoteAddress ?? null,
      arguments: args,
      result_summary: result,
      is_error: false,
      outcome: 'ok',
      error_code: null,
      duration_ms: Date.now() - started,
      upstream_duration_ms: 0,
      request_id: req.headers['x-request-id'] ?? null,
    };
    try {
      await commit(JSON.stringify(row));
    } catch (error) {
      return send(res, 500, { jsonrpc: '2.0', id: msg.id, error: { code: -32603, message: `not committed: ${error.message}` } });
    }
    send(res, 200, { jsonrpc: '2.0', id: msg.id, result });
  });
});
server.keepAliveTimeout = 60_000;

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${server.address().port}/mcp`, pid: process.pid })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close(() => void pool.end().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 1000).unref();
    server.closeAllConnections?.();
  });
}
