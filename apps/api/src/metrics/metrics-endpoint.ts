// GET /metrics in Prometheus text format, served ahead of Express like the MCP endpoint. It exists only when
// METRICS_TOKEN is set, and answers only `Authorization: Bearer <METRICS_TOKEN>`: that is its one access rule.
import { Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { AppConfigService } from '../config/app-config.service';
import { CallMetrics } from './call-metrics';

const PATH = '/metrics';

@Injectable()
export class MetricsEndpoint {
  private readonly logger = new Logger('Metrics');
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly metrics: CallMetrics,
    config: AppConfigService,
  ) {
    const token = config.env.METRICS_TOKEN;
    this.tokenDigest = token ? digest(token) : null;
  }

  /** `next` with /metrics in front of it; `next` itself when no token is configured (then /metrics is Express's 404). */
  before(next: RequestListener): RequestListener {
    if (!this.tokenDigest) return next;
    return (req, res) => {
      const url = req.url ?? '/';
      if (url === PATH || url.startsWith(`${PATH}?`)) return void this.serve(req, res);
      return next(req, res);
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (!this.authorized(req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="toolgate-metrics"', 'Content-Type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
      return;
    }
    try {
      const text = await this.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text);
    } catch (err) {
      this.logger.error({ err }, 'collecting metrics failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Collecting metrics failed\n');
    }
  }

  private authorized(header: string | undefined): boolean {
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    return !!m && timingSafeEqual(digest(m[1]), this.tokenDigest!);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
