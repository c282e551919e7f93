'use client';

// Toasts: short notices that outlive the action that raised them. `toast.*` can
// be called from anywhere, including outside React (the query client raises one
// for every failed mutation, see app/providers.tsx); <Toaster /> shows them.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { describeError } from '@/features/http/error-message';
import { useT } from '@/i18n/locale-provider';
import type { MessageKey } from '@/i18n/en';

type ToastKind = 'success' | 'error' | 'info';

/** Text is given translated (`title`) or as a key resolved when shown (`titleKey`), e.g. outside React. */
export interface ToastText {
  title?: string;
  titleKey?: MessageKey;
}

interface Toast extends ToastText {
  id: number;
  kind: ToastKind;
  message?: string;
  /** For errors: the message and request id come from this (see describeError). */
  error?: unknown;
}

const LIFETIME_MS: Record<ToastKind, number> = { success: 4_000, info: 6_000, error: 10_000 };
const MAX_TOASTS = 4;

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: readonly Toast[]) {
  toasts = next;
  listeners.forEach((listener) => listener());
}

function push(toast: Omit<Toast, 'id'>): number {
  const id = nextId++;
  publish([...toasts, { ...toast, id }].slice(-MAX_TOASTS));
  return id;
}

export const toast = {
  success(message: string, text: ToastText = {}): number {
    return push({ kind: 'success', message, ...text });
  },
  info(message: string, text: ToastText = {}): number {
    return push({ kind: 'info', message, ...text });
  },
  /** Shows the API's message (or a translated fallback) and the request id. */
  error(error: unknown, text: ToastText = {}): number {
    return push({ kind: 'error', error, ...text });
  },
  dismiss(id: number): void {
    publish(toasts.filter((item) => item.id !== id));
  },
};

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const getToasts = () => toasts;
const NO_TOASTS: readonly Toast[] = [];

/** Mounted once, in app/providers.tsx. */
export function Toaster() {
  const t = useT();
  const items = useSyncExternalStore(subscribe, getToasts, () => NO_TOASTS);
  const ref = useRef<HTMLElement>(null);
  const newestId = items.at(-1)?.id;

  // In the top layer (a manual popover) so toasts show above an open modal
  // dialog too; shown again for each new toast to stay above the latest one.
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof element.showPopover !== 'function') return;
    if (element.matches(':popover-open')) element.hidePopover();
    if (newestId !== undefined) element.showPopover();
  }, [newestId]);

  return (
    <section ref={ref} className="toaster" popover="manual" aria-label={t('ui.notifications')}>
      {items.map((item) => (
        <ToastCard key={item.id} toast={item} />
      ))}
    </section>
  );
}

function ToastCard({ toast: item }: { toast: Toast }) {
  const t = useT();

  useEffect(() => {
    const timer = window.setTimeout(() => toast.dismiss(item.id), LIFETIME_MS[item.kind]);
    return () => window.clearTimeout(timer);
  }, [item.id, item.kind]);

  const title = item.title ?? (item.titleKey ? t(item.titleKey) : item.kind === 'error' ? t('errors.actionFailed') : undefined);
  const described = item.kind === 'error' ? describeError(item.error, t) : null;
  const message = described?.message ?? item.message;

  return (
    <div className={`toast toast-${item.kind}`} role={item.kind === 'error' ? 'alert' : 'status'}>
      <div className="toast-text">
        {title && <p className="toast-title">{title}</p>}
        {message && <p>{message}</p>}
        {described?.requestId && <p className="notice-meta">{t('errors.requestId', { requestId: described.requestId })}</p>}
      </div>
      <button type="button" className="icon-button" aria-label={t('ui.dismiss')} onClick={() => toast.dismiss(item.id)}>
        ×
      </button>
    </div>
  );
}
