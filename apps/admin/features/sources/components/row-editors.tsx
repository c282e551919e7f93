'use client';

// Editable lists for the source form: name/value pairs (headers, environment, secrets) and plain
// lists (URLs, arguments). Each row's inputs carry their own accessible names; the problem, if any,
// is announced under the list.
import { useId } from 'react';
import { describedByOf, FieldMessages } from '@/features/ui/form-fields';
import { useT } from '@/i18n/locale-provider';
import { newListRow, newRow, type KeyValueRow, type ListRow } from './source-form-model';
import styles from './sources.module.css';

interface KeyValueEditorProps {
  label: string;
  hint?: string;
  rows: KeyValueRow[];
  onChange: (rows: KeyValueRow[]) => void;
  namePlaceholder: string;
  valuePlaceholder?: string;
  /** Values are typed blind and never prefilled. */
  secret?: boolean;
  error?: string | null;
  addLabel: string;
  /** Names that may not be renamed or removed (none by default). */
  disabled?: boolean;
}

export function KeyValueEditor({ label, hint, rows, onChange, namePlaceholder, valuePlaceholder, secret, error, addLabel, disabled }: KeyValueEditorProps) {
  const t = useT();
  const id = useId();
  const describedBy = describedByOf(id, hint, error);

  function update(rowId: number, changes: Partial<KeyValueRow>) {
    onChange(rows.map((row) => (row.id === rowId ? { ...row, ...changes } : row)));
  }

  return (
    <div className={styles.rows} role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      <div className={styles.rowsHeader}>
        <span id={`${id}-label`} className={styles.rowsLabel}>
          {label}
        </span>
      </div>
      {rows.map((row, index) => (
        <div key={row.id} className={styles.row}>
          <input
            className={`input ${styles.mono}`}
            aria-label={t('sources.rowName', { label, n: index + 1 })}
            placeholder={namePlaceholder}
            value={row.name}
            onChange={(event) => update(row.id, { name: event.target.value })}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            disabled={disabled}
            aria-invalid={error ? true : undefined}
          />
          <input
            className={`input ${styles.mono}`}
            type={secret ? 'password' : 'text'}
            aria-label={t('sources.rowValue', { label, n: index + 1 })}
            placeholder={valuePlaceholder}
            value={row.value}
            onChange={(event) => update(row.id, { value: event.target.value })}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete={secret ? 'new-password' : 'off'}
            disabled={disabled}
          />
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={t('sources.rowRemove', { label, n: index + 1 })}
            onClick={() => onChange(rows.filter((item) => item.id !== row.id))}
            disabled={disabled}
          >
            {t('sources.remove')}
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="button button-secondary button-small" onClick={() => onChange([...rows, newRow()])} disabled={disabled}>
          {addLabel}
        </button>
      </div>
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}

interface ListEditorProps {
  label: string;
  hint?: string;
  rows: ListRow[];
  onChange: (rows: ListRow[]) => void;
  placeholder?: string;
  error?: string | null;
  addLabel: string;
  /** Keep at least this many rows (e.g. one URL). */
  minRows?: number;
  inputType?: 'text' | 'url';
}

export function ListEditor({ label, hint, rows, onChange, placeholder, error, addLabel, minRows = 0, inputType = 'text' }: ListEditorProps) {
  const t = useT();
  const id = useId();
  const describedBy = describedByOf(id, hint, error);

  return (
    <div className={styles.rows} role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      <span id={`${id}-label`} className={styles.rowsLabel}>
        {label}
      </span>
      {rows.map((row, index) => (
        <div key={row.id} className={styles.rowSingle}>
          <input
            className={`input ${styles.mono}`}
            type={inputType}
            aria-label={rows.length === 1 ? label : t('sources.rowItem', { label, n: index + 1 })}
            placeholder={placeholder}
            value={row.value}
            onChange={(event) => onChange(rows.map((item) => (item.id === row.id ? { ...item, value: event.target.value } : item)))}
            spellCheck={false}
            autoCapitalize="off"
            aria-invalid={error ? true : undefined}
          />
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={t('sources.rowRemove', { label, n: index + 1 })}
            onClick={() => onChange(rows.filter((item) => item.id !== row.id))}
            disabled={rows.length <= minRows}
          >
            {t('sources.remove')}
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="button button-secondary button-small" onClick={() => onChange([...rows, newListRow()])}>
          {addLabel}
        </button>
      </div>
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}
