'use client';

// "Last 15 min · 1 h · 24 h · 7 d · Custom": toggle buttons for the presets, and two date-time fields for a custom
// range, applied together. Shared by the dashboards and the call-log explorer.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useT } from '@/i18n/locale-provider';
import type { MessageKey } from '@/i18n/en';
import './time-range-picker.css';
import { fromLocalInput, sameRange, toLocalInput, type RangePreset, type TimeRange } from '../time-range';

const PRESET_LABELS: Record<RangePreset | 'all', MessageKey> = {
  '15m': 'dashboards.range15m',
  '1h': 'dashboards.range1h',
  '24h': 'dashboards.range24h',
  '7d': 'dashboards.range7d',
  '30d': 'dashboards.range30d',
  all: 'dashboards.rangeAll',
};

interface TimeRangePickerProps {
  value: TimeRange;
  onChange(range: TimeRange): void;
  options: readonly (RangePreset | 'all')[];
}

export function TimeRangePicker({ value, onChange, options }: TimeRangePickerProps) {
  const t = useT();
  const id = useId();
  const [customOpen, setCustomOpen] = useState(value.kind === 'custom');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);

  // Opening the custom fields starts them at the current range (or the last hour).
  useEffect(() => {
    if (value.kind === 'custom') {
      setFrom(toLocalInput(value.from));
      setTo(toLocalInput(value.to));
      setCustomOpen(true);
    }
  }, [value]);

  function openCustom() {
    if (!from || !to) {
      const now = Date.now();
      setFrom(toLocalInput(new Date(now - 3_600_000).toISOString()));
      setTo(toLocalInput(new Date(now).toISOString()));
    }
    setCustomOpen(true);
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    const fromIso = fromLocalInput(from);
    const toIso = fromLocalInput(to);
    if (!fromIso || !toIso || Date.parse(fromIso) >= Date.parse(toIso)) {
      setError(t('dashboards.rangeInvalid'));
      return;
    }
    setError(null);
    const next: TimeRange = { kind: 'custom', from: fromIso, to: toIso };
    if (!sameRange(next, value)) onChange(next);
  }

  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label={t('dashboards.rangeLabel')}>
        {options.map((option) => {
          const selected = option === 'all' ? value.kind === 'all' : value.kind === 'preset' && value.preset === option;
          return (
            <button
              key={option}
              type="button"
              className={selected ? 'segment segment-active' : 'segment'}
              aria-pressed={selected}
              onClick={() => {
                setCustomOpen(false);
                onChange(option === 'all' ? { kind: 'all' } : { kind: 'preset', preset: option });
              }}
            >
              {t(PRESET_LABELS[option])}
            </button>
          );
        })}
        <button
          type="button"
          className={value.kind === 'custom' || customOpen ? 'segment segment-active' : 'segment'}
          aria-pressed={value.kind === 'custom'}
          aria-expanded={customOpen}
          aria-controls={`${id}-custom`}
          onClick={() => (customOpen ? setCustomOpen(false) : openCustom())}
        >
          {t('dashboards.rangeCustom')}
        </button>
      </div>
      {customOpen && (
        <form id={`${id}-custom`} className="range-custom" onSubmit={apply} noValidate>
          <label className="inline-field">
            <span className="inline-field-label">{t('dashboards.rangeFrom')}</span>
            <input type="datetime-local" className="input input-compact" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="inline-field">
            <span className="inline-field-label">{t('dashboards.rangeTo')}</span>
            <input type="datetime-local" className="input input-compact" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit" className="button button-secondary button-small">
            {t('dashboards.rangeApply')}
          </button>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
