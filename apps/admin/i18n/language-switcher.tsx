'use client';

import { useId } from 'react';
import { LOCALES, useLocale, type Locale } from './locale-provider';

export function LanguageSwitcher() {
  const { locale, setLocale, t } = useLocale();
  const id = useId();

  return (
    <div className="inline-field">
      <label htmlFor={id} className="inline-field-label">
        {t('locale.label')}
      </label>
      <select
        id={id}
        className="select"
        value={locale}
        onChange={(event) => setLocale(event.target.value as Locale)}
      >
        {LOCALES.map((option) => (
          <option key={option} value={option}>
            {t(`locale.${option}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
