'use client';

// Asks before a destructive or irreversible action. It stays open while the
// action runs and shows the API's error in place if it fails; the caller closes
// it on success.
import type { ReactNode } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useT } from '@/i18n/locale-provider';
import { Modal } from './modal';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in plain words. */
  children?: ReactNode;
  confirmLabel: string;
  /** Label while the action runs, e.g. "Revoking…". */
  pendingLabel?: string;
  tone?: 'danger' | 'primary';
  pending?: boolean;
  /** The failed attempt's error, shown in the dialog. */
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pendingLabel,
  tone = 'danger',
  pending = false,
  error,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const t = useT();
  return (
    <Modal
      open={open}
      onClose={onCancel}
      title={title}
      size="small"
      role="alertdialog"
      dismissible={!pending}
      footer={
        <>
          {/* The safe choice has the focus, so a stray Enter does not destroy anything. */}
          <button type="button" className="button button-secondary" onClick={onCancel} disabled={pending} data-autofocus>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className={tone === 'danger' ? 'button button-danger' : 'button button-primary'}
            onClick={onConfirm}
            disabled={pending}
          >
            {pending && pendingLabel ? pendingLabel : confirmLabel}
          </button>
        </>
      }
    >
      {children && <div className="confirm-body">{children}</div>}
      {error != null && <ErrorNotice error={error} />}
    </Modal>
  );
}
