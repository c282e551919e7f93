'use client';

// The footer of a form in a Modal: Cancel, then the submit button. Both are disabled while the request runs, so a
// dialog cannot be abandoned or sent twice half-way.
import { useT } from '@/i18n/locale-provider';

export interface FormDialogFooterProps {
  onCancel: () => void;
  pending: boolean;
  /** The submit button's text, already switched to its "…ing" form while `pending`. */
  submitLabel: string;
  /** Disables submit for other reasons too (nothing to choose, data still loading); it is always disabled while pending. */
  submitDisabled?: boolean;
}

export function FormDialogFooter({ onCancel, pending, submitLabel, submitDisabled = false }: FormDialogFooterProps) {
  const t = useT();
  return (
    <>
      <button type="button" className="button button-secondary" onClick={onCancel} disabled={pending}>
        {t('common.cancel')}
      </button>
      <button type="submit" className="button button-primary" disabled={pending || submitDisabled}>
        {submitLabel}
      </button>
    </>
  );
}
