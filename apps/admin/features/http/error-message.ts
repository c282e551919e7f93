// What a failed request says to the user, the same in notices and toasts: the
// API's own message when it sent one, a translated fallback when it could not.
import type { Translate } from '@/i18n/locale-provider';
import { ApiError, ClientErrorCode } from './api-client';

export interface ErrorDescription {
  message: string;
  /** The id an operator needs to find the server-side log line. */
  requestId: string | null;
}

export function describeError(error: unknown, t: Translate): ErrorDescription {
  const apiError = error instanceof ApiError ? error : null;
  let message: string;
  if (apiError?.hasApiMessage) message = apiError.message;
  else if (apiError?.code === ClientErrorCode.Unreachable) message = t('errors.network');
  else message = t('errors.unexpected');
  return { message, requestId: apiError?.requestId ?? null };
}
