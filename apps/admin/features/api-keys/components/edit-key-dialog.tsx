'use client';

// Changes a key's name, expiry, tool allowlist and its own call limits. The
// secret cannot change here: rotate the key for a new one.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { parseRateLimits, rateLimitValues, type RateLimitErrors } from '@/features/ui/rate-limit-fields';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import { maskedKey, type ApiKey } from '../api';
import { useUpdateApiKey } from '../queries';
import { dayInDays, endOfDayIso, toDayInput } from './expiry';
import { KeyLimitFields } from './key-limit-fields';
import { ToolAllowlistField } from './tool-allowlist-field';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';

export function EditKeyDialog({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  if (!apiKey) return null;
  return <EditKey apiKey={apiKey} onClose={onClose} />;
}

function EditKey({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const t = useT();
  const update = useUpdateApiKey();
  const [name, setName] = useState(apiKey.name);
  const [expiryDay, setExpiryDay] = useState(toDayInput(apiKey.expiresAt));
  const [allowlist, setAllowlist] = useState<string[] | null>(apiKey.toolAllowlist);
  const [limits, setLimits] = useState(() => rateLimitValues(apiKey.rateLimit));
  const [errors, setErrors] = useState<{ name?: string; allowlist?: string }>({});
  const [limitErrors, setLimitErrors] = useState<RateLimitErrors>({});

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!name.trim()) found.name = t('keys.nameRequired');
    if (allowlist !== null && allowlist.length === 0) found.allowlist = t('keys.allowlistEmpty');
    const parsed = parseRateLimits(limits, t);
    setErrors(found);
    setLimitErrors(parsed.errors);
    if (Object.keys(found).length > 0 || Object.keys(parsed.errors).length > 0) return;
    // Only what changed: an unchanged expiry keeps its exact time.
    const expiresAt = expiryDay === toDayInput(apiKey.expiresAt) ? undefined : expiryDay ? endOfDayIso(expiryDay) : null;
    update.mutate(
      { id: apiKey.id, changes: { name: name.trim(), toolAllowlist: allowlist, rateLimit: parsed.limits, ...(expiresAt !== undefined ? { expiresAt } : {}) } },
      {
        onSuccess: () => {
          toast.success(t('common.saved'));
          onClose();
        },
      },
    );
  }

  return (
    <Modal
      open
      onClose={onClose}
      title={t('keys.editTitle', { name: apiKey.name })}
      description={<code>{maskedKey(apiKey)}</code>}
      dismissible={!update.isPending}
      onSubmit={handleSubmit}
      footer={<FormDialogFooter onCancel={onClose} pending={update.isPending} submitLabel={update.isPending ? t('common.saving') : t('common.save')} />}
    >
      <div className="field-row">
        <TextField label={t('keys.fieldName')} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required maxLength={200} />
        <TextField
          label={t('keys.fieldExpiryDay')}
          type="date"
          value={expiryDay}
          min={dayInDays(0)}
          onChange={(e) => setExpiryDay(e.target.value)}
          hint={t('keys.expiryEmptyHint')}
          optional
        />
      </div>
      <ToolAllowlistField groupId={apiKey.groupId} value={allowlist} onChange={setAllowlist} error={errors.allowlist} />
      <KeyLimitFields values={limits} errors={limitErrors} onChange={setLimits} />
      {update.isError && <ErrorNotice error={update.error} />}
    </Modal>
  );
}
