// A Server-Sent Events response: JSON-RPC messages as `event: message`, keep-alive comments, close detection.
import type { ServerResponse } from 'node:http';

export class SseStream {
  private closed = false;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    keepAliveMs = 25_000,
  ) {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // Proxies (nginx) must pass events through as they come.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), keepAliveMs);
    this.keepAlive.unref();
    res.on('close', () => this.markClosed());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends one JSON-RPC message; `id` makes it resumable with Last-Event-ID. */
  send(message: unknown, id?: string, event = 'message'): void {
    this.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** A raw `event: <name>` with plain data (the legacy transport's `endpoint` event). */
  sendRaw(event: string, data: string): void {
    this.write(`event: ${event}\ndata: ${data}\n\n`);
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  close(): void {
    if (!this.closed) this.res.end();
    this.markClosed();
  }

  private write(chunk: string): void {
    if (!this.closed) this.res.write(chunk);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const h of this.closeHandlers.splice(0)) h();
  }
}
