'use client';

// Shows a failed request the same way everywhere: the API's own message when
// it sent one, a translated fallback when it could not, and the request id
// an operator needs to find the server-side log line.
import { useT } from '@/i18n/locale-provider';
import { ApiError, ClientErrorCode } from '../api-client';

interface ErrorNoticeProps {
  error: unknown;
  /** Context shown above the message, e.g. "Could not load tool groups." */
  title?: string;
  onRetry?: () => void;
}

export function ErrorNotice({ error, title, onRetry }: ErrorNoticeProps) {
  const t = useT();
  const apiError = error instanceof ApiError ? error : null;

  let message: string;
  if (apiError?.hasApiMessage) message = apiError.message;
  else if (apiError?.code === ClientErrorCode.Unreachable) message = t('errors.network');
  else message = t('errors.unexpected');

  return (
    <div className="notice notice-error" role="alert">
      {title && <p className="notice-title">{title}</p>}
      <p>{message}</p>
      {apiError?.requestId && (
        <p className="notice-meta">{t('errors.requestId', { requestId: apiError.requestId })}</p>
      )}
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
