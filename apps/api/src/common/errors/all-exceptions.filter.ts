// The single place that turns any thrown error into `{ error: { code, message, requestId } }`.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorBody, ErrorCode } from '@toolgate/contracts';
import type { Request, Response } from 'express';
import { AppException } from './app-exception';
import { ERROR_STATUS } from './error-status';
import { requestIdOf } from '../http/request-id';

interface Mapped {
  status: number;
  code: ErrorCode | string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
};

export function mapError(err: unknown): Mapped | null {
  if (err instanceof AppException) {
    return { status: ERROR_STATUS[err.code], code: err.code, message: err.message, details: err.details, headers: err.headers };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status >= 500) return null;
    const code = HTTP_CODES[status] ?? 'VALIDATION_FAILED';
    const message = status === 404 ? 'No such route.' : status === 401 ? 'Sign in first.' : err.message;
    return { status, code, message };
  }
  return null;
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const requestId = requestIdOf(req);
    const mapped = mapError(exception) ?? {
      status: 500,
      code: 'INTERNAL' as const,
      message: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
    };
    if (mapped.status >= 500) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
    }
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(mapped.headers ?? {})) res.setHeader(k, v);
    const body: ErrorBody = { error: { code: mapped.code, message: mapped.message, requestId } };
    if (mapped.details !== undefined) body.error.details = mapped.details;
    res.status(mapped.status).json(body);
  }
}
