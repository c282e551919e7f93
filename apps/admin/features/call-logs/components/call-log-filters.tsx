'use client';

// The explorer's filters: text in the arguments, group, key, tool, outcome and time range. The text applies as
// the user pauses typing (or at once on Enter); the rest apply when chosen.
import { CALL_OUTCOMES, type CallOutcome } from '@toolgate/contracts';
import { useEffect, useId, useState } from 'react';
import { TimeRangePicker } from '@/features/dashboards/components/time-range-picker';
import { useT } from '@/i18n/locale-provider';
import type { LogFacets } from '../facets';
import { outcomeKey } from './outcome-badge';
import type { LogFilterValues } from './use-log-filters';

const TYPING_PAUSE_MS = 400;

interface CallLogFiltersProps {
  values: LogFilterValues;
  facets: LogFacets;
  onChange(next: Partial<LogFilterValues>): void;
}

export function CallLogFilters({ values, facets, onChange }: CallLogFiltersProps) {
  const t = useT();
  const searchId = useId();
  const [text, setText] = useState(values.q ?? '');

  // The URL changed elsewhere (Clear, back button): show its text.
  useEffect(() => setText(values.q ?? ''), [values.q]);

  useEffect(() => {
    const q = text.trim();
    if (q === (values.q ?? '')) return;
    const timer = window.setTimeout(() => onChange({ q: q || undefined }), TYPING_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [text, values.q, onChange]);

  // A key filter narrows to the chosen group's keys.
  const keys = values.groupId ? facets.keys.filter((key) => key.groupId === values.groupId) : facets.keys;

  return (
    <div className="log-filters" role="search" aria-label={t('logs.filtersLabel')}>
      <div className="log-filters-row">
        <form
          className="log-search"
          onSubmit={(event) => {
            event.preventDefault();
            onChange({ q: text.trim() || undefined });
          }}
        >
          <label htmlFor={searchId} className="visually-hidden">
            {t('logs.searchLabel')}
          </label>
          <input
            id={searchId}
            type="search"
            className="input"
            placeholder={t('logs.searchPlaceholder')}
            value={text}
            maxLength={200}
            onChange={(event) => setText(event.target.value)}
          />
        </form>
        <TimeRangePicker value={values.range} onChange={(range) => onChange({ range })} options={['15m', '1h', '24h', '7d', '30d', 'all']} />
      </div>
      <div className="log-filters-row">
        <FilterSelect
          label={t('logs.filterGroup')}
          value={values.groupId}
          anyLabel={t('logs.anyGroup')}
          options={facets.groups.map((group) => ({ value: group.id, label: group.name }))}
          onChange={(groupId) => onChange({ groupId, keyId: undefined })}
        />
        <FilterSelect
          label={t('logs.filterKey')}
          value={values.keyId}
          anyLabel={t('logs.anyKey')}
          options={keys.map((key) => ({ value: key.id, label: key.prefix ? `${key.name} (${key.prefix})` : key.name }))}
          onChange={(keyId) => onChange({ keyId })}
        />
        <FilterSelect
          label={t('logs.filterTool')}
          value={values.toolId}
          anyLabel={t('logs.anyTool')}
          options={facets.tools.map((tool) => ({ value: tool.id, label: tool.name }))}
          onChange={(toolId) => onChange({ toolId })}
        />
        <FilterSelect
          label={t('logs.filterOutcome')}
          value={values.outcome}
          anyLabel={t('logs.anyOutcome')}
          options={CALL_OUTCOMES.map((outcome) => ({ value: outcome, label: t(outcomeKey(outcome)) }))}
          onChange={(outcome) => onChange({ outcome: outcome as CallOutcome | undefined })}
        />
      </div>
    </div>
  );
}

function FilterSelect({
  label,
  value,
  anyLabel,
  options,
  onChange,
}: {
  label: string;
  value: string | undefined;
  anyLabel: string;
  options: { value: string; label: string }[];
  onChange(value: string | undefined): void;
}) {
  const id = useId();
  // An id from the URL that the lists do not name still shows as chosen.
  const known = !value || options.some((option) => option.value === value);
  return (
    <div className="inline-field">
      <label htmlFor={id} className="inline-field-label">
        {label}
      </label>
      <select id={id} className="select" value={value ?? ''} onChange={(event) => onChange(event.target.value || undefined)}>
        <option value="">{anyLabel}</option>
        {!known && value && <option value={value}>{`${value.slice(0, 8)}…`}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
