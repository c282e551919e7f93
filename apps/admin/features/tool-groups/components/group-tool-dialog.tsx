'use client';

// Puts a tool in a group, or changes how a group serves it: the name agents see
// (alias), the description they read, whether it is on, and its timeout there.
// Opened from a group (pick the tool) or from a tool (pick the group).
import { TOOL_NAME_PATTERN } from '@toolgate/contracts';
import { useState, type FormEvent } from 'react';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { CheckboxField, SelectField, TextAreaField, TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { useT } from '@/i18n/locale-provider';
import type { GroupTool, GroupToolAssignment } from '../api';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';

interface Choice {
  id: string;
  label: string;
}

export interface GroupToolDialogProps {
  open: boolean;
  title: string;
  /** The tool's own name: the alias's placeholder, and what agents see without one. */
  toolName?: string;
  /** The tool's own description, shown as the override's placeholder. */
  toolDescription?: string;
  /** Offered when the tool or group is still to be chosen. */
  choices?: { label: string; items: Choice[]; emptyText: string };
  /** The current assignment, when editing one. */
  current?: GroupTool;
  pending: boolean;
  error: unknown;
  /** `choice` is the picked tool or group id, when `choices` was given. */
  onSubmit: (assignment: GroupToolAssignment, choice: string | null) => void;
  onClose: () => void;
}

export function GroupToolDialog(props: GroupToolDialogProps) {
  if (!props.open) return null;
  return <GroupToolForm {...props} />;
}

function GroupToolForm({ title, toolName, toolDescription, choices, current, pending, error, onSubmit, onClose }: GroupToolDialogProps) {
  const t = useT();
  const [choice, setChoice] = useState(choices?.items[0]?.id ?? '');
  const [alias, setAlias] = useState(current?.alias ?? '');
  const [description, setDescription] = useState(current?.description ?? '');
  const [timeout, setTimeoutText] = useState(current?.timeoutSeconds?.toString() ?? '');
  const [enabled, setEnabled] = useState(current?.enabled ?? true);
  const [errors, setErrors] = useState<{ alias?: string; timeout?: string; choice?: string }>({});

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (choices && !choice) found.choice = choices.emptyText;
    if (alias && !TOOL_NAME_PATTERN.test(alias)) found.alias = t('groups.aliasInvalid');
    const timeoutSeconds = timeout.trim() === '' ? null : Number(timeout);
    if (timeoutSeconds !== null && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600)) {
      found.timeout = t('groups.timeoutInvalid');
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    onSubmit({ alias: alias || null, description: description.trim() ? description : null, enabled, timeoutSeconds }, choices ? choice : null);
  }

  const apiError = error instanceof ApiError ? error : null;
  const aliasError = errors.alias ?? (apiError?.code === 'ALIAS_TAKEN' ? apiError.message : undefined);
  const otherError = error && apiError?.code !== 'ALIAS_TAKEN' ? error : null;
  const noChoices = choices !== undefined && choices.items.length === 0;

  return (
    <Modal
      open
      onClose={onClose}
      title={title}
      dismissible={!pending}
      onSubmit={handleSubmit}
      footer={<FormDialogFooter onCancel={onClose} pending={pending} submitLabel={pending ? t('common.saving') : current ? t('common.save') : t('groups.addToolSubmit')} submitDisabled={noChoices} />}
    >
      {choices &&
        (noChoices ? (
          <p className="notice notice-info">{choices.emptyText}</p>
        ) : (
          <SelectField
            label={choices.label}
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            options={choices.items.map((item) => ({ value: item.id, label: item.label }))}
            error={errors.choice}
            required
          />
        ))}
      <TextField
        label={t('groups.fieldAlias')}
        hint={t('groups.aliasHint')}
        placeholder={toolName}
        value={alias}
        onChange={(e) => setAlias(e.target.value)}
        error={aliasError}
        optional
        maxLength={128}
        spellCheck={false}
        autoCapitalize="off"
      />
      <TextAreaField
        label={t('groups.fieldToolDescription')}
        hint={t('groups.toolDescriptionHint')}
        placeholder={toolDescription}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        optional
        maxLength={4000}
      />
      <div className="field-row">
        <TextField
          label={t('groups.fieldTimeout')}
          hint={t('groups.timeoutHint')}
          inputMode="numeric"
          value={timeout}
          onChange={(e) => setTimeoutText(e.target.value)}
          error={errors.timeout}
          optional
        />
      </div>
      <CheckboxField switch label={t('groups.fieldToolEnabled')} hint={t('groups.toolEnabledHint')} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
      {otherError ? <ErrorNotice error={otherError} /> : null}
    </Modal>
  );
}
