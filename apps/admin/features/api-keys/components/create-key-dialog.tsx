'use client';

// Creates a key for a group, then shows its secret once (IssuedKey). Closing
// the dialog drops the secret: it is not kept anywhere in the console.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { toolGroupListQueryOptions } from '@/features/tool-groups/queries';
import { SelectField, TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { parseRateLimits, rateLimitValues, type RateLimitErrors } from '@/features/ui/rate-limit-fields';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import { useCreateApiKey } from '../queries';
import { dayInDays, endOfDayIso } from './expiry';
import { IssuedKey } from './issued-key';
import { KeyLimitFields } from './key-limit-fields';
import { ToolAllowlistField } from './tool-allowlist-field';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';

const EXPIRY_PRESETS = ['never', '30', '90', '365', 'custom'] as const;
type ExpiryPreset = (typeof EXPIRY_PRESETS)[number];

interface CreateKeyDialogProps {
  open: boolean;
  /** Preselects the group (and hides the choice), e.g. on the group's page. */
  groupId?: string;
  /** Preselects a group that can still be changed. */
  defaultGroupId?: string;
  onClose: () => void;
}

export function CreateKeyDialog(props: CreateKeyDialogProps) {
  if (!props.open) return null;
  return <CreateKey {...props} />;
}

function CreateKey({ groupId: fixedGroupId, defaultGroupId, onClose }: CreateKeyDialogProps) {
  const t = useT();
  const groups = useQuery(toolGroupListQueryOptions());
  const create = useCreateApiKey();
  const [groupId, setGroupId] = useState(fixedGroupId ?? defaultGroupId ?? '');
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<ExpiryPreset>('never');
  const [customDay, setCustomDay] = useState(dayInDays(30));
  const [allowlist, setAllowlist] = useState<string[] | null>(null);
  const [limits, setLimits] = useState(() => rateLimitValues(undefined));
  const [errors, setErrors] = useState<{ name?: string; group?: string; expiry?: string; allowlist?: string }>({});
  const [limitErrors, setLimitErrors] = useState<RateLimitErrors>({});

  const groupItems = groups.data?.items ?? [];
  const effectiveGroupId = groupId || groupItems[0]?.id || '';
  const group = groupItems.find((item) => item.id === effectiveGroupId);
  const issued = create.data;

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!name.trim()) found.name = t('keys.nameRequired');
    if (!effectiveGroupId) found.group = t('keys.groupRequired');
    let expiresAt: string | null = null;
    if (expiry === 'custom') {
      if (!customDay || new Date(endOfDayIso(customDay)).getTime() <= Date.now()) found.expiry = t('keys.expiryInPast');
      else expiresAt = endOfDayIso(customDay);
    } else if (expiry !== 'never') {
      expiresAt = endOfDayIso(dayInDays(Number(expiry)));
    }
    if (allowlist !== null && allowlist.length === 0) found.allowlist = t('keys.allowlistEmpty');
    const parsed = parseRateLimits(limits, t);
    setErrors(found);
    setLimitErrors(parsed.errors);
    if (Object.keys(found).length > 0 || Object.keys(parsed.errors).length > 0) return;
    create.mutate(
      { groupId: effectiveGroupId, body: { name: name.trim(), expiresAt, toolAllowlist: allowlist, rateLimit: parsed.limits } },
      { onSuccess: (result) => toast.success(t('keys.created', { name: result.key.name })) },
    );
  }

  if (issued) {
    return (
      <Modal
        open
        onClose={onClose}
        title={t('keys.createdTitle', { name: issued.key.name })}
        size="large"
        footer={
          <button type="button" className="button button-primary" onClick={onClose}>
            {t('keys.copiedDone')}
          </button>
        }
      >
        <IssuedKey plaintext={issued.plaintext} serverCode={group?.serverCode} />
      </Modal>
    );
  }

  const pending = create.isPending;
  return (
    <Modal
      open
      onClose={onClose}
      title={t('keys.createTitle')}
      description={t('keys.createIntro')}
      dismissible={!pending}
      onSubmit={handleSubmit}
      footer={<FormDialogFooter onCancel={onClose} pending={pending} submitLabel={pending ? t('common.creating') : t('keys.createSubmit')} submitDisabled={groups.isPending} />}
    >
      {groups.isError && <ErrorNotice error={groups.error} title={t('groups.loadError')} />}
      <TextField label={t('keys.fieldName')} hint={t('keys.nameHint')} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required maxLength={200} />
      {!fixedGroupId && (
        <SelectField
          label={t('keys.fieldGroup')}
          value={effectiveGroupId}
          onChange={(e) => {
            setGroupId(e.target.value);
            setAllowlist(null);
          }}
          options={groupItems.map((item) => ({ value: item.id, label: item.enabled ? item.name : `${item.name} (${t('common.disabled')})` }))}
          error={errors.group ?? (groups.isSuccess && groupItems.length === 0 ? t('keys.noGroups') : undefined)}
          disabled={groups.isPending}
          required
        />
      )}
      <div className="field-row">
        <SelectField
          label={t('keys.fieldExpiry')}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value as ExpiryPreset)}
          options={EXPIRY_PRESETS.map((preset) => ({ value: preset, label: t(`keys.expiry.${preset}`) }))}
        />
        {expiry === 'custom' && (
          <TextField label={t('keys.fieldExpiryDay')} type="date" value={customDay} min={dayInDays(1)} onChange={(e) => setCustomDay(e.target.value)} error={errors.expiry} required />
        )}
      </div>
      {effectiveGroupId && <ToolAllowlistField groupId={effectiveGroupId} value={allowlist} onChange={setAllowlist} error={errors.allowlist} />}
      <KeyLimitFields values={limits} errors={limitErrors} onChange={setLimits} />
      {create.isError && <ErrorNotice error={create.error} />}
    </Modal>
  );
}
