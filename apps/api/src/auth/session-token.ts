import type { Request } from 'express';

export const SESSION_COOKIE = 'tg_session';

export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}

/** The admin JWT from the httpOnly cookie, or from a Bearer header for scripts. */
export function sessionTokenFrom(req: Request): string | null {
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return cookie || bearerToken(req);
}
