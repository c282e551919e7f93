'use client';

// Replaces a key with a new one with the same settings. The old key keeps
// working for the chosen overlap, so agents can be moved over without a gap.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { SelectField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { MessageKey } from '@/i18n/en';
import { maskedKey, type ApiKey } from '../api';
import { useRotateApiKey } from '../queries';
import { IssuedKey } from './issued-key';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';

const HOUR = 3600;
const OVERLAPS: { seconds: number; labelKey: MessageKey }[] = [
  { seconds: 0, labelKey: 'keys.overlap.none' },
  { seconds: HOUR, labelKey: 'keys.overlap.hour' },
  { seconds: 24 * HOUR, labelKey: 'keys.overlap.day' },
  { seconds: 7 * 24 * HOUR, labelKey: 'keys.overlap.week' },
  { seconds: 30 * 24 * HOUR, labelKey: 'keys.overlap.month' },
];
const DEFAULT_OVERLAP = 24 * HOUR;

interface RotateKeyDialogProps {
  apiKey: ApiKey | null;
  serverCode?: string;
  onClose: () => void;
}

export function RotateKeyDialog({ apiKey, serverCode, onClose }: RotateKeyDialogProps) {
  if (!apiKey) return null;
  return <RotateKey apiKey={apiKey} serverCode={serverCode} onClose={onClose} />;
}

function RotateKey({ apiKey, serverCode, onClose }: { apiKey: ApiKey; serverCode?: string; onClose: () => void }) {
  const t = useT();
  const format = useFormat();
  const rotate = useRotateApiKey();
  const [overlap, setOverlap] = useState(DEFAULT_OVERLAP);
  const issued = rotate.data;

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rotate.mutate({ id: apiKey.id, overlapSeconds: overlap }, { onSuccess: () => toast.success(t('keys.rotated', { name: apiKey.name })) });
  }

  if (issued) {
    return (
      <Modal
        open
        onClose={onClose}
        title={t('keys.rotatedTitle', { name: apiKey.name })}
        size="large"
        footer={
          <button type="button" className="button button-primary" onClick={onClose}>
            {t('keys.copiedDone')}
          </button>
        }
      >
        <IssuedKey plaintext={issued.plaintext} serverCode={serverCode} />
      </Modal>
    );
  }

  // The API shortens an expiry that would end later than the overlap, and keeps an earlier one.
  const overlapEnd = Date.now() + overlap * 1000;
  const currentEnd = apiKey.expiresAt ? new Date(apiKey.expiresAt).getTime() : Infinity;
  const oldKeyEnds = new Date(Math.min(overlapEnd, currentEnd)).toISOString();

  return (
    <Modal
      open
      onClose={onClose}
      title={t('keys.rotateTitle', { name: apiKey.name })}
      description={t('keys.rotateIntro')}
      dismissible={!rotate.isPending}
      onSubmit={handleSubmit}
      footer={<FormDialogFooter onCancel={onClose} pending={rotate.isPending} submitLabel={rotate.isPending ? t('keys.rotating') : t('keys.rotateSubmit')} />}
    >
      <SelectField
        label={t('keys.fieldOverlap')}
        value={String(overlap)}
        onChange={(e) => setOverlap(Number(e.target.value))}
        options={OVERLAPS.map((option) => ({ value: String(option.seconds), label: t(option.labelKey) }))}
        hint={
          overlap === 0
            ? t('keys.overlapNowHint', { key: maskedKey(apiKey) })
            : t('keys.overlapHint', { key: maskedKey(apiKey), date: format.dateTime(oldKeyEnds) })
        }
      />
      {rotate.isError && <ErrorNotice error={rotate.error} />}
    </Modal>
  );
}
