import type { Request } from 'express';
import type { IncomingMessage } from 'node:http';

/** The caller's address as Express resolved it (honours `trust proxy` when configured). */
export function clientIp(req: Request): string | null {
  return req.ip ?? req.socket?.remoteAddress ?? null;
}

/** Express's compiled `trust proxy` setting (`app.get('trust proxy fn')`): is the hop at `index` a proxy we trust? */
export type TrustProxy = (address: string, index: number) => boolean;

/**
 * The caller's address for a request that never went through Express (the MCP endpoint), resolved exactly as
 * Express's `req.ip` does (proxy-addr): walk from the socket back through X-Forwarded-For while the hop is trusted.
 * Without the header, or from an untrusted peer, it is the socket's address.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string | null {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return null;
  const header = req.headers['x-forwarded-for'];
  if (!header || !trust(peer, 0)) return peer;
  // Nearest hop first, as proxy-addr (via `forwarded`) lists them; empty entries skipped.
  const hops = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '')
    .reverse();
  let address = peer;
  for (let i = 0; i < hops.length; i++) {
    address = hops[i];
    if (i === hops.length - 1 || !trust(address, i + 1)) break;
  }
  return address;
}
