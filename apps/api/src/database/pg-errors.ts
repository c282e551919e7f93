import type { ErrorCode } from '@toolgate/contracts';
import { QueryFailedError } from 'typeorm';
import { AppException } from '../common/errors/app-exception';

interface PgError {
  code?: string;
  constraint?: string;
}

/**
 * Turns a unique violation of a known constraint into the feature's conflict error; anything else is rethrown.
 * The database decides uniqueness, so two concurrent creates cannot both win.
 */
export function mapUniqueViolation(err: unknown, byConstraint: Record<string, [ErrorCode, string]>): never {
  const driverError = (err instanceof QueryFailedError ? err.driverError : err) as PgError;
  if (driverError?.code === '23505' && driverError.constraint && byConstraint[driverError.constraint]) {
    const [code, message] = byConstraint[driverError.constraint];
    throw new AppException(code, message);
  }
  throw err;
}
