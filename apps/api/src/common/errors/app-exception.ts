import { ErrorCode } from '@toolgate/contracts';

/** The one exception services throw; the filter maps its code to an HTTP status. */
export class AppException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  static notFound(what: string): AppException {
    return new AppException('NOT_FOUND', `${what} not found`);
  }
}
