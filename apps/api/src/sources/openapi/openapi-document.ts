// Reads an OpenAPI 3.0/3.1 document (JSON or YAML) into a checked form whose local $refs are resolved, ready to
// become tools. Everything here is bounded: text size, nesting, operation count and how far $refs may expand.
import { parse as parseYaml } from 'yaml';
import { AppException } from '../../common/errors/app-exception';

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const MAX_OPERATIONS = 2_000;
/** How often one $ref may be open inside itself: deeper copies of a recursive schema become `{}` (any value). */
export const MAX_RECURSION_DEPTH = 2;
/** $refs followed inside one another before the next one becomes `{}`. */
const MAX_REF_CHAIN = 16;
/** Nesting of the document as written; real documents stay far below it. */
const MAX_NESTING = 100;
/** Objects and arrays produced while resolving $refs, for the whole document. */
const MAX_RESOLVED_NODES = 1_000_000;

export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type JsonObject = Record<string, unknown>;

export interface OpenApiOperation {
  /** Unique in the document; `<method>_<path slug>` when the document gives none. */
  operationId: string;
  operationIdSynthesized: boolean;
  method: HttpMethod;
  path: string;
  /** The operation object, $refs resolved. */
  operation: JsonObject;
  /** Its path item (path-level parameters and servers), $refs resolved. */
  pathItem: JsonObject;
}

export interface OpenApiDocument {
  /** As written, e.g. "3.0.3". */
  openapi: string;
  specVersion: '3.0' | '3.1';
  info: { title: string; version: string; description?: string };
  /** Server objects as written (variables not yet substituted). */
  servers: JsonObject[];
  securitySchemes: Record<string, JsonObject>;
  operations: OpenApiOperation[];
  /** Where the document was fetched from: relative server URLs resolve against it. */
  documentUrl?: string;
  /** What was simplified on the way (recursive schemas cut, renamed duplicates), for the admin. */
  notes: string[];
}

export interface ParseOpenApiOptions {
  documentUrl?: string;
  maxBytes?: number;
  maxOperations?: number;
}

/**
 * Objects that stand for "the rest of a recursive schema": `{}`, recognised by identity so that the tool builder can
 * say which operation lost detail.
 */
const recursionPlaceholders = new WeakSet<object>();
export const isRecursionPlaceholder = (value: unknown): boolean => typeof value === 'object' && value !== null && recursionPlaceholders.has(value);

const invalid = (message: string) => new AppException('VALIDATION_FAILED', message);

export function parseOpenApiDocument(text: string, options: ParseOpenApiOptions = {}): OpenApiDocument {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new AppException('PAYLOAD_TOO_LARGE', `The OpenAPI document is larger than ${formatBytes(maxBytes)}.`);
  }
  const raw = parseText(text.replace(/^\uFEFF/, ''));
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('not an OpenAPI 3 document: expected a JSON or YAML object at the top level.');
  const root = raw as JsonObject;
  const { openapi, specVersion } = readVersion(root);
  checkNesting(root);

  const resolver = new RefResolver(root, specVersion);
  const info = isObject(root.info) ? root.info : {};
  const components = isObject(root.components) ? root.components : {};
  const securitySchemes = isObject(components.securitySchemes) ? (resolver.resolve(components.securitySchemes, '#/components/securitySchemes') as Record<string, JsonObject>) : {};
  const { operations, notes } = readOperations(root, resolver, options.maxOperations ?? MAX_OPERATIONS);

  return {
    openapi,
    specVersion,
    info: {
      title: typeof info.title === 'string' ? info.title : 'Untitled API',
      version: typeof info.version === 'string' ? info.version : String(info.version ?? ''),
      ...(typeof info.description === 'string' ? { description: info.description } : {}),
    },
    servers: Array.isArray(root.servers) ? root.servers.filter(isObject) : [],
    securitySchemes,
    operations,
    ...(options.documentUrl ? { documentUrl: options.documentUrl } : {}),
    notes: [...resolver.notes, ...notes],
  };
}

function parseText(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed) throw invalid('not an OpenAPI 3 document: the document is empty.');
  try {
    if (trimmed.startsWith('{')) return JSON.parse(trimmed);
    // YAML 1.2 core schema: no dates or other types JSON lacks; alias expansion is capped against "billion laughs".
    return parseYaml(text, { maxAliasCount: 100, prettyErrors: true });
  } catch (err) {
    if (err instanceof RangeError) throw invalid('The OpenAPI document is nested too deeply to read.');
    const reason = err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : 'unreadable';
    throw invalid(`The OpenAPI document is neither valid JSON nor valid YAML: ${reason}`);
  }
}

function readVersion(root: JsonObject): { openapi: string; specVersion: '3.0' | '3.1' } {
  const declared = root.openapi;
  if (declared === undefined) {
    if (root.swagger !== undefined) {
      throw invalid(`not an OpenAPI 3 document: it is Swagger ${String(root.swagger)}; convert it to OpenAPI 3 first (for example with swagger2openapi).`);
    }
    throw invalid('not an OpenAPI 3 document: the "openapi" version field is missing.');
  }
  const match = typeof declared === 'string' ? /^3\.([01])\.\d+(?:-[0-9A-Za-z.-]+)?$/.exec(declared) : null;
  if (!match) throw invalid(`not an OpenAPI 3 document: "openapi" is ${JSON.stringify(declared)}; OpenAPI 3.0.x and 3.1.x are supported.`);
  return { openapi: declared as string, specVersion: match[1] === '0' ? '3.0' : '3.1' };
}

/** Iterative, so that absurd nesting is refused here rather than overflowing the stack later. */
function checkNesting(root: unknown): void {
  const pending: [unknown, number][] = [[root, 1]];
  while (pending.length) {
    const [value, depth] = pending.pop()!;
    if (depth > MAX_NESTING) throw invalid(`The OpenAPI document is nested more than ${MAX_NESTING} levels deep.`);
    const children = Array.isArray(value) ? value : Object.values(value as object);
    for (const child of children) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
}

function readOperations(root: JsonObject, resolver: RefResolver, maxOperations: number): { operations: OpenApiOperation[]; notes: string[] } {
  const paths = root.paths;
  const found: Omit<OpenApiOperation, 'operationId' | 'operationIdSynthesized'>[] = [];
  const notes: string[] = [];
  if (paths !== undefined && !isObject(paths)) throw invalid('The OpenAPI document\'s "paths" must be an object.');

  // Counted before anything is resolved, so a huge document is refused cheaply.
  const items: [string, JsonObject][] = [];
  let count = 0;
  for (const [path, value] of Object.entries(paths ?? {})) {
    if (!path.startsWith('/')) continue; // "x-" extensions
    const item = resolver.shallow(value, `#/paths/${escapePointer(path)}`);
    if (!item) continue;
    count += HTTP_METHODS.filter((m) => isObject(item[m.toLowerCase()])).length;
    if (count > maxOperations) throw invalid(`The OpenAPI document has more than ${maxOperations} operations; import a smaller document.`);
    items.push([path, value as JsonObject]);
  }

  for (const [path, value] of items) {
    const where = `#/paths/${escapePointer(path)}`;
    const pathItem = resolver.resolve(value, where) as JsonObject;
    if (isObject(pathItem.trace)) notes.push(`TRACE ${path} is skipped: TRACE requests are not sent.`);
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method.toLowerCase()];
      if (isObject(operation)) found.push({ method, path, operation, pathItem });
    }
  }

  return { operations: assignOperationIds(found, notes), notes };
}

/** Explicit ids first (a duplicate gets `_2`), then synthesized ones, which never take an explicit id. */
function assignOperationIds(found: Omit<OpenApiOperation, 'operationId' | 'operationIdSynthesized'>[], notes: string[]): OpenApiOperation[] {
  const taken = new Set<string>();
  const unique = (base: string) => {
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    return id;
  };
  const ids: (string | undefined)[] = found.map(({ operation, method, path }) => {
    const declared = operation.operationId;
    if (typeof declared !== 'string' && typeof declared !== 'number') return undefined;
    const base = String(declared).trim();
    if (!base) return undefined;
    const id = unique(base);
    if (id !== base) notes.push(`${method} ${path} repeats operationId "${base}"; it is imported as "${id}".`);
    return id;
  });
  return found.map((entry, i) => {
    const explicit = ids[i];
    return explicit !== undefined
      ? { ...entry, operationId: explicit, operationIdSynthesized: false }
      : { ...entry, operationId: unique(`${entry.method.toLowerCase()}_${pathSlug(entry.path)}`), operationIdSynthesized: true };
  });
}

/** `/customers/{customerId}/notes` → `customers_customerId_notes`. */
export function pathSlug(path: string): string {
  return path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'root';
}

// Keys whose values are data, not document structure: copied as they are, never searched for $refs.
const DATA_KEYS = new Set(['example', 'examples', 'default', 'enum', 'const']);
// Parts of the document no tool needs (and that may hold references we would otherwise have to follow).
const SKIPPED_KEYS = new Set(['callbacks', 'links', 'externalDocs', 'xml']);
// Objects whose keys are names (a property called "example" is a schema, not data).
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'headers',
  'content',
  'responses',
  'encoding',
  'variables',
  'schemas',
  'parameters',
  'requestBodies',
  'securitySchemes',
  'pathItems',
]);
// In a 3.1 Reference Object these may sit beside $ref and override the target's.
const OVERRIDING_SIBLINGS = new Set(['description', 'summary', 'title', 'deprecated', 'readOnly', 'writeOnly', 'default', 'examples']);

/**
 * Inlines local $refs. Each $ref is resolved once and the result shared wherever it is used (so a fan-out of $refs
 * costs no more than the document's size). Inside its own resolution a $ref may open again up to MAX_RECURSION_DEPTH
 * times; one level deeper it becomes `{}`. The shared result is the one first resolved, so a component reached
 * through a cycle is cut where that cycle was first met: an approximation that only ever accepts more, never less.
 */
class RefResolver {
  readonly notes: string[] = [];
  private readonly memo = new Map<string, unknown>();
  private readonly open: string[] = [];
  private nodes = 0;

  constructor(
    private readonly root: JsonObject,
    private readonly specVersion: '3.0' | '3.1',
  ) {}

  resolve(value: unknown, where: string): unknown {
    return this.walk(value, where, false);
  }

  /** Follows $refs at the top only (a path item given by reference); null when the result is not an object. */
  shallow(value: unknown, where: string): JsonObject | null {
    let current = value;
    for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
      if (hops >= MAX_REF_CHAIN) throw invalid(`$ref chain at ${where} is longer than ${MAX_REF_CHAIN}.`);
      current = this.lookup(current.$ref, where);
    }
    return isObject(current) ? current : null;
  }

  private walk(value: unknown, where: string, namesOnly: boolean): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (++this.nodes > MAX_RESOLVED_NODES) {
      throw invalid(`The OpenAPI document's $refs expand to more than ${MAX_RESOLVED_NODES.toLocaleString('en')} schema nodes; it is too complex to import.`);
    }
    if (Array.isArray(value)) return value.map((item, i) => this.walk(item, `${where}/${i}`, false));
    const object = value as JsonObject;
    if (!namesOnly && typeof object.$ref === 'string') return this.follow(object, where);
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(object)) {
      if (key === '__proto__') continue;
      if (!namesOnly && (DATA_KEYS.has(key) || key.startsWith('x-'))) {
        out[key] = child;
        continue;
      }
      if (!namesOnly && SKIPPED_KEYS.has(key)) continue;
      out[key] = this.walk(child, `${where}/${escapePointer(key)}`, !namesOnly && NAME_MAPS.has(key));
    }
    return out;
  }

  private follow(reference: JsonObject, where: string): unknown {
    const ref = reference.$ref as string;
    const memoized = this.memo.get(ref);
    if (memoized !== undefined) return this.withSiblings(reference, memoized);

    const depth = this.open.filter((r) => r === ref).length;
    if (depth >= MAX_RECURSION_DEPTH || this.open.length >= MAX_REF_CHAIN) {
      const note =
        depth >= MAX_RECURSION_DEPTH
          ? `${ref} is recursive: nested more than ${MAX_RECURSION_DEPTH} levels deep it accepts any value ({}).`
          : `$refs nest more than ${MAX_REF_CHAIN} deep below ${this.open[0]}: deeper parts accept any value ({}).`;
      if (!this.notes.includes(note)) this.notes.push(note);
      const placeholder = {};
      recursionPlaceholders.add(placeholder);
      return placeholder;
    }

    const target = this.lookup(ref, where);
    this.open.push(ref);
    let resolved: unknown;
    try {
      resolved = this.walk(target, ref, false);
    } finally {
      this.open.pop();
    }
    if (depth === 0) this.memo.set(ref, resolved);
    return this.withSiblings(reference, resolved);
  }

  /** 3.0 ignores whatever sits beside $ref; 3.1 lets it override annotations, and anything else also applies. */
  private withSiblings(reference: JsonObject, resolved: unknown): unknown {
    if (this.specVersion === '3.0' || !isObject(resolved) || isRecursionPlaceholder(resolved)) return resolved;
    const siblings = Object.entries(reference).filter(([key]) => key !== '$ref' && key !== '__proto__' && !key.startsWith('x-'));
    if (!siblings.length) return resolved;
    if (siblings.every(([key]) => OVERRIDING_SIBLINGS.has(key))) return { ...resolved, ...Object.fromEntries(siblings) };
    const rest = this.walk(Object.fromEntries(siblings), '(beside $ref)', false) as JsonObject;
    return { allOf: [resolved], ...rest };
  }

  private lookup(ref: string, where: string): unknown {
    if (!ref.startsWith('#')) {
      throw invalid(
        `The $ref "${ref.slice(0, 200)}" at ${where} points outside the document; only local references (#/components/…) are supported. Bundle the document into one file first.`,
      );
    }
    if (ref !== '#' && !ref.startsWith('#/')) throw invalid(`The $ref "${ref.slice(0, 200)}" at ${where} is not a JSON pointer (#/…); anchors are not supported.`);
    let pointer: string;
    try {
      pointer = decodeURIComponent(ref.slice(1));
    } catch {
      throw invalid(`The $ref "${ref.slice(0, 200)}" at ${where} is not a valid JSON pointer.`);
    }
    let current: unknown = this.root;
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) {
        throw invalid(`The $ref "${ref.slice(0, 200)}" at ${where} points to nothing in the document.`);
      }
      current = (current as JsonObject)[key];
    }
    return current;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
