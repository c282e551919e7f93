import type { Request } from 'express';

/** The caller's address as Express resolved it (honours `trust proxy` when configured). */
export function clientIp(req: Request): string | null {
  return req.ip ?? req.socket?.remoteAddress ?? null;
}
