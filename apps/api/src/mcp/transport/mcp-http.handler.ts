// The MCP endpoint /mcp/{server_code}: Streamable HTTP for the session revisions (2025-*) and the
// stateless one (2026-07-28), plus the legacy HTTP+SSE transport (2024-11-05). Served straight from
// node:http, ahead of Express (app.factory): the hot path pays for no router, middleware or res.json.
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { clientAddress, TrustProxy } from '../../common/http/client-ip';
import { closeAfterAnswer } from '../../common/http/close-after-answer';
import { genRequestId } from '../../common/http/request-id';
import { KeyAuthenticator, KeyStoreUnavailable } from '../pipeline/key-authenticator';
import type { Caller } from '../pipeline/call-types';
import { CallCancellation } from '../pipeline/deadline';
import { RecordCall } from '../pipeline/record-call';
import { DispatchContext, Era, McpDispatcher } from '../protocol/dispatcher';
import { classify, fail, Incoming, ok, RpcCode, RpcException, RpcId, RpcRequest, RpcResponse } from '../protocol/jsonrpc';
import { allowsBatch, isSessionVersion, isStatelessVersion, META, STATELESS_VERSIONS } from '../protocol/versions';
import { SessionRelay } from '../sessions/session-relay';
import { McpSession, SESSION_STORE, SessionStore } from '../sessions/session-store';
import { SseStream } from '../sessions/sse-stream';
import { StreamRegistry } from '../sessions/stream-registry';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { header, HttpChecks } from './http-checks';
import { matchMcpRoute, McpRoute } from './mcp-route';
import { sendEmpty, sendJson } from './send';

/** Messages one 2025-03-26 batch may hold. */
export const MAX_BATCH_MESSAGES = 32;

const SESSION_HEADER = 'mcp-session-id';
const VERSION_HEADER = 'mcp-protocol-version';
const UNAUTHORIZED_MESSAGE =
  'Unauthorized: send a valid API key for this endpoint as "Authorization: Bearer <key>" or "X-API-Key: <key>".';

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  route: McpRoute;
  /** The caller's address (X-Forwarded-For read as Express's `trust proxy` says). */
  ip: string | null;
}

/** What the endpoint hands back to: the Express app, for everything that is not an MCP route. */
export interface McpListenerOptions {
  fallback: RequestListener;
  trustProxy: TrustProxy;
}

@Injectable()
export class McpHttpHandler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Mcp');
  /** In-flight requests by session and JSON-RPC id, for notifications/cancelled. */
  private readonly inflight = new Map<string, CallCancellation>();
  /** Set at shutdown: new requests are turned away so clients reconnect elsewhere, and open streams end. */
  private draining = false;

  constructor(
    private readonly checks: HttpChecks,
    private readonly auth: KeyAuthenticator,
    private readonly dispatcher: McpDispatcher,
    private readonly streams: StreamRegistry,
    private readonly relay: SessionRelay,
    private readonly recorder: RecordCall,
    private readonly failures: AuthFailureThrottle,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
  ) {
    sessions.onEvict((id) => streams.forget(id));
  }

  beforeApplicationShutdown(): void {
    this.stopAccepting();
    this.closeStreams();
  }

  /** Shutdown, first step: new requests get 503 with Retry-After and Connection: close; in-flight ones go on. */
  stopAccepting(): void {
    this.draining = true;
  }

  /** Shutdown, once in-flight calls are answered: open streams end (a legacy SSE session's answers travel on its stream). */
  closeStreams(): void {
    // SDK clients reconnect a closed GET stream; while draining that reconnect is refused, so nothing stays open.
    this.streams.closeAll();
  }

  /**
   * The server's `request` listener: MCP routes are answered here, anything else goes to `fallback`.
   * Unknown methods on the endpoint get 405; other paths under /mcp fall through to the admin API's 404.
   */
  listener({ fallback, trustProxy }: McpListenerOptions): RequestListener {
    return (req, res) => {
      const route = matchMcpRoute(req.url ?? '/');
      const serve = route && this.handlerFor(route.kind, req.method);
      if (!route || serve === undefined) return fallback(req, res);
      const x: Exchange = { req, res, requestId: genRequestId(req), route, ip: clientAddress(req, trustProxy) };
      res.setHeader('X-Request-Id', x.requestId);
      if (serve === null) {
        res.setHeader('Allow', 'GET, POST, DELETE');
        return sendEmpty(res, 405);
      }
      if (this.draining) {
        res.setHeader('Retry-After', '1');
        return this.sendError(x, 503, null, RpcCode.INTERNAL_ERROR, 'This server is shutting down; retry (another replica will answer).');
      }
      const refused = this.checks.hostAndOrigin(req);
      if (refused) return this.sendError(x, refused.status, null, refused.code, refused.message);
      serve.call(this, x).catch((err: unknown) => {
        this.logger.error({ err, requestId: x.requestId }, 'MCP request failed');
        if (!res.headersSent) this.sendError(x, 500, null, RpcCode.INTERNAL_ERROR, `Internal error (request id ${x.requestId}).`);
        else res.end();
      });
    };
  }

  /** The handler of a route and method; null for a method the endpoint refuses (405), undefined for no route at all. */
  private handlerFor(kind: McpRoute['kind'], method: string | undefined): ((x: Exchange) => Promise<void>) | null | undefined {
    switch (kind) {
      case 'endpoint':
        return method === 'POST' ? this.post : method === 'GET' ? this.openSessionStream : method === 'DELETE' ? this.endSession : null;
      case 'sse':
        return method === 'GET' ? this.openLegacySse : undefined;
      case 'messages':
        return method === 'POST' ? this.legacyMessage : undefined;
    }
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
    if (incoming.kind === 'response') return sendEmpty(x.res, 202);
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
    if (incoming.kind === 'notification') return sendEmpty(x.res, 202);
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
    // Every element runs at once: an unbounded batch would be a way around the per-request limits.
    if (messages.length > MAX_BATCH_MESSAGES) {
      return this.sendError(x, 400, null, RpcCode.INVALID_REQUEST, `A batch may hold at most ${MAX_BATCH_MESSAGES} messages; send the rest in further requests.`);
    }
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
    const session = await this.sessionFor(sessionId, caller, x.route.serverCode);
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
    if (requests.length === 0 && immediate.length === 0) return sendEmpty(res, 202);
    if (!Array.isArray(value) && requests.length === 1) {
      return this.answerRequest(x, 'session', caller, session, requests[0], session.clientName, session.clientVersion);
    }
    // Each request of the batch listens for the client going away (at most MAX_BATCH_MESSAGES): not a leak.
    res.setMaxListeners(res.getMaxListeners() + requests.length);
    const answers = await Promise.all(requests.map((r) => this.run(x, 'session', caller, session, r, session.clientName, session.clientVersion)));
    sendJson(res, 200, [...immediate, ...answers]);
  }

  private async initialize(x: Exchange, caller: Caller, msg: RpcRequest): Promise<void> {
    const params = msg.params ?? {};
    const result = this.dispatcher.initializeResult(params, '');
    const client = (params.clientInfo ?? {}) as { name?: unknown; version?: unknown };
    const session = await this.sessions.create({
      transport: 'streamable-http',
      serverCode: x.route.serverCode,
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
    sendJson(x.res, 200, ok(msg.id, result));
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
    sendJson(x.res, status, response);
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
    const cancellation = new CallCancellation();
    const onClose = () => {
      if (!x.res.writableFinished) cancellation.abort();
    };
    x.res.on('close', onClose);
    const inflightKey = session ? `${session.id}:${String(msg.id)}` : null;
    if (inflightKey) this.inflight.set(inflightKey, cancellation);
    try {
      const result = await this.dispatcher.handle(msg, {
        era,
        caller,
        session,
        sessions: this.sessions,
        requestId: x.requestId,
        callerIp: x.ip,
        clientName,
        clientVersion,
        cancellation,
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
      x.res.setHeader('Allow', 'POST');
      sendEmpty(x.res, 405);
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
    const session = await this.sessionFor(sessionId, caller, x.route.serverCode);
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
    const session = await this.sessionFor(sessionId, caller, x.route.serverCode);
    if (!session) return this.sendError(x, 404, null, RpcCode.INVALID_REQUEST, 'Session not found.');
    await this.sessions.delete(session.id);
    this.streams.forget(session.id);
    sendEmpty(x.res, 200);
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
      serverCode: x.route.serverCode,
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
    stream.sendRaw('endpoint', `/mcp/${encodeURIComponent(x.route.serverCode)}/messages?sessionId=${session.id}`);
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
    const sessionId = new URLSearchParams(x.route.query).get('sessionId') ?? '';
    const session = sessionId ? await this.sessionFor(sessionId, caller, x.route.serverCode, 'sse') : null;
    if (!session || !this.relay.canReach(session.id)) {
      return this.sendError(x, 404, idOf(body.value), RpcCode.INVALID_REQUEST, 'Session not found: open GET …/sse first.');
    }
    await this.sessions.touch(session.id);
    const incoming = classify(body.value);
    sendEmpty(res, 202, 'Accepted');
    if (incoming.kind === 'request') {
      const msg = incoming.message;
      if (msg.method === 'initialize') {
        const result = this.dispatcher.initializeResult(msg.params, '');
        const client = (msg.params?.clientInfo ?? {}) as { name?: unknown; version?: unknown };
        await this.sessions.update(session.id, { clientName: str(client.name), clientVersion: str(client.version) });
        this.relay.deliver(session.id, ok(msg.id, { ...result, protocolVersion: '2024-11-05' }));
        return;
      }
      const fresh = (await this.sessions.get(session.id)) ?? session;
      const response = await this.run(x, 'session', caller, fresh, msg, fresh.clientName, fresh.clientVersion);
      this.relay.deliver(session.id, response);
    } else if (incoming.kind === 'notification') {
      this.onNotification(session, incoming.message.method, incoming.message.params);
    } else if (incoming.kind === 'invalid') {
      this.relay.deliver(session.id, fail(incoming.id, RpcCode.INVALID_REQUEST, `Invalid request: ${incoming.reason}.`));
    }
  }

  // ---- shared ---------------------------------------------------------------------------------------

  /** The verified caller, or null after answering 401 (and logging the refusal). */
  private async authenticate(x: Exchange, body: unknown): Promise<Caller | null> {
    const ip = x.ip;
    const throttledFor = this.failures.retryAfterSeconds(ip);
    let result;
    try {
      result = await this.auth.authenticate(x.req.headers, x.route.serverCode, { knownKeysOnly: throttledFor > 0 });
    } catch (err) {
      if (!(err instanceof KeyStoreUnavailable)) throw err;
      // Not the caller's fault: say so, and let them retry, rather than a misleading 401.
      x.res.setHeader('Retry-After', '5');
      this.sendError(x, 503, idOf(body), RpcCode.INTERNAL_ERROR, 'The gateway cannot check API keys right now; retry shortly.');
      return null;
    }
    // The verified answer is shared by every call of the key (frozen): it is the caller as it is.
    if (result.ok) return result;
    const throttled = result.reason === 'throttled';
    if (!throttled) this.failures.recordFailure(ip);
    // Every refusal has its log row, throttled ones too (inserted in batches: cheap, unlike key lookups).
    const first = classify(Array.isArray(body) ? body[0] : body);
    const method = first.kind === 'request' || first.kind === 'notification' ? first.message.method : `${x.req.method} ${x.route.path}`;
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
    // The rest of the body was not read (413), or the server is going away (503): answer, then close without a reset.
    if (status === 413 || this.draining) closeAfterAnswer(x.req, x.res);
    sendJson(x.res, status, fail(id, code, message, data));
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
function statelessHeaderMismatch(req: IncomingMessage, method: string, params: Record<string, unknown> | undefined, version: string): string | null {
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
