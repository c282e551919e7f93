'use client';

// Call quotas in forms and summaries: calls per minute and per day, empty for none. Tenants and keys use these
// (groups have more settings, see features/tool-groups); the API checks each value's bounds and says so.
import { useFormat } from '@/i18n/format';
import { useT, type Translate } from '@/i18n/locale-provider';
import { TextField } from './form-fields';

export interface RateLimitValues {
  perMinute: string;
  perDay: string;
}

export type RateLimitErrors = Partial<Record<keyof RateLimitValues, string>>;

interface Limits {
  perMinute?: number | null;
  perDay?: number | null;
}

export function rateLimitValues(limits: Limits | undefined): RateLimitValues {
  return { perMinute: limits?.perMinute?.toString() ?? '', perDay: limits?.perDay?.toString() ?? '' };
}

/** The form's text as the API's limits (null = no limit), or the fields that are not whole numbers of 1 or more. */
export function parseRateLimits(values: RateLimitValues, t: Translate): { limits: { perMinute: number | null; perDay: number | null }; errors: RateLimitErrors } {
  const errors: RateLimitErrors = {};
  const parse = (field: keyof RateLimitValues): number | null => {
    const text = values[field].trim();
    if (text === '') return null;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) errors[field] = t('ui.limitInvalid');
    return value;
  };
  return { limits: { perMinute: parse('perMinute'), perDay: parse('perDay') }, errors };
}

interface RateLimitFieldsProps {
  legend: string;
  values: RateLimitValues;
  errors: RateLimitErrors;
  onChange: (values: RateLimitValues) => void;
  labels: { perMinute: string; perDay: string };
  hint?: string;
}

export function RateLimitFields({ legend, values, errors, onChange, labels, hint }: RateLimitFieldsProps) {
  const t = useT();
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <p className="field-hint">{hint ?? t('ui.rateLimitsHint')}</p>
      <div className="field-row">
        {(['perMinute', 'perDay'] as const).map((field) => (
          <TextField
            key={field}
            label={labels[field]}
            inputMode="numeric"
            value={values[field]}
            onChange={(e) => onChange({ ...values, [field]: e.target.value })}
            error={errors[field]}
            optional
          />
        ))}
      </div>
    </fieldset>
  );
}

/** "600 per minute · 10,000 per day", or "No limit". */
export function RateLimitSummary({ limits }: { limits: Limits }) {
  const t = useT();
  const format = useFormat();
  const parts = [
    limits.perMinute ? t('ui.limitPerMinute', { count: format.number(limits.perMinute) }) : null,
    limits.perDay ? t('ui.limitPerDay', { count: format.number(limits.perDay) }) : null,
  ].filter(Boolean);
  return parts.length ? <>{parts.join(' · ')}</> : <span className="muted">{t('ui.noLimit')}</span>;
}
