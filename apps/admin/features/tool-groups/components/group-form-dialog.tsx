'use client';

// Creates a group, or edits one: name, server code (the endpoint's last path
// segment), description, enabled, and when editing the rate limits and the
// roles/tiers the group is meant for.
import { SLUG_PATTERN, type UpdateGroup } from '@toolgate/contracts';
import { useState, type FormEvent } from 'react';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { CheckboxField, TextAreaField, TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { useT } from '@/i18n/locale-provider';
import type { ToolGroup } from '../api';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';

export interface GroupFormValues {
  name: string;
  serverCode: string;
  description: string;
  enabled: boolean;
  perMinute: string;
  perKeyPerMinute: string;
  perDay: string;
  maxConcurrentPerKey: string;
  allowedRoles: string;
  allowedUserTiers: string;
}

type FieldErrors = Partial<Record<keyof GroupFormValues, string>>;

interface GroupFormDialogProps {
  open: boolean;
  /** The group to edit; a new group when absent. */
  group?: ToolGroup;
  pending: boolean;
  error: unknown;
  onSubmit: (changes: UpdateGroup & { name: string; serverCode: string }) => void;
  onClose: () => void;
}

/** "Customer Support" → "customer-support": a server code to start from. */
export function suggestServerCode(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

function initialValues(group?: ToolGroup): GroupFormValues {
  return {
    name: group?.name ?? '',
    serverCode: group?.serverCode ?? '',
    description: group?.description ?? '',
    enabled: group?.enabled ?? true,
    perMinute: group?.rateLimit.perMinute?.toString() ?? '',
    perKeyPerMinute: group?.rateLimit.perKeyPerMinute?.toString() ?? '',
    perDay: group?.rateLimit.perDay?.toString() ?? '',
    maxConcurrentPerKey: group?.rateLimit.maxConcurrentPerKey?.toString() ?? '',
    allowedRoles: group?.allowedRoles.join(', ') ?? '',
    allowedUserTiers: group?.allowedUserTiers.join(', ') ?? '',
  };
}

const splitList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function GroupFormDialog(props: GroupFormDialogProps) {
  // Mounted only while open, so each opening starts from the group's current values.
  if (!props.open) return null;
  return <GroupForm {...props} />;
}

function GroupForm({ group, pending, error, onSubmit, onClose }: GroupFormDialogProps) {
  const t = useT();
  const editing = group !== undefined;
  const [values, setValues] = useState(() => initialValues(group));
  const [codeTouched, setCodeTouched] = useState(editing);
  const [errors, setErrors] = useState<FieldErrors>({});

  function set<K extends keyof GroupFormValues>(key: K, value: GroupFormValues[K]) {
    setValues((current) => {
      const next = { ...current, [key]: value };
      if (key === 'name' && !codeTouched) next.serverCode = suggestServerCode(String(value));
      return next;
    });
  }

  function limit(text: string, field: keyof GroupFormValues, found: FieldErrors): number | null {
    if (text.trim() === '') return null;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) found[field] = t('groups.limitInvalid');
    return value;
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!values.name.trim()) found.name = t('groups.nameRequired');
    if (!SLUG_PATTERN.test(values.serverCode) || values.serverCode.length < 2) found.serverCode = t('groups.serverCodeInvalid');
    const rateLimit = {
      // Settings this form does not show are kept as they are.
      ...group?.rateLimit,
      perMinute: limit(values.perMinute, 'perMinute', found),
      perKeyPerMinute: limit(values.perKeyPerMinute, 'perKeyPerMinute', found),
      perDay: limit(values.perDay, 'perDay', found),
      maxConcurrentPerKey: limit(values.maxConcurrentPerKey, 'maxConcurrentPerKey', found),
    };
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    onSubmit({
      name: values.name.trim(),
      serverCode: values.serverCode,
      description: values.description,
      enabled: values.enabled,
      ...(editing
        ? { rateLimit, allowedRoles: splitList(values.allowedRoles), allowedUserTiers: splitList(values.allowedUserTiers) }
        : {}),
    });
  }

  // A taken name or server code belongs next to its field.
  const apiError = error instanceof ApiError ? error : null;
  const nameError = errors.name ?? (apiError?.code === 'GROUP_NAME_TAKEN' ? apiError.message : undefined);
  const codeError = errors.serverCode ?? (apiError?.code === 'SERVER_CODE_TAKEN' ? apiError.message : undefined);
  const otherError = error && !(apiError && ['GROUP_NAME_TAKEN', 'SERVER_CODE_TAKEN'].includes(apiError.code)) ? error : null;
  const codeChanged = editing && values.serverCode !== group.serverCode;

  return (
    <Modal
      open
      onClose={onClose}
      title={editing ? t('groups.editTitle', { name: group.name }) : t('groups.createTitle')}
      description={editing ? undefined : t('groups.createIntro')}
      size={editing ? 'large' : 'medium'}
      dismissible={!pending}
      onSubmit={handleSubmit}
      footer={<FormDialogFooter onCancel={onClose} pending={pending} submitLabel={editing ? (pending ? t('common.saving') : t('common.save')) : pending ? t('common.creating') : t('groups.createSubmit')} />}
    >
      <div className="field-row">
        <TextField label={t('groups.fieldName')} value={values.name} onChange={(e) => set('name', e.target.value)} error={nameError} required maxLength={200} />
        <TextField
          label={t('groups.fieldServerCode')}
          value={values.serverCode}
          onChange={(e) => {
            setCodeTouched(true);
            set('serverCode', e.target.value);
          }}
          error={codeError}
          hint={codeChanged ? t('groups.serverCodeChangeWarning') : t('groups.serverCodeHint')}
          required
          maxLength={64}
          spellCheck={false}
          autoCapitalize="off"
        />
      </div>
      <TextAreaField
        label={t('groups.fieldDescription')}
        value={values.description}
        onChange={(e) => set('description', e.target.value)}
        optional
        maxLength={2000}
      />
      <CheckboxField switch label={t('groups.fieldEnabled')} hint={t('groups.fieldEnabledHint')} checked={values.enabled} onChange={(e) => set('enabled', e.target.checked)} />
      {editing && (
        <>
          <fieldset className="fieldset">
            <legend>{t('groups.rateLimits')}</legend>
            <p className="field-hint">{t('groups.rateLimitsHint')}</p>
            <div className="field-row">
              <TextField label={t('groups.perMinute')} inputMode="numeric" value={values.perMinute} onChange={(e) => set('perMinute', e.target.value)} error={errors.perMinute} optional />
              <TextField
                label={t('groups.perKeyPerMinute')}
                inputMode="numeric"
                value={values.perKeyPerMinute}
                onChange={(e) => set('perKeyPerMinute', e.target.value)}
                error={errors.perKeyPerMinute}
                optional
              />
              <TextField label={t('groups.perDay')} inputMode="numeric" value={values.perDay} onChange={(e) => set('perDay', e.target.value)} error={errors.perDay} optional />
              <TextField
                label={t('groups.maxConcurrentPerKey')}
                inputMode="numeric"
                value={values.maxConcurrentPerKey}
                onChange={(e) => set('maxConcurrentPerKey', e.target.value)}
                error={errors.maxConcurrentPerKey}
                optional
              />
            </div>
          </fieldset>
          <div className="field-row">
            <TextField
              label={t('groups.allowedRoles')}
              hint={t('groups.listHint')}
              value={values.allowedRoles}
              onChange={(e) => set('allowedRoles', e.target.value)}
              optional
            />
            <TextField
              label={t('groups.allowedUserTiers')}
              hint={t('groups.listHint')}
              value={values.allowedUserTiers}
              onChange={(e) => set('allowedUserTiers', e.target.value)}
              optional
            />
          </div>
        </>
      )}
      {otherError ? <ErrorNotice error={otherError} /> : null}
    </Modal>
  );
}
