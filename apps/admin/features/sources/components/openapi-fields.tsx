'use client';

// The OpenAPI part of the source form: where the document comes from (a URL, or a file read here in
// the browser), "Preview" to list its operations, and a checklist of the ones that become tools.
import { useId, useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { Field, TextField } from '@/features/ui/form-fields';
import { useT } from '@/i18n/locale-provider';
import type { OpenApiPreview } from '../api';
import { useOpenApiPreview } from '../queries';
import type { SourceFormValues } from './source-form-model';
import styles from './sources.module.css';

/** The API refuses larger documents. */
const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

interface OpenApiFieldsProps {
  values: SourceFormValues;
  set: (changes: Partial<SourceFormValues>) => void;
  errors: { documentUrl?: string; document?: string; operations?: string };
}

export function OpenApiFields({ values, set, errors }: OpenApiFieldsProps) {
  const t = useT();
  const radioName = useId();
  const preview = useOpenApiPreview();
  const [result, setResult] = useState<OpenApiPreview | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);

  const canPreview = values.documentFrom === 'url' ? values.documentUrl.trim() !== '' : values.document !== '';

  function runPreview() {
    preview.mutate(
      {
        ...(values.documentFrom === 'url' ? { documentUrl: values.documentUrl.trim() } : { document: values.document }),
        namespace: /^[a-z0-9][a-z0-9_]{0,39}$/.test(values.namespace) ? values.namespace : 'api',
        ...(values.toolNameTemplate.trim() ? { toolNameTemplate: values.toolNameTemplate.trim() } : {}),
      },
      {
        onSuccess: (answer) => {
          setResult(answer);
          const supported = answer.operations.filter((op) => !op.unsupported).map((op) => op.operationId);
          // First preview: everything importable is ticked. A later one keeps what is still there.
          set({ operations: values.operations === null ? supported : values.operations.filter((id) => supported.includes(id)) });
        },
      },
    );
  }

  async function readFile(file: File | undefined) {
    setFileError(null);
    setResult(null);
    if (!file) return;
    if (file.size > MAX_DOCUMENT_BYTES) {
      setFileError(t('sources.fileTooLarge'));
      return;
    }
    set({ document: await file.text(), documentFileName: file.name, operations: null });
  }

  const selected = new Set(values.operations ?? []);
  const supportedIds = result?.operations.filter((op) => !op.unsupported).map((op) => op.operationId) ?? [];

  return (
    <>
      <fieldset className="fieldset">
        <legend>{t('sources.documentLegend')}</legend>
        <div className="field-row">
          <label className="radio">
            <input
              type="radio"
              name={radioName}
              checked={values.documentFrom === 'url'}
              onChange={() => {
                set({ documentFrom: 'url', operations: null });
                setResult(null);
              }}
            />
            {t('sources.documentFromUrl')}
          </label>
          <label className="radio">
            <input
              type="radio"
              name={radioName}
              checked={values.documentFrom === 'file'}
              onChange={() => {
                set({ documentFrom: 'file', operations: null });
                setResult(null);
              }}
            />
            {t('sources.documentFromFile')}
          </label>
        </div>
        {values.documentFrom === 'url' ? (
          <TextField
            label={t('sources.documentUrl')}
            type="url"
            placeholder="https://api.example.com/openapi.json"
            value={values.documentUrl}
            onChange={(event) => {
              set({ documentUrl: event.target.value });
              setResult(null);
            }}
            error={errors.documentUrl}
            hint={t('sources.documentUrlHint')}
            spellCheck={false}
          />
        ) : (
          <Field
            label={t('sources.documentFile')}
            error={fileError ?? errors.document}
            hint={
              values.document
                ? t('sources.documentLoaded', { name: values.documentFileName || t('sources.storedDocument'), size: Math.ceil(values.document.length / 1024) })
                : t('sources.documentFileHint')
            }
          >
            {(control) => (
              <input {...control} className="input" type="file" accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml" onChange={(event) => void readFile(event.target.files?.[0])} />
            )}
          </Field>
        )}
        <div>
          <button type="button" className="button button-secondary" onClick={runPreview} disabled={!canPreview || preview.isPending}>
            {preview.isPending ? t('sources.previewing') : t('sources.preview')}
          </button>
        </div>
        {preview.isError && <ErrorNotice error={preview.error} title={t('sources.previewError')} />}
        {result ? (
          <OperationList
            preview={result}
            selected={selected}
            onChange={(ids) => set({ operations: ids })}
            supportedIds={supportedIds}
            error={errors.operations}
          />
        ) : (
          <p className="field-hint">{values.operations === null ? t('sources.previewHintAll') : t('sources.previewHintKept', { count: values.operations.length })}</p>
        )}
      </fieldset>
    </>
  );
}

interface OperationListProps {
  preview: OpenApiPreview;
  selected: Set<string>;
  supportedIds: string[];
  onChange: (ids: string[]) => void;
  error?: string;
}

function OperationList({ preview, selected, supportedIds, onChange, error }: OperationListProps) {
  const t = useT();
  const headingId = useId();
  // In the document's order.
  const toggle = (operationId: string, on: boolean) =>
    onChange(preview.operations.map((op) => op.operationId).filter((id) => (id === operationId ? on : selected.has(id))));

  return (
    <div className={styles.rows}>
      <div className={styles.rowsHeader}>
        <span id={headingId} className={styles.rowsLabel}>
          {t('sources.operationsHeading', { title: preview.title, version: preview.version })}
        </span>
        <span className="muted" aria-live="polite">
          {t('sources.operationsSelected', { selected: selected.size, total: supportedIds.length })}
        </span>
      </div>
      <div>
        <button type="button" className="button button-ghost button-small" onClick={() => onChange(supportedIds)}>
          {t('sources.selectAll')}
        </button>
        <button type="button" className="button button-ghost button-small" onClick={() => onChange([])}>
          {t('sources.selectNone')}
        </button>
      </div>
      {preview.operations.length === 0 ? (
        <p className="muted">{t('sources.noOperations')}</p>
      ) : (
        <div className={styles.operations} role="group" aria-labelledby={headingId}>
          {preview.operations.map((op) => {
            const disabled = op.unsupported !== null;
            return (
              <label key={op.operationId} className={disabled ? `${styles.operation} ${styles.operationDisabled}` : styles.operation}>
                <input type="checkbox" checked={!disabled && selected.has(op.operationId)} disabled={disabled} onChange={(event) => toggle(op.operationId, event.target.checked)} />
                <span className={styles.method}>{op.method}</span>
                <span>
                  <code>{op.path}</code>
                  {op.summary && <span className="cell-subtitle"> — {op.summary}</span>}
                  {op.deprecated && <span className="badge"> {t('sources.deprecated')}</span>}
                </span>
                {disabled ? (
                  <span className={styles.reason}>{t('sources.unsupported', { reason: op.unsupported ?? '' })}</span>
                ) : (
                  <span className={styles.toolName}>→ {op.toolName}</span>
                )}
              </label>
            );
          })}
        </div>
      )}
      {preview.notes.length > 0 && (
        <ul className="field-hint">
          {preview.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
