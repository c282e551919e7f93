// Turns operations of a parsed OpenAPI document into tools: an input schema built from the parameters and the body,
// and an HttpBinding that says how a call becomes an HTTP request (see http-tool-executor.ts).
import Ajv2020 from 'ajv/dist/2020';
import { createHash } from 'node:crypto';
import { AppException } from '../../common/errors/app-exception';
import type { UpstreamTool } from '../upstream/upstream.types';
import { type HttpMethod, isObject, MAX_RECURSION_DEPTH, isRecursionPlaceholder, type JsonObject, type OpenApiDocument, type OpenApiOperation } from './openapi-document';

/** MCP clients accept tool names up to 128 characters of `[A-Za-z0-9_.-]`. */
export const MAX_TOOL_NAME_LENGTH = 128;
/** The argument that carries the request body. */
export const BODY_ARGUMENT = 'body';
const MAX_DESCRIPTION_CHARS = 4_000;
/** Schema nodes one tool may have once its $refs are inlined. */
const MAX_TOOL_SCHEMA_NODES = 20_000;

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface HttpParamBinding {
  /** The name on the wire. */
  name: string;
  in: ParameterLocation;
  /** The argument (input schema property) that carries it. */
  argName: string;
  /** OpenAPI serialization; defaults: `simple` for path and header, `form` for query and cookie. */
  style?: string;
  explode?: boolean;
  /** Described by `content` with a JSON media type rather than by `schema`: sent as JSON text. */
  json?: boolean;
}

/** Plain data (stored with the tool): how a call to the tool becomes one HTTP request. */
export interface HttpBinding {
  method: HttpMethod;
  /** As in the document, e.g. `/customers/{customerId}`. */
  pathTemplate: string;
  /** Absolute unless the document gave a relative server and no document URL was known; no trailing slash. */
  serverUrl: string;
  params: HttpParamBinding[];
  hasBody: boolean;
  bodyContentType: string | null;
}

export interface OperationSummary {
  operationId: string;
  method: HttpMethod;
  path: string;
  summary: string | null;
  description: string | null;
  deprecated: boolean;
  tags: string[];
  /** Why the operation cannot become a tool (a body type only other clients can send); absent when it can. */
  unsupported?: string;
}

export interface OperationToToolOptions {
  /** The source's namespace: tool names are `<namespace>__<operationId>`. */
  namespace: string;
  /** The source config's `baseUrl`: replaces the document's servers. */
  baseUrl?: string;
}

export interface OperationTool {
  tool: UpstreamTool;
  binding: HttpBinding;
  /** What was left out or simplified for this operation, for the admin who imports it. */
  notes: string[];
}

export function listOperations(doc: OpenApiDocument): OperationSummary[] {
  return doc.operations.map((entry) => {
    const { operation } = entry;
    const unsupported = planBody(entry).unsupported;
    return {
      operationId: entry.operationId,
      method: entry.method,
      path: entry.path,
      summary: nonEmptyString(operation.summary),
      description: nonEmptyString(operation.description),
      deprecated: operation.deprecated === true,
      tags: Array.isArray(operation.tags) ? operation.tags.filter((t): t is string => typeof t === 'string') : [],
      ...(unsupported ? { unsupported } : {}),
    };
  });
}

export function operationToTool(doc: OpenApiDocument, operationId: string, options: OperationToToolOptions): OperationTool {
  const entry = doc.operations.find((op) => op.operationId === operationId);
  if (!entry) throw AppException.notFound(`Operation "${operationId}"`);
  const { operation, method, path } = entry;
  const notes: string[] = [];
  const schemas = new SchemaConverter(doc.specVersion, `${method} ${path}`);

  const properties: JsonObject = {};
  const required: string[] = [];
  const params: HttpParamBinding[] = [];
  const body = planBody(entry);
  if (body.unsupported) throw new AppException('VALIDATION_FAILED', `${method} ${path} cannot become a tool: ${body.unsupported}`);
  if (body.note) notes.push(body.note);

  const accepted = parametersOf(entry, doc, notes);
  const argNames = argumentNames(accepted, body.media !== null);
  accepted.forEach((param, i) => {
    const argName = argNames[i];
    const { schema, json } = parameterSchema(param, schemas);
    properties[argName] = schema;
    if (param.in === 'path' || param.required === true) required.push(argName);
    params.push({
      name: param.name,
      in: param.in,
      argName,
      ...(typeof param.style === 'string' ? { style: param.style } : {}),
      ...(typeof param.explode === 'boolean' ? { explode: param.explode } : {}),
      ...(json ? { json: true } : {}),
    });
  });

  if (body.media) {
    const schema = asObjectSchema(schemas.convert(body.media.schema ?? {}, 'request'));
    const description = nonEmptyString(body.requestBody?.description);
    if (description) schema.description = description;
    properties[BODY_ARGUMENT] = schema;
    if (body.requestBody?.required === true) required.push(BODY_ARGUMENT);
  }

  const inputSchema: JsonObject = { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
  const outputSchema = outputSchemaOf(operation, schemas);
  if (schemas.recursive) notes.push(`${method} ${path}: a recursive schema is cut off after ${MAX_RECURSION_DEPTH} levels; deeper parts accept any value.`);
  notes.push(...schemas.notes);
  checkSchema(inputSchema, `${method} ${path}`, 'input');
  if (outputSchema) checkSchema(outputSchema, `${method} ${path}`, 'output');

  const summary = nonEmptyString(operation.summary);
  const readOnly = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  const tool: UpstreamTool = {
    name: toolNamesFor(doc, options.namespace).get(entry.operationId)!,
    ...(summary ? { title: truncate(summary, 200) } : {}),
    description: describe(entry),
    inputSchema,
    ...(outputSchema ? { outputSchema } : {}),
    annotations: {
      readOnlyHint: readOnly,
      destructiveHint: method === 'DELETE',
      idempotentHint: readOnly || method === 'PUT' || method === 'DELETE',
      openWorldHint: true,
    },
  };
  const binding: HttpBinding = {
    method,
    pathTemplate: path,
    serverUrl: serverUrlOf(doc, entry, options.baseUrl),
    params,
    hasBody: body.media !== null,
    bodyContentType: body.media?.contentType ?? null,
  };
  return { tool, binding, notes };
}

const namesCache = new WeakMap<OpenApiDocument, Map<string, Map<string, string>>>();

/**
 * Every operation's tool name under a namespace, unique: `<namespace>__<operationId>` with other characters as `_`.
 * A name too long or already taken (in document order) ends in a short hash of the operationId instead.
 */
export function toolNamesFor(doc: OpenApiDocument, namespace: string): Map<string, string> {
  let byNamespace = namesCache.get(doc);
  if (!byNamespace) namesCache.set(doc, (byNamespace = new Map()));
  const cached = byNamespace.get(namespace);
  if (cached) return cached;

  const prefix = `${sanitizeName(namespace)}__`;
  const room = MAX_TOOL_NAME_LENGTH - prefix.length;
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const { operationId } of doc.operations) {
    const base = sanitizeName(operationId);
    let name = prefix + base;
    for (let attempt = 0; base.length > room || used.has(name); attempt++) {
      const hash = createHash('sha256').update(`${operationId}\u0000${attempt}`).digest('hex').slice(0, 8);
      name = `${prefix}${base.slice(0, room - hash.length - 1)}_${hash}`;
      if (!used.has(name)) break;
    }
    used.add(name);
    names.set(operationId, name);
  }
  byNamespace.set(namespace, names);
  return names;
}

export function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function describe({ operation, method, path }: OpenApiOperation): string {
  const parts = [nonEmptyString(operation.summary), nonEmptyString(operation.description)].filter((p): p is string => p !== null);
  if (parts.length === 2 && parts[1].startsWith(parts[0])) parts.shift();
  if (!parts.length) parts.push(`${method} ${path}`);
  if (operation.deprecated === true) parts.push('Deprecated: the API may remove this operation; prefer another one when there is a choice.');
  return truncate(parts.join('\n\n'), MAX_DESCRIPTION_CHARS);
}

// ---------------------------------------------------------------------------------------------------- parameters

interface Parameter {
  name: string;
  in: ParameterLocation;
  raw: JsonObject;
  required?: boolean;
  style?: unknown;
  explode?: unknown;
}

const LOCATIONS = new Set<string>(['path', 'query', 'header', 'cookie']);
/** Set by the gateway or the HTTP stack; the OpenAPI spec itself ignores Accept, Content-Type and Authorization. */
const GATEWAY_HEADERS = new Set([
  'accept',
  'content-type',
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'forwarded',
  'via',
]);
/** RFC 9110 token: what a header (or cookie) name may be made of. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'apikey', 'x-amz-security-token']);
const CREDENTIAL_NAME = /(^|[-_])(auth|authorization|token|access[-_]?token|api[-_]?key|apikey|secret|password|passwd|credentials?|session|signature|csrf|xsrf)([-_]|$)/i;

/** Header and cookie names that carry credentials: those come from the source's secrets, never from the agent. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.toLowerCase()) || CREDENTIAL_NAME.test(name);
}

/** Path-level and operation-level parameters merged (the operation's win), minus those the agent must not set. */
function parametersOf(entry: OpenApiOperation, doc: OpenApiDocument, notes: string[]): Parameter[] {
  const where = `${entry.method} ${entry.path}`;
  const merged = new Map<string, Parameter>();
  for (const list of [entry.pathItem.parameters, entry.operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      if (!isObject(raw) || typeof raw.name !== 'string' || !raw.name || typeof raw.in !== 'string' || !LOCATIONS.has(raw.in)) {
        notes.push(`${where}: a parameter without a usable name and location is skipped.`);
        continue;
      }
      const param: Parameter = { name: raw.name, in: raw.in as ParameterLocation, raw, required: raw.required === true, style: raw.style, explode: raw.explode };
      merged.set(parameterKey(param.in, param.name), param);
    }
  }

  const templateNames = [...entry.path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
  for (const name of templateNames) {
    if (merged.has(parameterKey('path', name))) continue;
    notes.push(`${where}: path parameter "${name}" is not declared; it is taken as a required string.`);
    merged.set(parameterKey('path', name), { name, in: 'path', raw: { name, in: 'path', required: true, schema: { type: 'string' } }, required: true });
  }

  const apiKeys = new Set<string>();
  for (const scheme of Object.values(doc.securitySchemes)) {
    if (isObject(scheme) && scheme.type === 'apiKey' && typeof scheme.name === 'string' && typeof scheme.in === 'string') {
      apiKeys.add(parameterKey(scheme.in, scheme.name));
    }
  }

  const accepted: Parameter[] = [];
  for (const param of merged.values()) {
    const lower = param.name.toLowerCase();
    if (param.in === 'path' && !templateNames.includes(param.name)) {
      notes.push(`${where}: path parameter "${param.name}" is not in the path; it is skipped.`);
    } else if (apiKeys.has(parameterKey(param.in, param.name)) || ((param.in === 'header' || param.in === 'cookie') && isCredentialName(param.name))) {
      notes.push(`${where}: ${param.in} "${param.name}" is a credential; it is set from the source's secrets, never by the agent.`);
    } else if ((param.in === 'header' || param.in === 'cookie') && !HTTP_TOKEN.test(param.name)) {
      notes.push(`${where}: ${param.in} "${param.name}" is not a valid HTTP ${param.in} name; it is skipped.`);
    } else if (param.in === 'header' && (GATEWAY_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('x-forwarded-'))) {
      notes.push(`${where}: header "${param.name}" is set by the gateway, not by the agent.`);
    } else {
      accepted.push(param);
    }
  }
  return accepted;
}

const parameterKey = (location: string, name: string) => `${location}:${location === 'header' ? name.toLowerCase() : name}`;

/** Names as arguments; a name used in two locations (or a parameter called "body" beside a body) gets its location as prefix. */
function argumentNames(params: Parameter[], hasBody: boolean): string[] {
  const counts = new Map<string, number>();
  for (const p of params) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  const used = new Set<string>(hasBody ? [BODY_ARGUMENT] : []);
  const plain = params.map((p) => (counts.get(p.name) === 1 && !(hasBody && p.name === BODY_ARGUMENT) ? p.name : null));
  for (const name of plain) if (name) used.add(name);
  return params.map((p, i) => {
    const name = plain[i];
    if (name) return name;
    const base = `${p.in}_${p.name}`;
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    return candidate;
  });
}

function parameterSchema(param: Parameter, schemas: SchemaConverter): { schema: JsonObject; json: boolean } {
  const { raw } = param;
  let source: unknown = raw.schema;
  let json = false;
  if (source === undefined && isObject(raw.content)) {
    const [mediaType, media] = Object.entries(raw.content)[0] ?? [];
    if (mediaType && isObject(media)) {
      source = media.schema;
      json = isJsonMediaType(mediaType);
    }
  }
  const schema = asObjectSchema(schemas.convert(source ?? {}, 'request'));
  const description = nonEmptyString(raw.description);
  if (description) schema.description = description;
  if (raw.deprecated === true) schema.deprecated = true;
  if (raw.example !== undefined && schema.examples === undefined) schema.examples = [raw.example];
  return { schema, json };
}

// ---------------------------------------------------------------------------------------------------- bodies and responses

interface BodyPlan {
  requestBody: JsonObject | null;
  media: { contentType: string; schema: unknown } | null;
  /** Set when the operation cannot be called without a body we cannot send. */
  unsupported?: string;
  note?: string;
}

const FORM_URLENCODED = 'application/x-www-form-urlencoded';

function planBody({ operation, method, path }: OpenApiOperation): BodyPlan {
  const requestBody = isObject(operation.requestBody) ? operation.requestBody : null;
  const content = requestBody && isObject(requestBody.content) ? requestBody.content : null;
  if (!requestBody || !content || !Object.keys(content).length) return { requestBody, media: null };
  if (method === 'GET' || method === 'HEAD') {
    return { requestBody, media: null, note: `${method} ${path}: its request body is skipped (${method} requests carry none).` };
  }
  const entries = Object.entries(content);
  const chosen =
    entries.find(([type]) => mediaBase(type) === 'application/json') ??
    entries.find(([type]) => isJsonMediaType(type)) ??
    entries.find(([type]) => mediaBase(type) === FORM_URLENCODED) ??
    entries.find(([type]) => mediaBase(type) === '*/*');
  if (!chosen) {
    const types = entries.map(([type]) => type).join(', ');
    if (requestBody.required === true) return { requestBody, media: null, unsupported: `its request body is ${types}; only JSON and form-urlencoded bodies can be sent.` };
    return { requestBody, media: null, note: `${method} ${path}: its optional ${types} request body is skipped; only JSON and form-urlencoded bodies can be sent.` };
  }
  const [type, media] = chosen;
  const base = mediaBase(type);
  const contentType = base === '*/*' ? 'application/json' : base;
  return { requestBody, media: { contentType, schema: isObject(media) ? media.schema : undefined } };
}

/** The 200 (else 201) JSON response, when it is an object: MCP output schemas describe objects only. */
function outputSchemaOf(operation: JsonObject, schemas: SchemaConverter): JsonObject | undefined {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const response = [responses['200'], responses['201']].find(isObject);
  if (!response || !isObject(response.content)) return undefined;
  const media = Object.entries(response.content).find(([type]) => isJsonMediaType(type))?.[1];
  if (!isObject(media) || !isObjectSchema(media.schema)) return undefined;
  const schema = asObjectSchema(schemas.convert(media.schema, 'response'));
  return { ...schema, type: 'object' };
}

function isObjectSchema(schema: unknown): boolean {
  if (!isObject(schema) || schema.nullable === true || isRecursionPlaceholder(schema)) return false;
  const type = Array.isArray(schema.type) && schema.type.length === 1 ? schema.type[0] : schema.type;
  if (type !== undefined) return type === 'object';
  if (isObject(schema.properties)) return true;
  return Array.isArray(schema.allOf) && schema.allOf.length > 0 && schema.allOf.every(isObjectSchema);
}

export function mediaBase(type: string): string {
  return type.split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(type: string): boolean {
  const base = mediaBase(type);
  return base === 'application/json' || base === 'text/json' || /^application\/[^/]+\+json$/.test(base);
}

// ---------------------------------------------------------------------------------------------------- servers

function serverUrlOf(doc: OpenApiDocument, entry: OpenApiOperation, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl.replace(/\/+$/, '');
  const server = [entry.operation.servers, entry.pathItem.servers, doc.servers].map((list) => (Array.isArray(list) ? list.find(isObject) : undefined)).find(Boolean);
  let url = server && typeof server.url === 'string' ? withVariableDefaults(server.url, server.variables) : '/';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && doc.documentUrl) {
    try {
      url = new URL(url, doc.documentUrl).href;
    } catch {
      // Left relative: the executor asks for a baseUrl.
    }
  }
  return url.replace(/\/+$/, '');
}

function withVariableDefaults(url: string, variables: unknown): string {
  const vars = isObject(variables) ? variables : {};
  return url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const variable = vars[name];
    return isObject(variable) && (typeof variable.default === 'string' || typeof variable.default === 'number') ? String(variable.default) : whole;
  });
}

// ---------------------------------------------------------------------------------------------------- schemas

/** Keywords copied as they are (after the checks in `convert`). */
const PLAIN_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxContains',
  'minContains',
  'maxProperties',
  'minProperties',
  'required',
  'dependentRequired',
  'title',
  'description',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'examples',
  'format',
  'contentEncoding',
  'contentMediaType',
]);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
const SCHEMA_VALUES = new Set(['additionalProperties', 'items', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/**
 * OpenAPI schema → JSON Schema 2020-12 as the gateway validates it: 3.0's nullable, boolean exclusive bounds and
 * `example` translated; OpenAPI-only keywords, extensions and anything ajv would reject dropped; read-only
 * properties left out of requests and write-only ones out of responses. Always a fresh tree.
 */
class SchemaConverter {
  recursive = false;
  readonly notes: string[] = [];
  private nodes = 0;

  constructor(
    private readonly specVersion: '3.0' | '3.1',
    private readonly where: string,
  ) {}

  convert(schema: unknown, direction: 'request' | 'response'): unknown {
    if (typeof schema === 'boolean') return schema;
    if (!isObject(schema)) return {};
    if (isRecursionPlaceholder(schema)) {
      this.recursive = true;
      return {};
    }
    if (++this.nodes > MAX_TOOL_SCHEMA_NODES) {
      throw new AppException('VALIDATION_FAILED', `${this.where} cannot become a tool: its schemas have more than ${MAX_TOOL_SCHEMA_NODES.toLocaleString('en')} parts once $refs are inlined.`);
    }
    const hiddenFlag = direction === 'request' ? 'readOnly' : 'writeOnly';
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(schema)) {
      if (PLAIN_KEYWORDS.has(key)) {
        if (keywordValueOk(key, value)) out[key] = value;
      } else if (SCHEMA_MAPS.has(key) && isObject(value)) {
        const map: JsonObject = {};
        for (const [name, child] of Object.entries(value)) {
          if (name === '__proto__') continue;
          if (key === 'properties' && isObject(child) && child[hiddenFlag] === true) continue;
          map[name] = this.convert(child, direction);
        }
        out[key] = map;
      } else if (SCHEMA_VALUES.has(key)) {
        if (key === 'items' && Array.isArray(value)) out.prefixItems = value.map((item) => this.convert(item, direction));
        else if (typeof value === 'boolean' || isObject(value)) out[key] = this.convert(value, direction);
      } else if (SCHEMA_LISTS.has(key) && Array.isArray(value) && value.length) {
        out[key] = value.map((item) => this.convert(item, direction));
      }
    }
    this.fixKeywords(schema, out, direction);
    if (schema.nullable === true && this.specVersion === '3.0') return nullable(out);
    return out;
  }

  /** Runs after the copy: only what needs the whole schema. Deletes only what is there (a delete makes V8 objects slow). */
  private fixKeywords(schema: JsonObject, out: JsonObject, direction: 'request' | 'response'): void {
    if (out.type !== undefined) {
      const types = (Array.isArray(out.type) ? out.type : [out.type]).filter((t): t is string => typeof t === 'string' && JSON_TYPES.has(t));
      if (!types.length) delete out.type;
      else out.type = types.length === 1 ? types[0] : [...new Set(types)];
    }
    for (const [exclusive, plain] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof out[exclusive] !== 'boolean') continue;
      // 3.0: `exclusiveMinimum: true` qualifies `minimum`; 2020-12 makes it the bound itself.
      if (out[exclusive] === true && typeof out[plain] === 'number') {
        out[exclusive] = out[plain];
        delete out[plain];
      } else {
        delete out[exclusive];
      }
    }
    if (schema.example !== undefined && out.examples === undefined) out.examples = [schema.example];
    if (out.required !== undefined) {
      const flag = direction === 'request' ? 'readOnly' : 'writeOnly';
      const props = isObject(schema.properties) ? schema.properties : {};
      const required = [...new Set((out.required as unknown[]).filter((r): r is string => typeof r === 'string' && !(isObject(props[r]) && props[r][flag] === true)))];
      if (required.length) out.required = required;
      else delete out.required;
    }
    if (out.pattern !== undefined) {
      try {
        new RegExp(out.pattern as string, 'u');
      } catch {
        this.notes.push(`${this.where}: the pattern ${JSON.stringify(out.pattern).slice(0, 100)} is not a valid regular expression; it is not checked.`);
        delete out.pattern;
      }
    }
    // oneOf with a discriminator means "the one the discriminator names"; as plain JSON Schema, variants that
    // overlap would make every value fail, so any match is accepted.
    if (isObject(schema.discriminator) && Array.isArray(out.oneOf)) {
      out.anyOf = out.oneOf;
      delete out.oneOf;
    }
  }
}

/** Whether a plain keyword's value is one ajv accepts; anything else is left out rather than failing the tool. */
function keywordValueOk(key: string, value: unknown): boolean {
  switch (key) {
    case 'multipleOf':
      return typeof value === 'number' && value > 0;
    case 'maximum':
    case 'minimum':
      return typeof value === 'number';
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return typeof value === 'number' || typeof value === 'boolean';
    case 'maxLength':
    case 'minLength':
    case 'maxItems':
    case 'minItems':
    case 'maxContains':
    case 'minContains':
    case 'maxProperties':
    case 'minProperties':
      return Number.isInteger(value) && (value as number) >= 0;
    case 'uniqueItems':
    case 'deprecated':
    case 'readOnly':
    case 'writeOnly':
      return typeof value === 'boolean';
    case 'title':
    case 'description':
    case 'format':
    case 'contentEncoding':
    case 'contentMediaType':
    case 'pattern':
      return typeof value === 'string';
    case 'type':
      return typeof value === 'string' || Array.isArray(value);
    case 'enum':
    case 'examples':
    case 'required':
      return Array.isArray(value);
    case 'dependentRequired':
      return isObject(value);
    default:
      return true;
  }
}

const NULL_SCHEMA = { type: 'null' };

function nullable(schema: JsonObject): JsonObject {
  const composed = ['allOf', 'anyOf', 'oneOf', 'not', 'const'].some((key) => key in schema);
  if (schema.type !== undefined && !composed) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    else if (Array.isArray(schema.type) && !schema.type.includes('null')) schema.type = [...schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
    return schema;
  }
  // Composed (typically `allOf: [$ref]`): null is an alternative to the whole schema.
  const { description, title, deprecated, ...rest } = schema;
  return { ...(title !== undefined ? { title } : {}), ...(description !== undefined ? { description } : {}), ...(deprecated !== undefined ? { deprecated } : {}), anyOf: [rest, { ...NULL_SCHEMA }] };
}

function asObjectSchema(schema: unknown): JsonObject {
  if (isObject(schema)) return schema;
  return schema === false ? { not: {} } : {};
}

let metaValidator: Ajv2020 | undefined;

/** The last line of defence: a schema the gateway's validator would refuse is refused at import, with the reason. */
function checkSchema(schema: JsonObject, where: string, which: 'input' | 'output'): void {
  metaValidator ??= new Ajv2020({ strict: false, logger: false, validateFormats: false });
  if (metaValidator.validateSchema(schema) === true) return;
  const reason = metaValidator.errorsText(metaValidator.errors, { dataVar: which }).slice(0, 300);
  throw new AppException('VALIDATION_FAILED', `${where} cannot become a tool: its ${which} schema is not valid JSON Schema (${reason}).`);
}

// ---------------------------------------------------------------------------------------------------- small helpers

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
