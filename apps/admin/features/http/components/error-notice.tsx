'use client';

// Shows a failed request inline, the same way everywhere (see describeError),
// with the request id an operator needs to find the server-side log line.
import { useT } from '@/i18n/locale-provider';
import { describeError } from '../error-message';

interface ErrorNoticeProps {
  error: unknown;
  /** Context shown above the message, e.g. "Could not load tool groups." */
  title?: string;
  onRetry?: () => void;
}

export function ErrorNotice({ error, title, onRetry }: ErrorNoticeProps) {
  const t = useT();
  const { message, requestId } = describeError(error, t);

  return (
    <div className="notice notice-error" role="alert">
      {title && <p className="notice-title">{title}</p>}
      <p>{message}</p>
      {requestId && <p className="notice-meta">{t('errors.requestId', { requestId })}</p>}
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
