// One long-lived SDK Client to one upstream (a stdio process, or one replica URL of a remote source): connected
// lazily, reused by every call, supervised (a stdio process that exits is restarted on next use, with backoff).
import { Logger } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ProgressNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CircuitBreaker } from './circuit-breaker';
import type { DirectCallSession, DirectCallTarget } from './direct-tool-call';
import type { Replica } from './replica-selector';
import { sleep } from './retry-policy';
import { connectError } from './upstream-errors';
import { UpstreamError } from './upstream.types';

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'failed';

export type ProgressListener = (progress: number, total?: number, message?: string) => void;

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
}

export interface UpstreamConnectionOptions {
  /** `stdio`, or the replica's URL. */
  key: string;
  /** The source's display name, used in every message an agent may see. */
  sourceName: string;
  isStdio: boolean;
  breaker: CircuitBreaker;
  createTransport: () => Transport;
  clientInfo: { name: string; version: string };
  connectTimeoutMs: number;
  restartBackoff: RestartBackoff;
  /** Secret values to mask in the stdio process's stderr before it is logged. */
  secretValues: string[];
  onToolsChanged: () => void;
  /** Streamable HTTP upstreams: where a tools/call may go directly (direct-tool-call.ts); null for the SDK path. */
  directTarget?: () => DirectCallTarget | null;
  logger: Logger;
  now: () => number;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process that stayed up this long is healthy again: its next crash restarts after the initial delay. */
const STABLE_UPTIME_MS = 60_000;
const MAX_STDERR_LINE = 2000;

export class UpstreamConnection implements Replica {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  inFlight = 0;
  state: ConnectionState = 'idle';
  lastError: string | null = null;
  /** Restarts after the process exited on its own. */
  restarts = 0;

  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private pending: Client | null = null;
  /** Bumped by close(): a connect that started before it is discarded. */
  private generation = 0;
  private readonly closedClients = new WeakMap<Client, { intentional: boolean; message: string }>();
  private readonly exits = new WeakMap<Client, ExitInfo>();
  private readonly processes = new WeakMap<Client, ChildProcess>();
  private readonly transports = new WeakMap<Client, Transport>();
  /** Why the last process or connection ended on its own; set until a restart succeeds. */
  private restartReason: string | null = null;
  private crashes = 0;
  private nextStartAt = 0;
  private startedAt = 0;
  /** Released for good (source deleted or changed, shutdown): never connects again. */
  private disposed = false;
  private readonly progressListeners = new Map<string, ProgressListener>();
  private progressTokens = 0;

  constructor(private readonly options: UpstreamConnectionOptions) {
    this.key = options.key;
    this.breaker = options.breaker;
  }

  /** The running stdio process, if any. */
  get pid(): number | null {
    const client = this.client ?? this.pending;
    return (client && this.processes.get(client)?.pid) ?? null;
  }

  /**
   * The connected client, connecting (or restarting the process) first when needed. Waits out a restart
   * backoff if it ends before `deadline`. Every error it throws is notSent: no tool call went out.
   */
  async acquire(signal: AbortSignal, deadline: number): Promise<Client> {
    for (;;) {
      if (this.disposed) throw new UpstreamError('UNAVAILABLE', `source "${this.options.sourceName}" was released`, true, Infinity);
      if (this.client) return this.client;
      if (this.connecting) return raceAbort(this.connecting, signal);
      const waitMs = this.nextStartAt - this.options.now();
      if (waitMs <= 0) {
        this.connecting = this.connect().finally(() => (this.connecting = null));
        return raceAbort(this.connecting, signal);
      }
      if (this.options.now() + waitMs >= deadline) {
        throw new UpstreamError('UNAVAILABLE', `${this.exitText()}; restarting in ${Math.ceil(waitMs / 1000)} s`, true, waitMs);
      }
      if (!(await sleep(waitMs, signal))) throw signal.reason;
    }
  }

  /**
   * The error for a request whose client closed under it, or null while that client is still open: a crashed
   * process names its exit; a deliberate close says so.
   */
  droppedError(client: Client): UpstreamError | null {
    const closed = this.closedClients.get(client);
    return closed ? new UpstreamError('UNAVAILABLE', closed.message) : null;
  }

  /** Closes the client and stops the process (bounded: the SDK escalates to SIGTERM, then SIGKILL). */
  async close(reason = 'closed'): Promise<void> {
    this.generation++;
    const clients = [this.client, this.pending].filter((c): c is Client => c !== null);
    this.client = null;
    this.pending = null;
    this.state = 'idle';
    for (const c of clients) this.markClosed(c, true, `the connection to source "${this.options.sourceName}" was ${reason}`);
    await Promise.all(clients.map(closeQuietly));
  }

  /** Closes for good: a call still retrying cannot bring the connection (or its process) back. */
  async dispose(reason: string): Promise<void> {
    this.disposed = true;
    await this.close(reason);
  }

  /**
   * A progress token for one request and its listener. We route progress ourselves: the SDK drops its progress
   * handler as soon as the response arrives, losing a last notification that came in the same read.
   */
  /** What a direct tools/call needs on this client's session, or null when calls must go through the SDK. */
  directSession(client: Client): DirectCallSession | null {
    const transport = this.transports.get(client);
    if (!(transport instanceof StreamableHTTPClientTransport)) return null;
    const target = this.options.directTarget?.();
    return target ? { target, client, transport } : null;
  }

  watchProgress(listener: ProgressListener): { token: string; dispose: () => void } {
    const token = `tg-${++this.progressTokens}`;
    this.progressListeners.set(token, listener);
    return { token, dispose: () => this.progressListeners.delete(token) };
  }

  /** Drops a client the upstream no longer knows (expired session); the next call connects afresh. */
  async reset(client: Client, why: string): Promise<void> {
    if (this.client !== client) return;
    this.client = null;
    this.state = 'idle';
    this.markClosed(client, true, why);
    await closeQuietly(client);
  }

  private async connect(): Promise<Client> {
    const generation = this.generation;
    const { sourceName, isStdio, logger } = this.options;
    if (this.restartReason) this.restarts++;
    this.state = 'connecting';
    const transport = this.options.createTransport();
    const client = new Client(this.options.clientInfo, { capabilities: {} });
    this.transports.set(client, transport);
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => this.options.onToolsChanged());
    client.setNotificationHandler(ProgressNotificationSchema, async ({ params }) => {
      this.progressListeners.get(String(params.progressToken))?.(params.progress, params.total, params.message);
    });
    client.onerror = (err) => {
      // Closing aborts the transport's streams; that is not worth a line.
      if (!this.closedClients.has(client)) logger.debug(`source "${sourceName}" transport error: ${err.message}`);
    };
    client.onclose = () => this.onClosed(client);
    if (isStdio) this.superviseProcess(client, transport);
    this.pending = client;
    try {
      await client.connect(transport, { timeout: this.options.connectTimeoutMs });
    } catch (err) {
      if (this.pending === client) this.pending = null;
      const exit = this.exits.get(client);
      this.markClosed(client, true, 'connect failed');
      await closeQuietly(client);
      if (generation !== this.generation) throw this.releasedError();
      const error = exit ? new UpstreamError('UNAVAILABLE', `${exitMessage(sourceName, exit)} while starting`, true) : connectError(err, sourceName);
      this.state = 'failed';
      this.lastError = error.message;
      if (isStdio) this.scheduleRestart(error.message);
      throw error;
    }
    if (this.pending === client) this.pending = null;
    if (generation !== this.generation) {
      this.markClosed(client, true, 'released');
      await closeQuietly(client);
      throw this.releasedError();
    }
    this.client = client;
    this.state = 'ready';
    this.startedAt = this.options.now();
    this.restartReason = null;
    return client;
  }

  /** An unexpected close (the process exited, the stream ended); deliberate closes are marked first. */
  private onClosed(client: Client): void {
    if (this.closedClients.has(client)) return;
    const exit = this.exits.get(client) ?? { code: null, signal: null };
    const reason = this.options.isStdio ? exitMessage(this.options.sourceName, exit) : `the connection to source "${this.options.sourceName}" closed`;
    const message = this.options.isStdio ? `${reason}; restarting` : reason;
    this.markClosed(client, false, message);
    if (this.client === client) this.client = null;
    if (this.pending === client) return; // connect() reports it
    this.state = 'failed';
    this.lastError = message;
    this.options.logger.warn(message);
    if (this.options.isStdio) this.scheduleRestart(reason);
  }

  /** Exponential backoff between restarts of a process that keeps exiting (or failing to start). */
  private scheduleRestart(reason: string): void {
    const now = this.options.now();
    const stable = this.startedAt > 0 && now - this.startedAt >= STABLE_UPTIME_MS;
    this.crashes = stable ? 1 : this.crashes + 1;
    const { initialMs, maxMs } = this.options.restartBackoff;
    this.nextStartAt = now + Math.min(maxMs, initialMs * 2 ** (this.crashes - 1));
    this.restartReason = reason;
    this.startedAt = 0;
  }

  /** Records the exit status and logs stderr (debug level, secrets masked) of the process the transport spawns. */
  private superviseProcess(client: Client, transport: Transport): void {
    const stdio = transport as Transport & { stderr?: Readable | null; _process?: ChildProcess };
    const { logger, sourceName, secretValues } = this.options;
    if (stdio.stderr) {
      const lines = createInterface({ input: stdio.stderr, crlfDelay: Infinity });
      lines.on('line', (line) => logger.debug(`[${sourceName} stderr] ${maskSecrets(line, secretValues).slice(0, MAX_STDERR_LINE)}`));
    }
    // The SDK exposes the pid but not the exit status; it keeps the ChildProcess in `_process` once started.
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      const child = stdio._process;
      if (!child) return;
      this.processes.set(client, child);
      child.once('exit', (code, signal) => this.exits.set(client, { code, signal }));
    };
  }

  private markClosed(client: Client, intentional: boolean, message: string): void {
    if (!this.closedClients.has(client)) this.closedClients.set(client, { intentional, message });
  }

  private exitText(): string {
    return this.restartReason ?? `source "${this.options.sourceName}" failed to start`;
  }

  private releasedError(): UpstreamError {
    return new UpstreamError('UNAVAILABLE', `the connection to source "${this.options.sourceName}" was closed`, true);
  }
}

function exitMessage(name: string, exit: ExitInfo): string {
  const how = exit.code !== null ? `code ${exit.code}` : exit.signal ? `signal ${exit.signal}` : 'code unknown';
  return `the ${name} process exited (${how})`;
}

function maskSecrets(line: string, secrets: string[]): string {
  let out = line;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.close();
  } catch {
    // already closed, or the process is gone
  }
}

/** Waits for `promise`, but gives up (not the promise: other callers may share it) when `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
