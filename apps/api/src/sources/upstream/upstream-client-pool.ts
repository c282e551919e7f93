// Connections to upstream MCP servers: one SDK Client per source (per replica for remote kinds), created on first
// use and reused by every call; each call runs under one deadline through breaker, retry policy and replica failover.
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ListToolsResultSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AttemptScope, CallDeadline } from './call-deadline';
import { BreakerState, CircuitBreaker } from './circuit-breaker';
import { LatencyWindow } from './latency-window';
import { ReplicaSelector } from './replica-selector';
import { isTransientFailure, mayRetry, RetryBudget, RetryBudgetOptions, withRetries } from './retry-policy';
import { RestartBackoff, UpstreamConnection } from './upstream-connection';
import { DirectCallTarget, directToolCall, GuardedPost } from './direct-tool-call';
import { breakerOutcome, isHttpStatus, requestError } from './upstream-errors';
import { createUpstreamTransport, FetchFactory, TransportFactory, upstreamHeaders, UpstreamFetch, UpstreamTransportTarget } from './upstream-transport';
import {
  RemoteSourceConfig,
  ResilienceConfig,
  ResolvedSource,
  StdioSourceConfig,
  ToolResult,
  UpstreamCallOptions,
  UpstreamError,
  UpstreamTool,
} from './upstream.types';

export interface UpstreamStatus {
  state: 'idle' | 'connecting' | 'ready' | 'open-circuit' | 'failed';
  inFlight: number;
  lastError: string | null;
  /** Over the last 128 calls; null before the first. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Restarts of a stdio process after it exited on its own. */
  restarts: number;
  /** The stdio process while it runs. */
  pid: number | null;
}

export interface UpstreamClientPoolOptions {
  /** Makes the fetch of remote transports from the tenant's allowlist (the SSRF guard); global fetch otherwise. */
  fetchFactory?: FetchFactory;
  /** Replaced in tests to observe transport creation. */
  transportFactory?: TransportFactory;
  /** Delay before restarting a stdio process that exited on its own (1 s, doubling to 30 s). */
  restartBackoff?: RestartBackoff;
  retryBudget?: RetryBudgetOptions;
  /** Base of the exponential retry backoff (100 ms). */
  retryBaseDelayMs?: number;
  clientInfo?: { name: string; version: string };
  now?: () => number;
}

export const UPSTREAM_CLIENT_POOL_OPTIONS = 'UPSTREAM_CLIENT_POOL_OPTIONS';

export type CallToolOptions = UpstreamCallOptions & {
  /** The call's one overall deadline, retries included. */
  timeoutMs: number;
};

export interface ListToolsOptions {
  signal?: AbortSignal;
  /** Overall deadline of the listing, every page and retry included (default: the attempt timeout). */
  timeoutMs?: number;
}

const DEFAULTS: Required<ResilienceConfig> = {
  attemptTimeoutSeconds: 30,
  breakerFailureThreshold: 5,
  breakerOpenSeconds: 30,
  maxRetries: 2,
  maxResponseBytes: 1024 * 1024,
};
const DEFAULT_IDLE_STOP_SECONDS = 600;
const MAX_TOOL_PAGES = 100;
/** The SDK validates the result shape itself when given its schema; we take it raw to measure and classify it. */
const RawResult = z.looseObject({});

/** Everything the pool keeps for one source. */
class SourceEntry {
  inFlight = 0;
  lastError: string | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  readonly latencies = new LatencyWindow();

  constructor(
    readonly source: ResolvedSource,
    readonly fingerprint: string,
    readonly name: string,
    readonly resilience: Required<ResilienceConfig>,
    readonly selector: ReplicaSelector<UpstreamConnection>,
    readonly budget: RetryBudget,
    /** The fetch made for this source, per factory (one unless the factory was swapped meanwhile). */
    readonly fetches: Map<FetchFactory | undefined, UpstreamFetch>,
  ) {}

  get connections(): readonly UpstreamConnection[] {
    return this.selector.replicas;
  }
}

@Injectable()
export class UpstreamClientPool implements OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamClientPool.name);
  private readonly entries = new Map<string, SourceEntry>();
  private readonly toolsChangedListeners = new Set<(sourceId: string) => void>();
  private fetchFactory: FetchFactory | undefined;
  private readonly transportFactory: TransportFactory;
  private readonly now: () => number;
  private shuttingDown = false;

  constructor(@Optional() @Inject(UPSTREAM_CLIENT_POOL_OPTIONS) private readonly options: UpstreamClientPoolOptions = {}) {
    this.options = options ?? {};
    this.fetchFactory = this.options.fetchFactory;
    this.transportFactory = this.options.transportFactory ?? createUpstreamTransport;
    this.now = this.options.now ?? Date.now;
  }

  /** Plugs in the SSRF-guarded fetch; connections opened from now on use it. */
  useFetchFactory(factory: FetchFactory): void {
    this.fetchFactory = factory;
  }

  /** Every tool the upstream lists, following `nextCursor` through every page. Read-only, so retried. */
  async listTools(source: ResolvedSource, options: ListToolsOptions = {}): Promise<UpstreamTool[]> {
    const entry = this.entryFor(source);
    return this.run(entry, options.signal ?? new AbortController().signal, options.timeoutMs ?? entry.resilience.attemptTimeoutSeconds * 1000, true, (client, attempt, call) =>
      this.listAllPages(entry, client, attempt, call),
    );
  }

  /**
   * Calls one tool. Progress notifications reach `onProgress`; aborting `signal` or passing `timeoutMs` cancels the
   * request upstream. Throws UpstreamError: CIRCUIT_OPEN (fast), UNAVAILABLE, TIMEOUT, CANCELLED, RESPONSE_TOO_LARGE,
   * MALFORMED_RESPONSE, REFUSED_ADDRESS, UPSTREAM_ERROR (a JSON-RPC error from the upstream). A tool's own failure
   * is a normal result with `isError: true`.
   */
  async callTool(source: ResolvedSource, name: string, args: Record<string, unknown>, options: CallToolOptions): Promise<ToolResult> {
    const entry = this.entryFor(source);
    const onProgress = options.onProgress;
    return this.run(entry, options.signal, options.timeoutMs, options.retryable, async (client, attempt, call, conn) => {
      const progress = onProgress ? conn.watchProgress(onProgress) : undefined;
      try {
        const params = { name, arguments: args, ...(progress ? { _meta: { progressToken: progress.token } } : {}) };
        // Streamable HTTP: straight onto the client's session (direct-tool-call.ts); stdio and legacy SSE through the
        // SDK, whose own timer only backs up our signals.
        const direct = conn.directSession(client);
        const raw = direct
          ? await directToolCall(direct, params, attempt.signal)
          : await client.request({ method: 'tools/call', params }, RawResult, { signal: attempt.signal, timeout: call.remainingMs + 1000 });
        return this.toToolResult(entry, name, raw);
      } finally {
        progress?.dispose();
      }
    });
  }

  /** Fired when an upstream sends notifications/tools/list_changed. Returns an unsubscribe function. */
  onToolsChanged(listener: (sourceId: string) => void): () => void {
    this.toolsChangedListeners.add(listener);
    return () => this.toolsChangedListeners.delete(listener);
  }

  status(sourceId: string): UpstreamStatus {
    const entry = this.entries.get(sourceId);
    if (!entry) return { state: 'idle', inFlight: 0, lastError: null, p50Ms: null, p95Ms: null, restarts: 0, pid: null };
    const states = entry.connections.map((c) => c.state);
    const state: UpstreamStatus['state'] = entry.selector.allOpen
      ? 'open-circuit'
      : states.includes('ready')
        ? 'ready'
        : states.includes('connecting')
          ? 'connecting'
          : states.includes('failed')
            ? 'failed'
            : 'idle';
    return {
      state,
      inFlight: entry.inFlight,
      lastError: entry.lastError ?? entry.connections.find((c) => c.lastError)?.lastError ?? null,
      p50Ms: entry.latencies.quantile(0.5),
      p95Ms: entry.latencies.quantile(0.95),
      restarts: entry.connections.reduce((n, c) => n + c.restarts, 0),
      pid: entry.connections[0].pid,
    };
  }

  /** Every breaker of every source in use, replica by replica (for /metrics). */
  breakerStates(): Array<{ sourceId: string; sourceName: string; replica: number; state: BreakerState }> {
    return [...this.entries.values()].flatMap((e) => e.connections.map((c, replica) => ({ sourceId: e.source.id, sourceName: e.name, replica, state: c.breaker.state })));
  }

  /** Starts the stdio sources marked `startOnBoot` (failures are logged; the next call retries). */
  async startAtBoot(sources: ResolvedSource[]): Promise<void> {
    const boot = sources.filter((s) => s.kind === 'mcp_stdio' && (s.config as StdioSourceConfig).startOnBoot);
    await Promise.all(
      boot.map(async (source) => {
        const entry = this.entryFor(source);
        const call = new CallDeadline(new AbortController().signal, entry.resilience.attemptTimeoutSeconds * 1000, this.now);
        this.callStarted(entry);
        try {
          await entry.connections[0].acquire(call.signal, call.deadline);
        } catch (err) {
          this.logger.warn(`source "${entry.name}" did not start at boot: ${(err as Error).message}`);
        } finally {
          call.dispose();
          this.callEnded(entry);
        }
      }),
    );
  }

  /** Closes the source's clients and stops its process; the next use starts afresh. For source delete/update. */
  async release(sourceId: string): Promise<void> {
    const entry = this.entries.get(sourceId);
    if (!entry) return;
    this.entries.delete(sourceId);
    await this.closeEntry(entry, 'released');
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => this.closeEntry(e, 'closed at shutdown')));
  }

  /**
   * One call under one deadline: retries (policy and budget) around replica failover around each replica's
   * breaker around one attempt on that replica's client.
   */
  private async run<T>(
    entry: SourceEntry,
    signal: AbortSignal,
    timeoutMs: number,
    retryable: boolean,
    request: (client: Client, attempt: AttemptScope, call: CallDeadline, conn: UpstreamConnection) => Promise<T>,
  ): Promise<T> {
    const call = new CallDeadline(signal, timeoutMs, this.now);
    const started = this.now();
    this.callStarted(entry);
    try {
      const result = await withRetries(
        () =>
          entry.selector.withFailover((conn) => this.attempt(entry, conn, call, request), {
            // Another replica may be tried when this one refused (open breaker) or the attempt may be repeated.
            canFailover: (err) =>
              !call.signal.aborted && err instanceof UpstreamError && (err.code === 'CIRCUIT_OPEN' || (isTransientFailure(err) && mayRetry(err, retryable))),
            classify: breakerOutcome,
          }),
        {
          retryable,
          maxRetries: entry.resilience.maxRetries,
          baseDelayMs: this.options.retryBaseDelayMs ?? 100,
          signal: call.signal,
          deadline: call.deadline,
          budget: entry.budget,
          now: this.now,
        },
      );
      entry.latencies.record(this.now() - started);
      // The status shows the source's health now: a success clears the error a past failure left.
      entry.lastError = null;
      return result;
    } catch (err) {
      const last = requestError(err, entry.name);
      // A caller that gave up (during a backoff, say) gets CANCELLED, whatever the last attempt ran into.
      const error = call.cancelledByCaller && last.code !== 'CANCELLED' ? new UpstreamError('CANCELLED', `the call to source "${entry.name}" was cancelled by the caller`) : last;
      if (error.code !== 'CIRCUIT_OPEN' && error.code !== 'CANCELLED') {
        entry.latencies.record(this.now() - started);
        entry.lastError = error.message;
      }
      throw error;
    } finally {
      call.dispose();
      this.callEnded(entry);
    }
  }

  private async attempt<T>(
    entry: SourceEntry,
    conn: UpstreamConnection,
    call: CallDeadline,
    request: (client: Client, attempt: AttemptScope, call: CallDeadline, conn: UpstreamConnection) => Promise<T>,
  ): Promise<T> {
    const attempt = call.attempt(entry.resilience.attemptTimeoutSeconds * 1000);
    const what = `source "${entry.name}"`;
    let client: Client | undefined;
    try {
      client = await conn.acquire(attempt.signal, call.deadline);
      const result = await request(client, attempt, call, conn);
      conn.lastError = null;
      return result;
    } catch (err) {
      const aborted = call.abortError(attempt, what);
      if (aborted) throw client ? aborted : new UpstreamError(aborted.code, aborted.message, true);
      if (client) {
        const dropped = conn.droppedError(client);
        if (dropped) throw dropped;
        if (isHttpStatus(err, 404)) {
          // The upstream forgot our session (it restarted): nothing ran; reconnect and go again.
          await conn.reset(client, `the session with source "${entry.name}" expired`);
          throw new UpstreamError('UNAVAILABLE', `the session with source "${entry.name}" expired; reconnecting`, true);
        }
      }
      throw requestError(err, entry.name);
    } finally {
      attempt.dispose();
    }
  }

  private async listAllPages(entry: SourceEntry, client: Client, attempt: AttemptScope, call: CallDeadline): Promise<UpstreamTool[]> {
    const tools: UpstreamTool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const raw = await client.request({ method: 'tools/list', params: cursor ? { cursor } : {} }, RawResult, {
        signal: attempt.signal,
        timeout: call.remainingMs + 1000,
      });
      this.checkSize(entry, 'tools/list', raw);
      const parsed = ListToolsResultSchema.safeParse(raw);
      if (!parsed.success) throw this.malformed(entry, 'tools/list', parsed.error.issues[0]);
      for (const tool of parsed.data.tools) {
        // A tool that only runs as a task cannot be called with a plain tools/call.
        if (tool.execution?.taskSupport === 'required') continue;
        tools.push(toUpstreamTool(tool));
      }
      cursor = parsed.data.nextCursor;
      if (!cursor) return tools;
      if (seen.has(cursor)) throw new UpstreamError('MALFORMED_RESPONSE', `source "${entry.name}" repeated the tools/list cursor "${cursor.slice(0, 64)}"`);
      seen.add(cursor);
    }
    throw new UpstreamError('MALFORMED_RESPONSE', `source "${entry.name}" listed more than ${MAX_TOOL_PAGES} pages of tools`);
  }

  private toToolResult(entry: SourceEntry, toolName: string, raw: unknown): ToolResult {
    this.checkSize(entry, `tool "${toolName}"`, raw);
    const parsed = CallToolResultSchema.safeParse(raw);
    if (!parsed.success) throw this.malformed(entry, `tool "${toolName}"`, parsed.error.issues[0]);
    const { content, structuredContent, isError } = parsed.data;
    // Content blocks pass through as the upstream sent them (text, image, audio, resource links, resources).
    const result: ToolResult = { content: content as ToolResult['content'] };
    if (structuredContent !== undefined) result.structuredContent = structuredContent as Record<string, unknown>;
    if (isError !== undefined) result.isError = isError;
    return result;
  }

  /** Serialize-and-measure: the SDK already holds the message; this keeps it from going further. */
  private checkSize(entry: SourceEntry, what: string, raw: unknown): void {
    const bytes = Buffer.byteLength(JSON.stringify(raw));
    const max = entry.resilience.maxResponseBytes;
    if (bytes > max) throw new UpstreamError('RESPONSE_TOO_LARGE', `the response of ${what} from source "${entry.name}" is ${bytes} bytes, over the ${max}-byte limit`);
  }

  private malformed(entry: SourceEntry, what: string, issue: { path: PropertyKey[]; message: string } | undefined): UpstreamError {
    const where = issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : '';
    return new UpstreamError('MALFORMED_RESPONSE', `source "${entry.name}" sent a malformed result for ${what}${where}: ${issue?.message ?? 'invalid'}`);
  }

  private entryFor(source: ResolvedSource): SourceEntry {
    if (this.shuttingDown) throw new UpstreamError('UNAVAILABLE', 'the gateway is shutting down', true);
    if (source.kind === 'http') throw new Error(`Source "${source.namespace}" is an HTTP source, not an MCP server`);
    const fingerprint = fingerprintOf(source);
    const existing = this.entries.get(source.id);
    if (existing?.fingerprint === fingerprint) return existing;
    if (existing) {
      // The source changed under us (config or secrets): its old clients must not serve another call.
      this.entries.delete(source.id);
      void this.closeEntry(existing, 'replaced by a new configuration');
    }
    const entry = this.createEntry(source, fingerprint);
    this.entries.set(source.id, entry);
    return entry;
  }

  private createEntry(source: ResolvedSource, fingerprint: string): SourceEntry {
    const resilience = { ...DEFAULTS, ...stripUndefined(source.config.resilience ?? {}) };
    const name = source.name ?? source.namespace;
    const isStdio = source.kind === 'mcp_stdio';
    const targets: UpstreamTransportTarget[] = isStdio ? [{ kind: 'stdio' }] : (source.config as RemoteSourceConfig).urls.map((url) => ({ kind: 'remote', url }));
    if (targets.length === 0) throw new UpstreamError('UNAVAILABLE', `source "${name}" has no URL`, true);
    let entry: SourceEntry | undefined;
    const fetches = new Map<FetchFactory | undefined, UpstreamFetch>();
    const connections = targets.map((target) => {
      const breaker = new CircuitBreaker({
        name,
        failureThreshold: resilience.breakerFailureThreshold,
        openMs: resilience.breakerOpenSeconds * 1000,
        now: this.now,
      });
      return new UpstreamConnection({
        key: target.kind === 'stdio' ? 'stdio' : target.url,
        sourceName: name,
        isStdio,
        breaker,
        createTransport: () => {
          if (isStdio) this.logLaunch(source);
          // A line may carry several messages; leave room above the response cap so an oversized result is
          // reported as RESPONSE_TOO_LARGE rather than killing the process.
          const maxMessageBytes = Math.max(10 * 1024 * 1024, resilience.maxResponseBytes * 4);
          return this.transportFactory({ source, target, fetch: this.fetchFor(source, fetches), maxMessageBytes });
        },
        clientInfo: this.options.clientInfo ?? { name: 'toolgate', version: '0.1.0' },
        connectTimeoutMs: resilience.attemptTimeoutSeconds * 1000,
        restartBackoff: this.options.restartBackoff ?? { initialMs: 1000, maxMs: 30_000 },
        secretValues: Object.values(source.secrets),
        onToolsChanged: () => {
          if (entry && this.entries.get(source.id) === entry) this.emitToolsChanged(source.id);
        },
        directTarget: source.kind === 'mcp_http' && target.kind === 'remote' ? once(() => this.directTarget(source, target.url, fetches)) : undefined,
        logger: this.logger,
        now: this.now,
      });
    });
    const selection = isStdio ? 'round-robin' : ((source.config as RemoteSourceConfig).selection ?? 'round-robin');
    entry = new SourceEntry(source, fingerprint, name, resilience, new ReplicaSelector(connections, selection), new RetryBudget({ ...this.options.retryBudget, now: this.now }), fetches);
    return entry;
  }

  /** One fetch per source (its connections and replicas share the guarded fetch's connection pool). */
  private fetchFor(source: ResolvedSource, fetches: Map<FetchFactory | undefined, UpstreamFetch>): UpstreamFetch {
    let made = fetches.get(this.fetchFactory);
    if (!made) {
      made = this.fetchFactory ? this.fetchFactory(source.networkAllowlist, { maxBodyBytes: maxBodyBytes(source) }) : (url, init) => fetch(url, init);
      fetches.set(this.fetchFactory, made);
    }
    return made;
  }

  /** A direct tools/call goes through the source's guarded fetch (its checks, pinning and pool), when it has one. */
  private directTarget(source: ResolvedSource, url: string, fetches: Map<FetchFactory | undefined, UpstreamFetch>): DirectCallTarget | null {
    const post = (this.fetchFor(source, fetches) as UpstreamFetch & { post?: GuardedPost }).post;
    if (typeof post !== 'function') return null;
    // Lower-cased once, so the call's own content-type, accept and session headers replace a configured one of any case.
    const headers = Object.fromEntries(Object.entries(upstreamHeaders(source)).map(([name, value]) => [name.toLowerCase(), value]));
    return { url: new URL(url), headers, post, maxBodyBytes: maxBodyBytes(source) };
  }

  /** SECURITY 27: every stdio launch is logged (command and argument list; environment names only). */
  private logLaunch(source: ResolvedSource): void {
    const config = source.config as StdioSourceConfig;
    const envNames = [...Object.keys(config.env ?? {}), ...Object.keys(source.secrets)];
    this.logger.log(
      `launching stdio source "${source.name ?? source.namespace}" (${source.id}, tenant ${source.tenantId}): ${config.command} ${JSON.stringify(config.args ?? [])}` +
        (envNames.length ? `; env ${envNames.join(', ')}` : ''),
    );
  }

  private emitToolsChanged(sourceId: string): void {
    for (const listener of this.toolsChangedListeners) {
      try {
        listener(sourceId);
      } catch (err) {
        this.logger.error(`a tools-changed listener failed: ${(err as Error).message}`);
      }
    }
  }

  private callStarted(entry: SourceEntry): void {
    entry.inFlight++;
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = null;
    }
  }

  /** A stdio process with no call for `idleStopSeconds` is stopped; the next call starts it again. */
  private callEnded(entry: SourceEntry): void {
    entry.inFlight--;
    if (entry.inFlight > 0 || entry.source.kind !== 'mcp_stdio') return;
    const config = entry.source.config as StdioSourceConfig;
    // A process started at boot stays up unless an idle stop is asked for explicitly.
    const idleSeconds = config.idleStopSeconds ?? (config.startOnBoot ? undefined : DEFAULT_IDLE_STOP_SECONDS);
    if (idleSeconds === undefined || idleSeconds <= 0) return;
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = null;
      if (entry.inFlight > 0 || this.entries.get(entry.source.id) !== entry) return;
      this.logger.log(`stopping idle stdio source "${entry.name}" after ${idleSeconds} s without calls`);
      void entry.connections[0].close('stopped after being idle');
    }, idleSeconds * 1000);
    entry.idleTimer.unref();
  }

  private async closeEntry(entry: SourceEntry, reason: string): Promise<void> {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    await Promise.all(entry.connections.map((c) => c.dispose(reason)));
    // The guarded fetch keeps its own connection pool; drop it with the source.
    for (const f of entry.fetches.values()) (f as UpstreamFetch & { close?: () => void }).close?.();
    entry.fetches.clear();
  }
}

function toUpstreamTool(tool: Tool): UpstreamTool {
  const out: UpstreamTool = { name: tool.name, inputSchema: tool.inputSchema as Record<string, unknown> };
  if (tool.title !== undefined) out.title = tool.title;
  if (tool.description !== undefined) out.description = tool.description;
  if (tool.outputSchema !== undefined) out.outputSchema = tool.outputSchema as Record<string, unknown>;
  if (tool.annotations !== undefined) out.annotations = tool.annotations as Record<string, unknown>;
  return out;
}

/** Changes whenever anything that shapes the connection does (secrets included, hashed, never kept in clear). */
function fingerprintOf(source: ResolvedSource): string {
  // The resolver hands out the same object until the source changes: hash each object once, not on every call.
  let fingerprint = fingerprints.get(source);
  if (fingerprint === undefined) {
    fingerprint = hashSource(source);
    fingerprints.set(source, fingerprint);
  }
  return fingerprint;
}
const fingerprints = new WeakMap<ResolvedSource, string>();

function hashSource(source: ResolvedSource): string {
  return createHash('sha256')
    .update(JSON.stringify([source.kind, source.tenantId, source.config, source.secrets, source.networkAllowlist]))
    .digest('base64url');
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Room for JSON escaping and SSE framing: answers between the result limit and this still get RESPONSE_TOO_LARGE. */
function maxBodyBytes(source: ResolvedSource): number {
  return (source.config.resilience?.maxResponseBytes ?? DEFAULTS.maxResponseBytes) * 4 + 64 * 1024;
}

/** `make`'s value, made on the first call. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
