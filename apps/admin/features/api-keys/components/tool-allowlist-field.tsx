'use client';

// Which of its group's tools a key may call: all of them (including tools
// added later), or only the ones ticked. Names are the ones agents see.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { groupToolsQueryOptions } from '@/features/tool-groups/queries';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { FieldMessages } from '@/features/ui/form-fields';
import { Skeleton } from '@/features/ui/skeleton';
import { useT } from '@/i18n/locale-provider';

interface ToolAllowlistFieldProps {
  groupId: string;
  /** null: every tool of the group. */
  value: string[] | null;
  onChange: (value: string[] | null) => void;
  error?: string;
}

export function ToolAllowlistField({ groupId, value, onChange, error }: ToolAllowlistFieldProps) {
  const t = useT();
  const id = useId();
  const tools = useQuery(groupToolsQueryOptions(groupId));
  const restricted = value !== null;
  const selected = new Set(value ?? []);
  // Names on the list that the group no longer serves stay visible, so saving does not silently drop them.
  const groupNames = tools.data?.items.map((tool) => tool.exposedName) ?? [];
  const names = [...groupNames, ...[...selected].filter((name) => !groupNames.includes(name))];

  function toggle(name: string, checked: boolean) {
    const next = new Set(selected);
    if (checked) next.add(name);
    else next.delete(name);
    onChange(names.filter((item) => next.has(item)));
  }

  return (
    <fieldset className="fieldset" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('keys.allowlist')}</legend>
      <label className="radio">
        <input type="radio" name={`${id}-mode`} checked={!restricted} onChange={() => onChange(null)} />
        {t('keys.allowlistAll')}
      </label>
      <label className="radio">
        <input type="radio" name={`${id}-mode`} checked={restricted} onChange={() => onChange(value ?? [])} />
        {t('keys.allowlistSome')}
      </label>
      {restricted && (
        <div className="checklist" role="group" aria-label={t('keys.allowlistTools')}>
          {tools.isPending && <Skeleton shape="wide" />}
          {tools.isError && <ErrorNotice error={tools.error} title={t('groups.toolsLoadError')} />}
          {tools.isSuccess && names.length === 0 && <p className="muted">{t('keys.allowlistNoTools')}</p>}
          {names.map((name) => (
            <label key={name} className="checkbox-line">
              <input type="checkbox" checked={selected.has(name)} onChange={(e) => toggle(name, e.target.checked)} />
              <code>{name}</code>
              {tools.isSuccess && !groupNames.includes(name) && <span className="muted"> {t('keys.allowlistNotInGroup')}</span>}
            </label>
          ))}
        </div>
      )}
      <FieldMessages id={id} error={error} />
    </fieldset>
  );
}
