// SIGTERM/SIGINT: stop taking work, finish what is in flight, keep every log row, close, exit within the grace period.
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CallLogWriter } from './call-logs/call-log-writer';
import { CallPipeline } from './mcp/pipeline/call-pipeline';
import { McpHttpHandler } from './mcp/transport/mcp-http.handler';
import { ShutdownState } from './health/shutdown-state';

const POLL_MS = 25;
/** Kept back from the grace period for the last step (flush, close), at most this long. */
const MAX_CLOSE_RESERVE_MS = 5_000;

/**
 * Replaces Nest's enableShutdownHooks, which runs the hooks at once (streams closed, the server closed under
 * in-flight calls), has no time limit and ends by re-raising the signal (exit code 143 instead of 0).
 * The first SIGTERM or SIGINT starts gracefulShutdown; a repeated one (npm passes Ctrl-C on too) is ignored.
 */
export function installGracefulShutdown(app: INestApplication, graceMs: number, exit: (code: number) => void = (code) => process.exit(code)): void {
  let started = false;
  const logger = new Logger('Shutdown');
  trackConnections(app.getHttpServer() as Server);
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return logger.warn(`${signal} received again; the shutdown under way goes on`);
    started = true;
    // Whatever happens inside, the process ends by the grace period.
    const hardStop = setTimeout(() => {
      logger.error(`grace period of ${graceMs} ms ran out while closing; exiting`);
      exit(1);
    }, graceMs);
    hardStop.unref();
    gracefulShutdown(app, `${signal} received`, graceMs).then(
      (code) => exit(code),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The order, each step bounded by what is left of `graceMs`:
 * 1. readiness answers 503 and new MCP requests get 503 + Retry-After + Connection: close (the listener stays open,
 *    so a load balancer that has not yet seen the probe gets a clean refusal, not a refused connection);
 * 2. in-flight tools/call run to their end (their answers and log rows included);
 * 3. open SSE streams end, the server stops listening, idle keep-alive connections close, the rest are waited for;
 * 4. the call-log writer flushes: every row committed, or spooled to disk when PostgreSQL cannot take it;
 * 5. app.close(): Nest's hooks close the upstream clients and stdio processes, the writer's spool, the database pool.
 * Resolves to 0, or 1 when the grace period cut something (named in the log line).
 */
export async function gracefulShutdown(app: INestApplication, reason: string, graceMs: number): Promise<number> {
  const logger = new Logger('Shutdown');
  const startedAt = Date.now();
  // A margin before the hard stop of installGracefulShutdown, so the last log line is ours.
  const deadline = startedAt + graceMs - Math.min(1000, graceMs / 10);
  const reserve = Math.min(MAX_CLOSE_RESERVE_MS, Math.floor(graceMs / 5));
  const cut: string[] = [];
  const handler = app.get(McpHttpHandler);
  const pipeline = app.get(CallPipeline);
  const server = app.getHttpServer() as Server;

  app.get(ShutdownState).begin(reason);
  handler.stopAccepting();
  answerInFlightWithClose(server);
  logger.log(`${reason}: not ready, refusing new MCP requests; ${pipeline.inFlight} calls in flight; grace period ${graceMs} ms`);

  if (!(await until(() => pipeline.inFlight === 0, deadline - reserve))) cut.push(`${pipeline.inFlight} tools/call still running`);

  handler.closeStreams();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  let serverClosed = false;
  void closed.then(() => (serverClosed = true));
  // Keep-alive connections whose last answer has gone are closed as they become idle.
  const sweep = setInterval(() => server.closeIdleConnections(), POLL_MS);
  server.closeIdleConnections();
  const drained = await until(() => serverClosed, deadline - reserve);
  clearInterval(sweep);
  if (!drained) {
    cut.push(`${await openConnections(server)} HTTP connections still open`);
    // Their calls see the client gone, are cancelled and still write their (cancelled) log rows.
    server.closeAllConnections();
    await until(() => pipeline.inFlight === 0, deadline - reserve / 2);
  }

  const writer = app.get(CallLogWriter);
  if (!(await within(writer.flush(), deadline - Math.min(1000, reserve / 2)))) {
    // PostgreSQL is too slow to take them in time: they go to disk, replayed by the next run.
    let spooled = -1;
    await within(
      writer.spoolUnsettled().then((n) => (spooled = n)),
      deadline,
    );
    cut.push(spooled >= 0 ? `call-log flush (${spooled} rows spooled for replay)` : `call-log flush (${writer.stats().queued} rows neither committed nor spooled)`);
  }
  if (!(await within(app.close(), deadline))) cut.push('closing upstream clients and the database pool');

  const ms = Date.now() - startedAt;
  if (cut.length === 0) {
    logger.log(`shutdown complete in ${ms} ms`);
    return 0;
  }
  logger.error(`grace period of ${graceMs} ms ran out after ${ms} ms; cut: ${cut.join('; ')}`);
  return 1;
}

const CONNECTIONS = Symbol('toolgate.connections');
type TrackedServer = Server & { [CONNECTIONS]?: Set<Socket> };

/** Per connection, not per request: keep-alive connections carry many requests. */
function trackConnections(server: TrackedServer): void {
  const sockets = (server[CONNECTIONS] = new Set<Socket>());
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/**
 * Answers still to come go out with `Connection: close`, so their clients do not send another request on a
 * connection about to close (node:http does not do this itself while a server closes). `_httpMessage` is the
 * response a connection is serving; node:http has no public way to reach it.
 */
function answerInFlightWithClose(server: TrackedServer): void {
  for (const socket of server[CONNECTIONS] ?? []) {
    const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (res && !res.headersSent) res.shouldKeepAlive = false;
  }
}

/** Polls `done` until it holds (true) or `deadline` passes (false). */
async function until(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

/** Whether `work` settles before `deadline`; a failure counts as settled (the steps log their own errors). */
async function within(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, n) => resolve(err ? -1 : n)));
}
