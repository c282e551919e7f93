// Body parsing with our limit and our error shape: a malformed or oversized body is refused
// before any handler runs, with a clear code instead of the parser's raw message.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { AppException } from '../errors/app-exception';
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

function wrap(parser: RequestHandler, limit: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => (err ? next(toAppException(err as ParserError, limit)) : next()));
}

export function bodyParsers(limit: string): RequestHandler[] {
  return [wrap(express.json({ limit }), limit), wrap(express.urlencoded({ limit, extended: false }), limit)];
}

/** Gives every request its id first, so even a body-parser refusal carries one. */
export function assignRequestId(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  req.id = genRequestId(req);
  res.setHeader('X-Request-Id', req.id);
  next();
}
