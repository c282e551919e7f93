// The MCP endpoint /mcp/{server_code}: Streamable HTTP for the session revisions (2025-*) and the
// stateless one (2026-07-28), plus the legacy HTTP+SSE transport (2024-11-05). Mounted on Express
// directly, ahead of the admin API's middleware: the hot path pays only for what MCP needs.
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import express, { NextFunction, Request, Response, Router } from 'express';
import { clientIp } from '../../common/http/client-ip';
import { genRequestId } from '../../common/http/request-id';
import { KeyAuthenticator, KeyStoreUnavailable } from '../pipeline/key-authenticator';
import type { Caller } from '../pipeline/call-types';
import { RecordCall } from '../pipeline/record-call';
import { DispatchContext, Era, McpDispatcher } from '../protocol/dispatcher';
import { classify, fail, Incoming, ok, RpcCode, RpcException, RpcId, RpcRequest, RpcResponse } from '../protocol/jsonrpc';
import { allowsBatch, isSessionVersion, isStatelessVersion, META, STATELESS_VERSIONS } from '../protocol/versions';
import { McpSession, SESSION_STORE, SessionStore } from '../sessions/session-store';
import { SseStream } from '../sessions/sse-stream';
import { StreamRegistry } from '../sessions/stream-registry';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { header, HttpChecks } from './http-checks';

const SESSION_HEADER = 'mcp-session-id';
const VERSION_HEADER = 'mcp-protocol-version';
const UNAUTHORIZED_MESSAGE =
  'Unauthorized: send a valid API key for this endpoint as "Authorization: Bearer <key>" or "X-API-Key: <key>".';

interface Exchange {
  req: Request;
  res: Response;
  requestId: string;
  serverCode: string;
}

@Injectable()
export class McpHttpHandler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Mcp');
  /** In-flight requests by session and JSON-RPC id, for notifications/cancelled. */
  private readonly inflight = new Map<string, AbortController>();
  /** Set at shutdown: new requests are turned away so clients reconnect elsewhere, and open streams end. */
  private draining = false;

  constructor(
    private readonly checks: HttpChecks,
    private readonly auth: KeyAuthenticator,
    private readonly dispatcher: McpDispatcher,
    private readonly streams: StreamRegistry,
    private readonly recorder: RecordCall,
    private readonly failures: AuthFailureThrottle,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
  ) {
    sessions.onEvict((id) => streams.forget(id));
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
    // SDK clients reconnect a closed GET stream; while draining that reconnect is refused, so nothing stays open.
    this.streams.closeAll();
  }

  router(): Router {
    const r = express.Router();
    const wrap = (fn: (x: Exchange) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
      const x: Exchange = { req, res, requestId: genRequestId(req), serverCode: String(req.params.serverCode) };
      res.setHeader('X-Request-Id', x.requestId);
      if (this.draining) {
        res.setHeader('Connection', 'close');
        res.setHeader('Retry-After', '1');
        return void this.sendError(x, 503, null, RpcCode.INTERNAL_ERROR, 'This server is shutting down; retry (another replica will answer).');
      }
      const refused = this.checks.hostAndOrigin(req);
      if (refused) return void this.sendError(x, refused.status, null, refused.code, refused.message);
      fn(x).catch((err) => {
        this.logger.error({ err, requestId: x.requestId }, 'MCP request failed');
        if (!res.headersSent) this.sendError(x, 500, null, RpcCode.INTERNAL_ERROR, `Internal error (request id ${x.requestId}).`);
        else res.end();
        next();
      });
    };
    r.post('/:serverCode', wrap((x) => this.post(x)));
    r.get('/:serverCode', wrap((x) => this.openSessionStream(x)));
    r.delete('/:serverCode', wrap((x) => this.endSession(x)));
    r.get('/:serverCode/sse', wrap((x) => this.openLegacySse(x)));
    r.post('/:serverCode/messages', wrap((x) => this.legacyMessage(x)));
    r.all('/:serverCode', (_req, res) => void res.status(405).setHeader('Allow', 'GET, POST, DELETE').end());
    return r;
  }

  // ---- Streamable HTTP: POST ------------------------------------------------------------------

  private async post(x: Exchange): Promise<void> {
    const { req } = x;
    if (!this.checks.isJson(req)) {
      return this.sendError(x, 415, null, RpcCode.INVALID_REQUEST, 'Content-Type must be application/json.');
    }
    const body = await this.checks.readJson(req);
    if (!body.ok) return this.sendError(x, body.status, null, body.code, body.message);
    if (!this.checks.acceptsJsonAndSse(req)) {
      return this.sendError(x, 406, idOf(body.value), RpcCode.INVALID_REQUEST, 'Accept must list both application/json and text/event-stream.');
    }
    const era: Era = isStatelessMessage(body.value) || isStatelessVersion(header(req, VERSION_HEADER) ?? '') ? 'stateless' : 'session';
    const caller = await this.authenticate(x, body.value);
    if (!caller) return;
    if (era === 'stateless') return this.postStateless(x, caller, body.value);
    return this.postSession(x, caller, body.value);
  }

  /** 2026-07-28: every request carries its version and capabilities; headers must agree with the body. */
  private async postStateless(x: Exchange, caller: Caller, value: unknown): Promise<void> {
    if (Array.isArray(value)) return this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, 'Batches are not supported in protocol revision 2026-07-28.');
    const incoming = classify(value);
    if (incoming.kind === 'invalid') return this.sendError(x, 400, incoming.id, RpcCode.INVALID_REQUEST, `Invalid request: ${incoming.reason}.`);
    if (incoming.kind === 'response') return void x.res.status(202).end();
    const msg = incoming.message;
    const id = incoming.kind === 'request' ? incoming.message.id : null;
    const meta = (msg.params?._meta ?? {}) as Record<string, unknown>;
    const version = meta[META.protocolVersion];
    if (typeof version !== 'string' || !isStatelessVersion(version)) {
      return this.sendError(x, 400, id, RpcCode.UNSUPPORTED_VERSION, `Unsupported protocol version "${String(version)}".`, {
        supported: [...STATELESS_VERSIONS],
        requested: version ?? null,
      });
    }
    const mismatch = statelessHeaderMismatch(x.req, msg.method, msg.params, version);
    if (mismatch) return this.sendError(x, 400, id, RpcCode.HEADER_MISMATCH, mismatch);
    if (incoming.kind === 'notification') return void x.res.status(202).end();
    if (!meta[META.clientCapabilities] || typeof meta[META.clientCapabilities] !== 'object') {
      return this.sendError(x, 400, id, RpcCode.INVALID_PARAMS, `Missing params._meta["${META.clientCapabilities}"].`);
    }
    const client = (meta[META.clientInfo] ?? {}) as { name?: unknown; version?: unknown };
    if (msg.method === 'subscriptions/listen') return this.listen(x, caller, incoming.message);
    await this.answerRequest(x, 'stateless', caller, null, incoming.message, str(client.name), str(client.version));
  }

  /** 2025-*: initialize creates a session; every later request names it and is checked against its key. */
  private async postSession(x: Exchange, caller: Caller, value: unknown): Promise<void> {
    const { req, res } = x;
    const versionHeader = header(req, VERSION_HEADER);
    if (versionHeader !== undefined && !isSessionVersion(versionHeader)) {
      return this.sendError(x, 400, idOf(value), RpcCode.INVALID_REQUEST, `Unsupported MCP-Protocol-Version "${versionHeader}".`);
    }
    const messages = Array.isArray(value) ? value : [value];
    if (messages.length === 0) return this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, 'An empty batch is not a request.');
    const classified = messages.map(classify);
    if (!Array.isArray(value) && classified[0].kind === 'invalid') {
      return this.sendError(x, 400, classified[0].id, RpcCode.INVALID_REQUEST, `Invalid request: ${classified[0].reason}.`);
    }
    const initialize = classified.find((m) => m.kind === 'request' && m.message.method === 'initialize');
    if (initialize && initialize.kind === 'request') {
      if (messages.length > 1) return this.sendError(x, 400, initialize.message.id, RpcCode.INVALID_REQUEST, 'initialize must be sent alone.');
      return this.initialize(x, caller, initialize.message);
    }
    const sessionId = header(req, SESSION_HEADER);
    if (!sessionId) return this.sendError(x, 400, idOf(value), RpcCode.INVALID_REQUEST, 'Bad request: missing Mcp-Session-Id (send initialize first).');
    const session = await this.sessionFor(sessionId, caller, x.serverCode);
    if (!session) return this.sendError(x, 404, idOf(value), RpcCode.INVALID_REQUEST, 'Session not found: it ended or expired; initialize a new one.');
    if (Array.isArray(value) && !allowsBatch(session.protocolVersion)) {
      return this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, `Batches are not supported in protocol revision ${session.protocolVersion}.`);
    }
    await this.sessions.touch(session.id);
    const requests: RpcRequest[] = [];
    const immediate: RpcResponse[] = [];
    for (const m of classified) {
      if (m.kind === 'request') requests.push(m.message);
      else if (m.kind === 'notification') this.onNotification(session, m.message.method, m.message.params);
      else if (m.kind === 'invalid') immediate.push(fail(m.id, RpcCode.INVALID_REQUEST, `Invalid request: ${m.reason}.`));
    }
    if (requests.length === 0 && immediate.length === 0) return void res.status(202).end();
    if (!Array.isArray(value) && requests.length === 1) {
      return this.answerRequest(x, 'session', caller, session, requests[0], session.clientName, session.clientVersion);
    }
    const answers = await Promise.all(requests.map((r) => this.run(x, 'session', caller, session, r, session.clientName, session.clientVersion)));
    res.status(200).json([...immediate, ...answers]);
  }

  private async initialize(x: Exchange, caller: Caller, msg: RpcRequest): Promise<void> {
    const params = msg.params ?? {};
    const result = this.dispatcher.initializeResult(params, '');
    const client = (params.clientInfo ?? {}) as { name?: unknown; version?: unknown };
    const session = await this.sessions.create({
      transport: 'streamable-http',
      serverCode: x.serverCode,
      groupId: caller.group.id,
      tenantId: caller.group.tenantId,
      keyId: caller.key.id,
      protocolVersion: result.protocolVersion,
      clientName: str(client.name),
      clientVersion: str(client.version),
      logLevel: 'info',
    });
    this.streams.track(session.id, caller.group.id);
    x.res.setHeader('Mcp-Session-Id', session.id);
    x.res.status(200).json(ok(msg.id, result));
  }

  /** Answers one request as JSON, or as an SSE stream when the client asked for progress. */
  private async answerRequest(x: Exchange, era: Era, caller: Caller, session: McpSession | null, msg: RpcRequest, clientName: string | null, clientVersion: string | null): Promise<void> {
    const progressToken = (msg.params?._meta as Record<string, unknown> | undefined)?.progressToken;
    if (msg.method === 'tools/call' && (typeof progressToken === 'string' || typeof progressToken === 'number')) {
      const stream = new SseStream(x.res);
      const response = await this.run(x, era, caller, session, msg, clientName, clientVersion, (progress, total, message) =>
        stream.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) } }),
      );
      stream.send(response);
      return stream.close();
    }
    const response = await this.run(x, era, caller, session, msg, clientName, clientVersion);
    const status = 'error' in response && response.error ? this.statusFor(era, response) : 200;
    x.res.status(status).json(response);
  }

  private statusFor(era: Era, response: RpcResponse): number {
    return era === 'stateless' && 'error' in response && response.error.code === RpcCode.METHOD_NOT_FOUND ? 404 : 200;
  }

  /** Runs one request through the dispatcher; the client going away cancels it. */
  private async run(
    x: Exchange,
    era: Era,
    caller: Caller,
    session: McpSession | null,
    msg: RpcRequest,
    clientName: string | null,
    clientVersion: string | null,
    progress?: DispatchContext['progress'],
  ): Promise<RpcResponse> {
    const abort = new AbortController();
    const onClose = () => {
      if (!x.res.writableFinished) abort.abort();
    };
    x.res.on('close', onClose);
    const inflightKey = session ? `${session.id}:${String(msg.id)}` : null;
    if (inflightKey) this.inflight.set(inflightKey, abort);
    try {
      const result = await this.dispatcher.handle(msg, {
        era,
        caller,
        session,
        sessions: this.sessions,
        requestId: x.requestId,
        callerIp: clientIp(x.req),
        clientName,
        clientVersion,
        signal: abort.signal,
        progress,
      });
      return ok(msg.id, result);
    } catch (err) {
      if (err instanceof RpcException) return fail(msg.id, err.code, err.message, err.data);
      throw err;
    } finally {
      x.res.off('close', onClose);
      if (inflightKey) this.inflight.delete(inflightKey);
    }
  }

  private onNotification(session: McpSession, method: string, params: Record<string, unknown> | undefined): void {
    if (method === 'notifications/cancelled' && params && (typeof params.requestId === 'string' || typeof params.requestId === 'number')) {
      this.inflight.get(`${session.id}:${String(params.requestId)}`)?.abort();
    }
    // notifications/initialized and others need no answer.
  }

  // ---- Streamable HTTP: GET stream and DELETE ---------------------------------------------------

  /** GET and DELETE exist only in the session era: 405 for 2026-07-28, 400 for a version we do not speak. */
  private refuseVersionForSessionOnly(x: Exchange): boolean {
    const v = header(x.req, VERSION_HEADER);
    if (v !== undefined && isStatelessVersion(v)) {
      x.res.status(405).setHeader('Allow', 'POST').end();
      return true;
    }
    if (v !== undefined && !isSessionVersion(v)) {
      this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, `Unsupported MCP-Protocol-Version "${v}".`);
      return true;
    }
    return false;
  }

  private async openSessionStream(x: Exchange): Promise<void> {
    const { req, res } = x;
    if (this.refuseVersionForSessionOnly(x)) return;
    if (!this.checks.acceptsSse(req)) return this.sendError(x, 406, null, RpcCode.INVALID_REQUEST, 'Accept must include text/event-stream.');
    const caller = await this.authenticate(x, null);
    if (!caller) return;
    const sessionId = header(req, SESSION_HEADER);
    if (!sessionId) return this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, 'Bad request: missing Mcp-Session-Id.');
    const session = await this.sessionFor(sessionId, caller, x.serverCode);
    if (!session) return this.sendError(x, 404, null, RpcCode.INVALID_REQUEST, 'Session not found.');
    await this.sessions.touch(session.id);
    const stream = new SseStream(res);
    this.streams.track(session.id, session.groupId);
    this.streams.attach(session.id, stream, header(req, 'last-event-id'));
  }

  private async endSession(x: Exchange): Promise<void> {
    if (this.refuseVersionForSessionOnly(x)) return;
    const caller = await this.authenticate(x, null);
    if (!caller) return;
    const sessionId = header(x.req, SESSION_HEADER);
    if (!sessionId) return this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, 'Bad request: missing Mcp-Session-Id.');
    const session = await this.sessionFor(sessionId, caller, x.serverCode);
    if (!session) return this.sendError(x, 404, null, RpcCode.INVALID_REQUEST, 'Session not found.');
    await this.sessions.delete(session.id);
    this.streams.forget(session.id);
    x.res.status(200).end();
  }

  // ---- 2026-07-28 subscriptions/listen -------------------------------------------------------------

  private listen(x: Exchange, caller: Caller, msg: RpcRequest): void {
    const wanted = ((msg.params ?? {}).notifications ?? {}) as Record<string, unknown>;
    const stream = new SseStream(x.res);
    const subscriptionId = String(msg.id);
    stream.send({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { [META.subscriptionId]: subscriptionId } } });
    this.streams.subscribe({ groupId: caller.group.id, stream, subscriptionId, wantsToolsListChanged: wanted.toolsListChanged === true });
  }

  // ---- Legacy HTTP+SSE (2024-11-05) ---------------------------------------------------------------

  private async openLegacySse(x: Exchange): Promise<void> {
    const caller = await this.authenticate(x, null);
    if (!caller) return;
    const session = await this.sessions.create({
      transport: 'sse',
      serverCode: x.serverCode,
      groupId: caller.group.id,
      tenantId: caller.group.tenantId,
      keyId: caller.key.id,
      protocolVersion: '2024-11-05',
      clientName: null,
      clientVersion: null,
      logLevel: 'info',
    });
    const stream = new SseStream(x.res);
    this.streams.track(session.id, caller.group.id);
    this.streams.attach(session.id, stream);
    stream.sendRaw('endpoint', `${x.req.baseUrl}/${encodeURIComponent(x.serverCode)}/messages?sessionId=${session.id}`);
    stream.onClose(() => {
      void this.sessions.delete(session.id);
      this.streams.forget(session.id);
    });
  }

  private async legacyMessage(x: Exchange): Promise<void> {
    const { req, res } = x;
    if (!this.checks.isJson(req)) return this.sendError(x, 415, null, RpcCode.INVALID_REQUEST, 'Content-Type must be application/json.');
    const body = await this.checks.readJson(req);
    if (!body.ok) return this.sendError(x, body.status, null, body.code, body.message);
    const caller = await this.authenticate(x, body.value);
    if (!caller) return;
    const sessionId = typeof req.query.sessionId === 'string' ? req.query.sessionId : '';
    const session = sessionId ? await this.sessionFor(sessionId, caller, x.serverCode, 'sse') : null;
    if (!session || !this.streams.hasStream(session.id)) {
      return this.sendError(x, 404, idOf(body.value), RpcCode.INVALID_REQUEST, 'Session not found: open GET …/sse first.');
    }
    await this.sessions.touch(session.id);
    const incoming = classify(body.value);
    res.status(202).end('Accepted');
    if (incoming.kind === 'request') {
      const msg = incoming.message;
      if (msg.method === 'initialize') {
        const result = this.dispatcher.initializeResult(msg.params, '');
        const client = (msg.params?.clientInfo ?? {}) as { name?: unknown; version?: unknown };
        await this.sessions.update(session.id, { clientName: str(client.name), clientVersion: str(client.version) });
        this.streams.sendToSession(session.id, ok(msg.id, { ...result, protocolVersion: '2024-11-05' }), false);
        return;
      }
      const fresh = (await this.sessions.get(session.id)) ?? session;
      const response = await this.run(x, 'session', caller, fresh, msg, fresh.clientName, fresh.clientVersion);
      this.streams.sendToSession(session.id, response, false);
    } else if (incoming.kind === 'notification') {
      this.onNotification(session, incoming.message.method, incoming.message.params);
    } else if (incoming.kind === 'invalid') {
      this.streams.sendToSession(session.id, fail(incoming.id, RpcCode.INVALID_REQUEST, `Invalid request: ${incoming.reason}.`), false);
    }
  }

  // ---- shared ---------------------------------------------------------------------------------------

  /** The verified caller, or null after answering 401 (and logging the refusal). */
  private async authenticate(x: Exchange, body: unknown): Promise<Caller | null> {
    const ip = clientIp(x.req);
    const throttledFor = this.failures.retryAfterSeconds(ip);
    let result;
    try {
      result = await this.auth.authenticate(x.req.headers, x.serverCode, { knownKeysOnly: throttledFor > 0 });
    } catch (err) {
      if (!(err instanceof KeyStoreUnavailable)) throw err;
      // Not the caller's fault: say so, and let them retry, rather than a misleading 401.
      x.res.setHeader('Retry-After', '5');
      this.sendError(x, 503, idOf(body), RpcCode.INTERNAL_ERROR, 'The gateway cannot check API keys right now; retry shortly.');
      return null;
    }
    if (result.ok) return { key: result.key, group: result.group };
    const throttled = result.reason === 'throttled';
    if (!throttled) this.failures.recordFailure(ip);
    // Every refusal has its log row, throttled ones too (inserted in batches: cheap, unlike key lookups).
    const first = classify(Array.isArray(body) ? body[0] : body);
    const method = first.kind === 'request' || first.kind === 'notification' ? first.message.method : `${x.req.method} ${x.req.path}`;
    const toolName = first.kind === 'request' && first.message.method === 'tools/call' ? first.message.params?.name : null;
    await this.recorder.recordRefusal({
      requestId: x.requestId,
      callerIp: ip,
      method: method.slice(0, 100),
      toolName: typeof toolName === 'string' ? toolName.slice(0, 200) : null,
      outcome: 'unauthenticated',
      errorCode: result.reason.toUpperCase(),
    });
    if (throttled) {
      x.res.setHeader('Retry-After', String(throttledFor));
      this.sendError(x, 429, idOf(body), RpcCode.RATE_LIMITED, `Too many failed authentication attempts from your address; retry in ${throttledFor} s.`, {
        retryAfterSeconds: throttledFor,
      });
      return null;
    }
    x.res.setHeader('WWW-Authenticate', 'Bearer realm="toolgate-mcp", error="invalid_token"');
    this.sendError(x, 401, idOf(body), RpcCode.UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
    return null;
  }

  /** A session is found only with the key and endpoint that opened it: anything else looks like no session. */
  private async sessionFor(id: string, caller: Caller, serverCode: string, transport: McpSession['transport'] = 'streamable-http'): Promise<McpSession | null> {
    const session = await this.sessions.get(id);
    if (!session || session.transport !== transport || session.keyId !== caller.key.id || session.groupId !== caller.group.id || session.serverCode !== serverCode) return null;
    return session;
  }

  private sendError(x: Exchange, status: number, id: RpcId | null, code: number, message: string, data?: unknown): void {
    if (status >= 400 && status !== 401) this.logger.debug({ requestId: x.requestId, status, code, message }, 'MCP request refused');
    if (status === 413) {
      // The rest of the body was not read: answer, then drop the connection rather than drain it.
      x.res.setHeader('Connection', 'close');
      x.res.on('finish', () => x.req.socket.destroy());
    }
    x.res.status(status).json(fail(id, code, message, data));
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, 200) : null;
}

function idOf(body: unknown): RpcId | null {
  const first = Array.isArray(body) ? body[0] : body;
  const c: Incoming = classify(first);
  return c.kind === 'request' ? c.message.id : c.kind === 'invalid' || c.kind === 'response' ? c.id : null;
}

function isStatelessMessage(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const params = (value as { params?: unknown }).params;
  const meta = params && typeof params === 'object' ? (params as { _meta?: unknown })._meta : undefined;
  return !!meta && typeof meta === 'object' && META.protocolVersion in (meta as object);
}

/** 2026-07-28: MCP-Protocol-Version, Mcp-Method and (for named methods) Mcp-Name must repeat the body. */
function statelessHeaderMismatch(req: Request, method: string, params: Record<string, unknown> | undefined, version: string): string | null {
  const hVersion = header(req, VERSION_HEADER);
  if (hVersion !== version) return `Header MCP-Protocol-Version (${hVersion ?? 'missing'}) must equal params._meta protocol version (${version}).`;
  const hMethod = header(req, 'mcp-method');
  if (hMethod !== method) return `Header Mcp-Method (${hMethod ?? 'missing'}) must equal the body's method (${method}).`;
  const named = method === 'tools/call' || method === 'prompts/get' ? params?.name : method === 'resources/read' ? params?.uri : undefined;
  if (named !== undefined) {
    const hName = decodeHeaderValue(header(req, 'mcp-name'));
    if (hName !== named) return `Header Mcp-Name (${hName ?? 'missing'}) must equal the body's ${method === 'resources/read' ? 'uri' : 'name'}.`;
  }
  return null;
}

/** Values that are not plain ASCII travel as `=?base64?<data>?=`. */
function decodeHeaderValue(v: string | undefined): string | undefined {
  const m = v ? /^=\?base64\?(.*)\?=$/.exec(v) : null;
  return m ? Buffer.from(m[1], 'base64').toString('utf8') : v;
}
