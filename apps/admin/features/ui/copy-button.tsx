'use client';

// Copies a value and says so for a moment. Works outside secure contexts too
// (the console reached over plain http on a LAN address has no Clipboard API).
import { useEffect, useState } from 'react';
import { useT } from '@/i18n/locale-provider';
import { toast } from './toast';

const COPIED_FEEDBACK_MS = 1500;

interface CopyButtonProps {
  value: string;
  /** Accessible name saying what is copied, e.g. "Copy the MCP endpoint of Support". */
  label?: string;
  size?: 'small' | 'normal';
  className?: string;
}

export function CopyButton({ value, label, size = 'small', className }: CopyButtonProps) {
  const t = useT();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), COPIED_FEEDBACK_MS);
    return () => window.clearTimeout(timer);
  }, [copied]);

  async function copy() {
    if (await copyText(value)) setCopied(true);
    else toast.info(t('ui.copyFailed'));
  }

  const classes = ['button', 'button-secondary', size === 'small' ? 'button-small' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type="button" className={classes} aria-label={label} onClick={() => void copy()}>
      <span aria-live="polite">{copied ? t('ui.copied') : t('ui.copy')}</span>
    </button>
  );
}

export async function copyText(value: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(value);
      return true;
    } catch {
      // Denied (e.g. no user activation): try the old way.
    }
  }
  const textarea = document.createElement('textarea');
  textarea.value = value;
  textarea.setAttribute('readonly', '');
  textarea.style.position = 'fixed';
  textarea.style.opacity = '0';
  // Inside an open modal dialog, since the rest of the page is inert then.
  (document.querySelector('dialog[open]') ?? document.body).appendChild(textarea);
  textarea.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    textarea.remove();
  }
}
