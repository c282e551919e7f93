// The source form's values, and how they become the `config` and `secrets` the API takes (and back,
// for editing). Checks here give each field a translated message; the API checks everything again.
import { DEFAULT_TOOL_NAME_TEMPLATE, SOURCE_CONFIG_SCHEMAS } from '@toolgate/contracts';
import type { MessageKey } from '@/i18n/en';
import type { Source, UpstreamKind } from '../api';

export const UPSTREAM_KINDS: readonly UpstreamKind[] = ['mcp_http', 'mcp_sse', 'mcp_stdio', 'http'];

export interface KeyValueRow {
  id: number;
  name: string;
  value: string;
}

let nextRowId = 1;
export function newRow(name = '', value = ''): KeyValueRow {
  return { id: nextRowId++, name, value };
}

export interface ListRow {
  id: number;
  value: string;
}

export function newListRow(value = ''): ListRow {
  return { id: nextRowId++, value };
}

/** Resilience settings, as typed (empty = the API's default). */
export const RESILIENCE_FIELDS = [
  { key: 'attemptTimeoutSeconds', min: 1, max: 3600 },
  { key: 'breakerFailureThreshold', min: 1, max: 1000 },
  { key: 'breakerOpenSeconds', min: 1, max: 3600 },
  { key: 'maxRetries', min: 0, max: 10 },
  { key: 'maxResponseBytes', min: 1024, max: 64 * 1024 * 1024 },
] as const;
export type ResilienceKey = (typeof RESILIENCE_FIELDS)[number]['key'];

export interface SourceFormValues {
  kind: UpstreamKind;
  name: string;
  namespace: string;
  enabled: boolean;
  // mcp_stdio
  command: string;
  args: ListRow[];
  env: KeyValueRow[];
  cwd: string;
  idleStopSeconds: string;
  startOnBoot: boolean;
  // mcp_http, mcp_sse
  urls: ListRow[];
  selection: '' | 'round-robin' | 'least-in-flight';
  // mcp_http, mcp_sse, http
  headers: KeyValueRow[];
  // http
  documentFrom: 'url' | 'file';
  documentUrl: string;
  document: string;
  documentFileName: string;
  baseUrl: string;
  /** The operations to import; null = every operation (no preview picked any). */
  operations: string[] | null;
  // secrets: headers, or environment variables for stdio
  secrets: KeyValueRow[];
  /** Editing: whether the stored secrets are replaced (they are never shown). */
  replaceSecrets: boolean;
  // advanced
  toolNameTemplate: string;
  refreshIntervalSeconds: string;
  resilience: Record<ResilienceKey, string>;
}

export type SourceFormField =
  | 'name'
  | 'namespace'
  | 'command'
  | 'args'
  | 'env'
  | 'cwd'
  | 'idleStopSeconds'
  | 'urls'
  | 'headers'
  | 'documentUrl'
  | 'document'
  | 'baseUrl'
  | 'operations'
  | 'secrets'
  | 'toolNameTemplate'
  | 'refreshIntervalSeconds'
  | ResilienceKey
  /** Not one field's: shown above the buttons. */
  | 'form';

/** Each field's problem, as a message key with its parameters. */
export type FieldProblems = Partial<Record<SourceFormField, { key: MessageKey; params?: Record<string, string | number> }>>;

const emptyResilience = (): Record<ResilienceKey, string> => ({
  attemptTimeoutSeconds: '',
  breakerFailureThreshold: '',
  breakerOpenSeconds: '',
  maxRetries: '',
  maxResponseBytes: '',
});

export function emptyValues(kind: UpstreamKind = 'mcp_http'): SourceFormValues {
  return {
    kind,
    name: '',
    namespace: '',
    enabled: true,
    command: '',
    args: [],
    env: [],
    cwd: '',
    idleStopSeconds: '',
    startOnBoot: false,
    urls: [newListRow()],
    selection: '',
    headers: [],
    documentFrom: 'url',
    documentUrl: '',
    document: '',
    documentFileName: '',
    baseUrl: '',
    operations: null,
    secrets: [],
    replaceSecrets: true,
    toolNameTemplate: '',
    refreshIntervalSeconds: '',
    resilience: emptyResilience(),
  };
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? String(value) : '');
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const pairs = (value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value as Record<string, unknown>).map(([name, v]) => newRow(name, String(v)))
    : [];

/** The form for an existing source: its config as fields; secrets only by name, values left blank. */
export function valuesFromSource(source: Source): SourceFormValues {
  const config = source.config;
  const kind = source.kind as UpstreamKind;
  const resilience = (config.resilience ?? {}) as Record<string, unknown>;
  const urls = strings(config.urls).map((url) => newListRow(url));
  return {
    ...emptyValues(kind),
    name: source.name,
    namespace: source.namespace,
    enabled: source.enabled,
    command: str(config.command),
    args: strings(config.args).map((arg) => newListRow(arg)),
    env: pairs(config.env),
    cwd: str(config.cwd),
    idleStopSeconds: num(config.idleStopSeconds),
    startOnBoot: config.startOnBoot === true,
    urls: urls.length ? urls : [newListRow()],
    selection: config.selection === 'round-robin' || config.selection === 'least-in-flight' ? config.selection : '',
    headers: pairs(config.headers),
    documentFrom: typeof config.document === 'string' ? 'file' : 'url',
    documentUrl: str(config.documentUrl),
    document: str(config.document),
    documentFileName: '',
    baseUrl: str(config.baseUrl),
    operations: Array.isArray(config.operations) ? strings(config.operations) : null,
    secrets: source.secretNames.map((name) => newRow(name, '')),
    replaceSecrets: false,
    toolNameTemplate: str(config.toolNameTemplate),
    refreshIntervalSeconds: num(config.refreshIntervalSeconds),
    resilience: Object.fromEntries(RESILIENCE_FIELDS.map(({ key }) => [key, num(resilience[key])])) as Record<ResilienceKey, string>,
  };
}

const NAMESPACE = /^[a-z0-9][a-z0-9_]{0,39}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TEMPLATE = /^[A-Za-z0-9_.{}-]*\{tool\}[A-Za-z0-9_.{}-]*$/;

/** "Customer CRM" → "customer_crm": a namespace to start from. */
export function suggestNamespace(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The name a discovered tool gets, for the hint under the template field. */
export function exampleToolName(namespace: string, template: string): string {
  return (template || DEFAULT_TOOL_NAME_TEMPLATE).replaceAll('{namespace}', namespace || 'ns').replaceAll('{tool}', 'search');
}

export interface BuiltSource {
  config: Record<string, unknown>;
  /** Undefined when editing without replacing the secrets. */
  secrets: Record<string, string> | undefined;
}

/**
 * Turns the values into the API's `config` and `secrets`, or says what is wrong. When editing, keys of the
 * stored config the form does not know are kept as they were.
 */
export function buildSource(
  values: SourceFormValues,
  mode: 'create' | 'edit',
  previous: Record<string, unknown> = {},
): { ok: true; source: BuiltSource } | { ok: false; problems: FieldProblems } {
  const problems: FieldProblems = {};
  const config: Record<string, unknown> = { ...previous };
  const setOrDrop = (key: string, value: unknown) => {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete config[key];
    else config[key] = value;
  };

  if (mode === 'create') {
    if (!values.name.trim()) problems.name = { key: 'sources.errNameRequired' };
    if (!NAMESPACE.test(values.namespace)) problems.namespace = { key: 'sources.errNamespace' };
  } else if (!values.name.trim()) {
    problems.name = { key: 'sources.errNameRequired' };
  }

  const integer = (field: SourceFormField, text: string, min: number, max: number): number | undefined => {
    if (text.trim() === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems[field] = { key: 'sources.errInteger', params: { min, max } };
      return undefined;
    }
    return value;
  };

  const headerMap = (field: SourceFormField, rows: KeyValueRow[], pattern: RegExp, message: MessageKey) => {
    const map: Record<string, string> = {};
    for (const row of rows) {
      const name = row.name.trim();
      if (!name && !row.value) continue;
      if (!pattern.test(name)) {
        problems[field] = { key: message, params: { name: name || '""' } };
        continue;
      }
      if (name in map) problems[field] = { key: 'sources.errDuplicateName', params: { name } };
      map[name] = row.value;
    }
    return map;
  };

  if (values.kind === 'mcp_stdio') {
    if (!values.command.trim()) problems.command = { key: 'sources.errCommandRequired' };
    setOrDrop('command', values.command.trim());
    setOrDrop(
      'args',
      values.args.map((row) => row.value).filter((arg) => arg !== ''),
    );
    const env = headerMap('env', values.env, ENV_NAME, 'sources.errEnvName');
    setOrDrop('env', Object.keys(env).length ? env : undefined);
    setOrDrop('cwd', values.cwd.trim());
    setOrDrop('idleStopSeconds', integer('idleStopSeconds', values.idleStopSeconds, 1, 86_400));
    setOrDrop('startOnBoot', values.startOnBoot ? true : undefined);
  } else if (values.kind === 'mcp_http' || values.kind === 'mcp_sse') {
    const urls = values.urls.map((row) => row.value.trim()).filter(Boolean);
    if (urls.length === 0) problems.urls = { key: 'sources.errUrlsRequired' };
    const bad = urls.find((url) => !isHttpUrl(url));
    if (bad) problems.urls = { key: 'sources.errUrl', params: { url: bad } };
    setOrDrop('urls', urls);
    setOrDrop('selection', values.selection || undefined);
    const headers = headerMap('headers', values.headers, HEADER_NAME, 'sources.errHeaderName');
    setOrDrop('headers', Object.keys(headers).length ? headers : undefined);
  } else {
    if (values.documentFrom === 'url') {
      const url = values.documentUrl.trim();
      if (!url) problems.documentUrl = { key: 'sources.errDocumentUrlRequired' };
      else if (!isHttpUrl(url)) problems.documentUrl = { key: 'sources.errUrl', params: { url } };
      setOrDrop('documentUrl', url);
      delete config.document;
    } else {
      if (!values.document) problems.document = { key: 'sources.errDocumentRequired' };
      setOrDrop('document', values.document);
      delete config.documentUrl;
    }
    const baseUrl = values.baseUrl.trim();
    if (baseUrl && !isHttpUrl(baseUrl)) problems.baseUrl = { key: 'sources.errUrl', params: { url: baseUrl } };
    setOrDrop('baseUrl', baseUrl);
    if (values.operations !== null && values.operations.length === 0) problems.operations = { key: 'sources.errNoOperations' };
    if (values.operations === null) delete config.operations;
    else config.operations = values.operations;
    const headers = headerMap('headers', values.headers, HEADER_NAME, 'sources.errHeaderName');
    setOrDrop('headers', Object.keys(headers).length ? headers : undefined);
  }

  const template = values.toolNameTemplate.trim();
  if (template && !TEMPLATE.test(template)) problems.toolNameTemplate = { key: 'sources.errTemplate' };
  setOrDrop('toolNameTemplate', template);
  setOrDrop('refreshIntervalSeconds', integer('refreshIntervalSeconds', values.refreshIntervalSeconds, 0, 7 * 86_400));
  const resilience: Record<string, number> = {};
  for (const { key, min, max } of RESILIENCE_FIELDS) {
    const value = integer(key, values.resilience[key], min, max);
    if (value !== undefined) resilience[key] = value;
  }
  setOrDrop('resilience', Object.keys(resilience).length ? resilience : undefined);

  let secrets: Record<string, string> | undefined;
  if (mode === 'create' || values.replaceSecrets) {
    const stdio = values.kind === 'mcp_stdio';
    secrets = headerMap(
      'secrets',
      values.secrets,
      stdio ? ENV_NAME : values.kind === 'http' ? /^(query\.)?[!#$%&'*+.^_`|~0-9A-Za-z-]+$/ : HEADER_NAME,
      stdio ? 'sources.errEnvName' : 'sources.errHeaderName',
    );
    const blank = Object.entries(secrets).find(([, value]) => value === '');
    if (blank && !problems.secrets) problems.secrets = { key: 'sources.errSecretValue', params: { name: blank[0] } };
  }

  if (Object.keys(problems).length > 0) return { ok: false, problems };
  // The contract's own schema catches anything the checks above do not know about.
  const parsed = SOURCE_CONFIG_SCHEMAS[values.kind].safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problems: { [fieldOf(issue.path[0])]: { key: 'sources.errConfig', params: { message: issue.message } } } };
  }
  return { ok: true, source: { config, secrets } };
}

function fieldOf(key: PropertyKey | undefined): SourceFormField {
  const known: readonly string[] = ['command', 'args', 'env', 'cwd', 'idleStopSeconds', 'urls', 'headers', 'documentUrl', 'document', 'baseUrl', 'operations', 'toolNameTemplate', 'refreshIntervalSeconds'];
  return typeof key === 'string' && known.includes(key) ? (key as SourceFormField) : 'form';
}
