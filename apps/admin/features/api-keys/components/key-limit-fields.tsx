'use client';

// A key's own call limits, in the create and edit dialogs: they replace the group's per-key limit for this key;
// the group's limits for all its keys together still apply.
import { RateLimitFields, type RateLimitErrors, type RateLimitValues } from '@/features/ui/rate-limit-fields';
import { useT } from '@/i18n/locale-provider';

interface KeyLimitFieldsProps {
  values: RateLimitValues;
  errors: RateLimitErrors;
  onChange: (values: RateLimitValues) => void;
}

export function KeyLimitFields({ values, errors, onChange }: KeyLimitFieldsProps) {
  const t = useT();
  return (
    <RateLimitFields
      legend={t('keys.limits')}
      hint={t('keys.limitsHint')}
      values={values}
      errors={errors}
      onChange={onChange}
      labels={{ perMinute: t('keys.limitPerMinute'), perDay: t('keys.limitPerDay') }}
    />
  );
}
