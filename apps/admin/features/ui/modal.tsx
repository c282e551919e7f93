'use client';

// A modal dialog on the native <dialog>: the browser traps focus, makes the page
// behind it inert, closes on Escape and gives focus back when it closes.
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import { useT } from '@/i18n/locale-provider';

export interface ModalProps {
  open: boolean;
  /** Escape, the × button or a click on the backdrop; not called while `dismissible` is false. */
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned below the body. */
  footer?: ReactNode;
  /** When given, body and footer are one <form>: Enter submits, a submit button in the footer works. */
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  size?: 'small' | 'medium' | 'large';
  /** False while a request runs, so it cannot be abandoned half-way. */
  dismissible?: boolean;
  /** Accessible role: `alertdialog` for confirmations. */
  role?: 'dialog' | 'alertdialog';
}

/**
 * Focus on open: the element marked `data-autofocus`, else the first field of
 * the body, else the browser's choice.
 */
export function Modal({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  onSubmit,
  size = 'medium',
  dismissible = true,
  role = 'dialog',
}: ModalProps) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      const preferred = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>('.modal-body :is(input, select, textarea):not([disabled])');
      preferred?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  // Closing through the browser (Escape) must go through the parent's state.
  function handleCancel(event: React.SyntheticEvent<HTMLDialogElement>) {
    event.preventDefault();
    if (dismissible) onClose();
  }

  const content = (
    <>
      <div className="modal-body">{children}</div>
      {footer && <div className="modal-footer">{footer}</div>}
    </>
  );

  return (
    <dialog
      ref={ref}
      className={`modal modal-${size}`}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={handleCancel}
      onMouseDown={(event) => {
        // A press on the backdrop lands on the <dialog> itself, outside its box.
        if (event.target === ref.current && dismissible) onClose();
      }}
    >
      {open && (
        <div className="modal-box">
          <div className="modal-header">
            <div>
              <h2 id={titleId} className="modal-title">
                {title}
              </h2>
              {description && (
                <div id={descriptionId} className="muted modal-description">
                  {description}
                </div>
              )}
            </div>
            <button type="button" className="icon-button" aria-label={t('ui.closeDialog')} onClick={onClose} disabled={!dismissible}>
              ×
            </button>
          </div>
          {onSubmit ? (
            <form className="modal-form" onSubmit={onSubmit} noValidate>
              {content}
            </form>
          ) : (
            content
          )}
        </div>
      )}
    </dialog>
  );
}
