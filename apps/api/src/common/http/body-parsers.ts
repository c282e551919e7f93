// Body parsing with our limit and our error shape: a malformed or oversized body is refused
// before any handler runs, with a clear code instead of the parser's raw message.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { AppException } from '../errors/app-exception';
import { closeAfterAnswer } from './close-after-answer';
import { genRequestId } from './request-id';

interface ParserError {
  type?: string;
}

function toAppException(err: ParserError, limit: string): AppException {
  switch (err.type) {
    case 'entity.too.large':
      return new AppException('PAYLOAD_TOO_LARGE', `Request body is larger than the ${limit} limit.`);
    case 'entity.parse.failed':
      return new AppException('MALFORMED_JSON', 'Request body is not valid JSON.');
    default:
      return new AppException('VALIDATION_FAILED', 'Request body could not be read (unsupported encoding or charset).');
  }
}

/**
 * Deeper than any real request (JSON Schemas included). The limit matters because code further on walks bodies
 * recursively (TypeORM's merge of jsonb values, schema hashing) and a body nested a few thousand levels deep
 * overflows the stack there: a 500 instead of a clear refusal.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether a parsed JSON value nests deeper than `max`; walks without recursion, so deep input cannot overflow it. */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Object.values(node as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

function wrap(parser: RequestHandler, limit: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => {
      if (err) return next(toAppException(err as ParserError, limit));
      const body: unknown = req.body;
      if (body !== null && typeof body === 'object' && exceedsDepth(body, MAX_JSON_DEPTH)) {
        return next(new AppException('VALIDATION_FAILED', `Request body is nested more than ${MAX_JSON_DEPTH} levels deep.`));
      }
      next();
    });
}

const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Bytes in a limit like `10kb` (the form the env schema allows), counted as body-parser counts them. */
export function limitBytes(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!m) throw new Error(`Unrecognised body limit "${limit}"`);
  return Number(m[1]) * UNIT_BYTES[m[2].toLowerCase()];
}

/**
 * Refuses a declared Content-Length over the limit at once and closes the connection. body-parser alone would
 * first read off the whole announced body (however large) before answering 413.
 */
function refuseDeclaredOversize(limit: string): RequestHandler {
  const max = limitBytes(limit);
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length']);
    const identity = (req.headers['content-encoding'] ?? 'identity').toLowerCase() === 'identity';
    if (identity && Number.isFinite(declared) && declared > max) {
      closeAfterAnswer(req, res);
      return next(new AppException('PAYLOAD_TOO_LARGE', `Request body is larger than the ${limit} limit.`));
    }
    next();
  };
}

/**
 * JSON only. Refusing form and text bodies (415) closes login CSRF through a cross-site HTML form,
 * which cannot send application/json without a CORS preflight.
 */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json') && !req.is('application/*+json')) {
    return next(new AppException('UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with "Content-Type: application/json".'));
  }
  next();
}

export function bodyParsers(limit: string): RequestHandler[] {
  return [refuseDeclaredOversize(limit), requireJson, wrap(express.json({ limit, type: ['application/json', 'application/*+json'] }), limit)];
}

/** Gives every request its id first, so even a body-parser refusal carries one. */
export function assignRequestId(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  req.id = genRequestId(req);
  res.setHeader('X-Request-Id', req.id);
  next();
}
