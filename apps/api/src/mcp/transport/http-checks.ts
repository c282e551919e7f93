// Checks every MCP HTTP request passes before any JSON-RPC: Host and Origin (DNS rebinding),
// media types, and a bounded body read.
import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { exceedsDepth, limitBytes, MAX_JSON_DEPTH } from '../../common/http/body-parsers';
import { AppConfigService } from '../../config/app-config.service';
import { RpcCode } from '../protocol/jsonrpc';

export interface HttpRefusal {
  status: number;
  code: number;
  message: string;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

@Injectable()
export class HttpChecks {
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;
  private readonly origins: Set<string>;
  readonly bodyLimit: number;
  /** The Host header last found allowed: clients repeat theirs on every request, so most checks stop here. */
  private lastAllowedHost?: string;

  constructor(config: AppConfigService) {
    const env = config.env;
    const publicUrl = env.PUBLIC_URL ? new URL(env.PUBLIC_URL) : null;
    const hosts = list(env.MCP_ALLOWED_HOSTS);
    this.anyHost = hosts.includes('*');
    this.hosts = new Set([...hosts, ...(publicUrl ? [publicUrl.hostname.toLowerCase()] : [])]);
    this.origins = new Set([...list(env.MCP_ALLOWED_ORIGINS), ...(publicUrl ? [publicUrl.origin.toLowerCase()] : [])]);
    this.bodyLimit = limitBytes(env.MCP_BODY_LIMIT);
  }

  /** Host must be one we serve, and a browser's Origin one we allow: a rebinding page gets 403. */
  hostAndOrigin(req: IncomingMessage): HttpRefusal | null {
    const given = req.headers.host;
    if (!this.anyHost && (given === undefined || given !== this.lastAllowedHost)) {
      const host = hostnameOf(given);
      if (!host || !this.hosts.has(host)) {
        return { status: 403, code: RpcCode.INVALID_REQUEST, message: `Host "${given ?? ''}" is not allowed (set MCP_ALLOWED_HOSTS).` };
      }
      this.lastAllowedHost = given;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) {
      return { status: 403, code: RpcCode.INVALID_REQUEST, message: `Origin "${origin}" is not allowed (set MCP_ALLOWED_ORIGINS).` };
    }
    return null;
  }

  acceptsJsonAndSse(req: IncomingMessage): boolean {
    const accept = String(req.headers.accept ?? '').toLowerCase();
    return (accept.includes('application/json') || accept.includes('*/*')) && (accept.includes('text/event-stream') || accept.includes('*/*'));
  }

  acceptsSse(req: IncomingMessage): boolean {
    const accept = String(req.headers.accept ?? '').toLowerCase();
    return accept.includes('text/event-stream') || accept.includes('*/*');
  }

  isJson(req: IncomingMessage): boolean {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    return /^application\/(.+\+)?json\s*(;|$)/.test(type);
  }

  /** Reads and parses the body, refusing more than the limit before buffering it (413) and bad JSON (400). */
  async readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | ({ ok: false } & HttpRefusal)> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.bodyLimit) return tooLarge(this.bodyLimit);
    const read = await readBounded(req, this.bodyLimit);
    if (read === 'too-large') return tooLarge(this.bodyLimit);
    if (read === 'failed') return { ok: false, status: 400, code: RpcCode.PARSE_ERROR, message: 'The request body could not be read.' };
    let value: unknown;
    try {
      value = JSON.parse((read.length === 1 ? read[0] : Buffer.concat(read)).toString('utf8'));
    } catch {
      return { ok: false, status: 400, code: RpcCode.PARSE_ERROR, message: 'Parse error: the body is not valid JSON.' };
    }
    if (value !== null && typeof value === 'object' && exceedsDepth(value, MAX_JSON_DEPTH)) {
      return { ok: false, status: 400, code: RpcCode.INVALID_REQUEST, message: `The message is nested more than ${MAX_JSON_DEPTH} levels deep.` };
    }
    return { ok: true, value };
  }
}

/**
 * Collects the body up to `limit` bytes. Past the limit it stops reading (pauses, without destroying the
 * socket) so the 413 can still be sent; the handler closes the connection after answering.
 */
function readBounded(req: IncomingMessage, limit: number): Promise<Buffer[] | 'too-large' | 'failed'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer[] | 'too-large' | 'failed') => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        return done('too-large');
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks);
    const onError = () => done('failed');
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

function tooLarge(limit: number): { ok: false } & HttpRefusal {
  return { ok: false, status: 413, code: RpcCode.INVALID_REQUEST, message: `The request body is larger than ${limit} bytes.` };
}

function hostnameOf(host: string | undefined): string | null {
  if (!host) return null;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase();
  return host.split(':')[0].toLowerCase();
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
