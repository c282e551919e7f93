'use client';

// The form that adds a source or changes one: the kind (new sources only), name and namespace, the
// kind's own settings, its secrets (write-only: stored ones show by name only), and an "Advanced"
// part with naming, refresh and resilience settings.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { CheckboxField, SelectField, TextField } from '@/features/ui/form-fields';
import type { MessageKey } from '@/i18n/en';
import { useT } from '@/i18n/locale-provider';
import type { Source, UpstreamKind } from '../api';
import { stdioCommandsQueryOptions } from '../queries';
import { OpenApiFields } from './openapi-fields';
import { KeyValueEditor, ListEditor } from './row-editors';
import {
  buildSource,
  exampleToolName,
  RESILIENCE_FIELDS,
  suggestNamespace,
  UPSTREAM_KINDS,
  type FieldProblems,
  type ResilienceKey,
  type SourceFormField,
  type SourceFormValues,
} from './source-form-model';
import { KIND_HINT_KEYS, KIND_LABEL_KEYS } from './source-labels';
import styles from './sources.module.css';

export interface SourceFormResult {
  kind: UpstreamKind;
  name: string;
  namespace: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets: Record<string, string> | undefined;
}

interface SourceFormProps {
  mode: 'create' | 'edit';
  initialValues: SourceFormValues;
  /** The source being edited. */
  source?: Source;
  pending: boolean;
  error: unknown;
  onSubmit: (result: SourceFormResult) => void;
  onCancel: () => void;
}

const RESILIENCE_LABELS: Record<ResilienceKey, { label: MessageKey; hint: MessageKey }> = {
  attemptTimeoutSeconds: { label: 'sources.attemptTimeout', hint: 'sources.attemptTimeoutHint' },
  breakerFailureThreshold: { label: 'sources.breakerThreshold', hint: 'sources.breakerThresholdHint' },
  breakerOpenSeconds: { label: 'sources.breakerOpen', hint: 'sources.breakerOpenHint' },
  maxRetries: { label: 'sources.maxRetries', hint: 'sources.maxRetriesHint' },
  maxResponseBytes: { label: 'sources.maxResponseBytes', hint: 'sources.maxResponseBytesHint' },
};

export function SourceForm({ mode, initialValues, source, pending, error, onSubmit, onCancel }: SourceFormProps) {
  const t = useT();
  const kindName = useId();
  const [values, setValues] = useState(initialValues);
  const [namespaceTouched, setNamespaceTouched] = useState(mode === 'edit');
  const [problems, setProblems] = useState<FieldProblems>({});
  const creating = mode === 'create';

  function set(changes: Partial<SourceFormValues>) {
    setValues((current) => {
      const next = { ...current, ...changes };
      if (changes.name !== undefined && !namespaceTouched) next.namespace = suggestNamespace(changes.name);
      return next;
    });
  }

  const problem = (field: SourceFormField) => {
    const found = problems[field];
    return found ? t(found.key, found.params) : undefined;
  };

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const built = buildSource(values, mode, source?.config);
    if (!built.ok) {
      setProblems(built.problems);
      // Open the part that holds the first problem, and take the keyboard there.
      requestAnimationFrame(() => {
        const invalid = document.querySelector<HTMLElement>('[aria-invalid="true"], .field-error');
        invalid?.closest('details')?.setAttribute('open', '');
        invalid?.scrollIntoView({ block: 'center' });
        if (invalid instanceof HTMLInputElement || invalid instanceof HTMLSelectElement || invalid instanceof HTMLTextAreaElement) invalid.focus();
      });
      return;
    }
    setProblems({});
    onSubmit({
      kind: values.kind,
      name: values.name.trim(),
      namespace: values.namespace,
      enabled: values.enabled,
      config: built.source.config,
      secrets: built.source.secrets,
    });
  }

  // A taken namespace belongs next to its field; anything else above the buttons.
  const apiError = error instanceof ApiError ? error : null;
  const namespaceError = problem('namespace') ?? (apiError?.code === 'NAMESPACE_TAKEN' ? apiError.message : undefined);
  const commandError = problem('command') ?? (apiError?.code === 'COMMAND_NOT_ALLOWED' ? apiError.message : undefined);
  const otherError = error && !(apiError && ['NAMESPACE_TAKEN', 'COMMAND_NOT_ALLOWED'].includes(apiError.code)) ? error : null;
  const stdio = values.kind === 'mcp_stdio';
  const remote = values.kind === 'mcp_http' || values.kind === 'mcp_sse';

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-busy={pending}>
      {creating && (
        <fieldset className={styles.kindPicker}>
          <legend>{t('sources.kind')}</legend>
          {UPSTREAM_KINDS.map((kind) => (
            <label key={kind} className={styles.kindOption}>
              <input type="radio" name={kindName} value={kind} checked={values.kind === kind} onChange={() => set({ kind, operations: null })} />
              <span>
                <span className={styles.kindName}>{t(KIND_LABEL_KEYS[kind])}</span>
                <br />
                <span className={styles.kindHint}>{t(KIND_HINT_KEYS[kind])}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}

      <section className={`card ${styles.formCard}`} aria-labelledby="source-basics">
        <h2 id="source-basics" className="card-title">
          {t('sources.basics')}
        </h2>
        <div className="field-row">
          <TextField label={t('sources.fieldName')} value={values.name} onChange={(e) => set({ name: e.target.value })} error={problem('name')} required maxLength={200} />
          <TextField
            label={t('sources.fieldNamespace')}
            value={values.namespace}
            onChange={(e) => {
              setNamespaceTouched(true);
              set({ namespace: e.target.value });
            }}
            error={namespaceError}
            hint={creating ? t('sources.namespaceHint', { example: exampleToolName(values.namespace, values.toolNameTemplate) }) : t('sources.namespaceFixed')}
            required={creating}
            readOnly={!creating}
            maxLength={40}
            spellCheck={false}
            autoCapitalize="off"
            className={styles.monoField}
          />
        </div>
        {creating && (
          <CheckboxField switch label={t('sources.fieldEnabled')} hint={t('sources.fieldEnabledHint')} checked={values.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
        )}
      </section>

      <section className={`card ${styles.formCard}`} aria-labelledby="source-connection">
        <h2 id="source-connection" className="card-title">
          {t(stdio ? 'sources.processTitle' : remote ? 'sources.serverTitle' : 'sources.apiTitle')}
        </h2>
        {stdio && (
          <>
            <StdioCommandField value={values.command} onChange={(command) => set({ command })} error={commandError} />
            <ListEditor
              label={t('sources.args')}
              hint={t('sources.argsHint')}
              rows={values.args}
              onChange={(args) => set({ args })}
              placeholder="--flag"
              addLabel={t('sources.addArg')}
              error={problem('args')}
            />
            <KeyValueEditor
              label={t('sources.env')}
              hint={t('sources.envHint')}
              rows={values.env}
              onChange={(env) => set({ env })}
              namePlaceholder="LOG_LEVEL"
              valuePlaceholder="info"
              addLabel={t('sources.addEnv')}
              error={problem('env')}
            />
          </>
        )}
        {remote && (
          <>
            <ListEditor
              label={t('sources.urls')}
              hint={t('sources.urlsHint')}
              rows={values.urls}
              onChange={(urls) => set({ urls })}
              placeholder={values.kind === 'mcp_sse' ? 'https://mcp.example.com/sse' : 'https://mcp.example.com/mcp'}
              addLabel={t('sources.addUrl')}
              error={problem('urls')}
              minRows={1}
              inputType="url"
            />
            <SelectField
              label={t('sources.selection')}
              hint={t('sources.selectionHint')}
              value={values.selection}
              onChange={(e) => set({ selection: e.target.value as SourceFormValues['selection'] })}
              options={[
                { value: '', label: t('sources.selectionDefault') },
                { value: 'round-robin', label: t('sources.selectionRoundRobin') },
                { value: 'least-in-flight', label: t('sources.selectionLeastInFlight') },
              ]}
            />
          </>
        )}
        {values.kind === 'http' && (
          <>
            <OpenApiFields
              values={values}
              set={set}
              errors={{ documentUrl: problem('documentUrl'), document: problem('document'), operations: problem('operations') }}
            />
            <TextField
              label={t('sources.baseUrl')}
              type="url"
              placeholder="https://api.example.com/v1"
              value={values.baseUrl}
              onChange={(e) => set({ baseUrl: e.target.value })}
              error={problem('baseUrl')}
              hint={t('sources.baseUrlHint')}
              optional
              spellCheck={false}
            />
          </>
        )}
        {!stdio && (
          <KeyValueEditor
            label={t('sources.headers')}
            hint={t('sources.headersHint')}
            rows={values.headers}
            onChange={(headers) => set({ headers })}
            namePlaceholder="X-Client"
            valuePlaceholder="toolgate"
            addLabel={t('sources.addHeader')}
            error={problem('headers')}
          />
        )}
      </section>

      <section className={`card ${styles.formCard}`} aria-labelledby="source-secrets">
        <h2 id="source-secrets" className="card-title">
          {t(stdio ? 'sources.secretEnvTitle' : 'sources.secretHeadersTitle')}
        </h2>
        <p className="muted">{t(stdio ? 'sources.secretEnvIntro' : values.kind === 'http' ? 'sources.secretHttpIntro' : 'sources.secretHeadersIntro')}</p>
        {!creating && (
          <>
            <StoredSecretNames names={source?.secretNames ?? []} />
            <CheckboxField
              label={t('sources.replaceSecrets')}
              hint={t('sources.replaceSecretsHint')}
              checked={values.replaceSecrets}
              onChange={(e) => set({ replaceSecrets: e.target.checked })}
            />
          </>
        )}
        {(creating || values.replaceSecrets) && (
          <KeyValueEditor
            label={t(stdio ? 'sources.secretEnv' : 'sources.secretHeaders')}
            rows={values.secrets}
            onChange={(secrets) => set({ secrets })}
            namePlaceholder={stdio ? 'API_TOKEN' : 'Authorization'}
            valuePlaceholder={t('sources.secretValuePlaceholder')}
            addLabel={t('sources.addSecret')}
            error={problem('secrets')}
            secret
          />
        )}
      </section>

      <details className={styles.advanced}>
        <summary>{t('sources.advanced')}</summary>
        <div className={styles.advancedBody}>
          <div className="field-row">
            <TextField
              label={t('sources.toolNameTemplate')}
              placeholder="{namespace}__{tool}"
              value={values.toolNameTemplate}
              onChange={(e) => set({ toolNameTemplate: e.target.value })}
              error={problem('toolNameTemplate')}
              hint={t('sources.toolNameTemplateHint', { example: exampleToolName(values.namespace, values.toolNameTemplate) })}
              optional
              spellCheck={false}
              className={styles.monoField}
            />
            <TextField
              label={t('sources.refreshInterval')}
              inputMode="numeric"
              placeholder="3600"
              value={values.refreshIntervalSeconds}
              onChange={(e) => set({ refreshIntervalSeconds: e.target.value })}
              error={problem('refreshIntervalSeconds')}
              hint={t('sources.refreshIntervalHint')}
              optional
            />
          </div>
          <fieldset className="fieldset">
            <legend>{t('sources.resilience')}</legend>
            <p className="field-hint">{t('sources.resilienceHint')}</p>
            <div className="field-row">
              {RESILIENCE_FIELDS.map(({ key }) => (
                <TextField
                  key={key}
                  label={t(RESILIENCE_LABELS[key].label)}
                  hint={t(RESILIENCE_LABELS[key].hint)}
                  inputMode="numeric"
                  value={values.resilience[key]}
                  onChange={(e) => set({ resilience: { ...values.resilience, [key]: e.target.value } })}
                  error={problem(key)}
                  optional
                />
              ))}
            </div>
          </fieldset>
          {stdio && (
            <fieldset className="fieldset">
              <legend>{t('sources.processSettings')}</legend>
              <div className="field-row">
                <TextField label={t('sources.cwd')} value={values.cwd} onChange={(e) => set({ cwd: e.target.value })} error={problem('cwd')} optional spellCheck={false} />
                <TextField
                  label={t('sources.idleStop')}
                  hint={t('sources.idleStopHint')}
                  inputMode="numeric"
                  placeholder="600"
                  value={values.idleStopSeconds}
                  onChange={(e) => set({ idleStopSeconds: e.target.value })}
                  error={problem('idleStopSeconds')}
                  optional
                />
              </div>
              <CheckboxField label={t('sources.startOnBoot')} hint={t('sources.startOnBootHint')} checked={values.startOnBoot} onChange={(e) => set({ startOnBoot: e.target.checked })} />
            </fieldset>
          )}
        </div>
      </details>

      {problem('form') && <p className="notice notice-error">{problem('form')}</p>}
      {otherError ? <ErrorNotice error={otherError} title={t(creating ? 'sources.createError' : 'sources.saveError')} /> : null}
      {pending && (
        <p className="muted" role="status">
          {t('sources.discovering')}
        </p>
      )}
      <div className={styles.formActions}>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={pending}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={pending}>
          {creating ? (pending ? t('sources.adding') : t('sources.addSubmit')) : pending ? t('common.saving') : t('sources.saveSubmit')}
        </button>
      </div>
    </form>
  );
}

function StdioCommandField({ value, onChange, error }: { value: string; onChange: (command: string) => void; error?: string }) {
  const t = useT();
  const { isPlatformAdmin } = useAccess();
  const commands = useQuery({ ...stdioCommandsQueryOptions(), enabled: isPlatformAdmin });

  if (!isPlatformAdmin) {
    return (
      <TextField
        label={t('sources.command')}
        placeholder="npx"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        hint={t('sources.commandHintTenant')}
        required
        spellCheck={false}
        autoCapitalize="off"
        className={styles.monoField}
      />
    );
  }
  if (commands.isError) return <ErrorNotice error={commands.error} title={t('sources.commandsLoadError')} onRetry={() => void commands.refetch()} />;
  const allowed = commands.data?.items ?? [];
  const options = [
    { value: '', label: commands.isPending ? t('common.loading') : t('sources.chooseCommand') },
    ...allowed.map((item) => ({ value: item.command, label: item.description ? `${item.command} — ${item.description}` : item.command })),
    // A source saved with a command since taken off the list still shows it.
    ...(value && !allowed.some((item) => item.command === value) && !commands.isPending ? [{ value, label: t('sources.commandNotAllowed', { command: value }) }] : []),
  ];
  return (
    <SelectField
      label={t('sources.command')}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      options={options}
      error={error}
      required
      disabled={commands.isPending}
      hint={
        <>
          {allowed.length === 0 && !commands.isPending ? t('sources.commandHintEmpty') : t('sources.commandHintAdmin')}{' '}
          <Link href="/sources/stdio-commands">{t('sources.manageCommands')}</Link>
        </>
      }
    />
  );
}

export function StoredSecretNames({ names }: { names: readonly string[] }) {
  const t = useT();
  if (names.length === 0) return <p className="muted">{t('sources.noSecrets')}</p>;
  return (
    <ul className={styles.secretNames} aria-label={t('sources.storedSecrets')}>
      {names.map((name) => (
        <li key={name} className={styles.secretName}>
          {name} <span className={styles.secretHidden}>{t('sources.secretHidden')}</span>
        </li>
      ))}
    </ul>
  );
}
