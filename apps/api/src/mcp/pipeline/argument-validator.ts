// Pipeline step "validate": a call's arguments against the tool's input schema, with messages that name the fields.
import { Injectable } from '@nestjs/common';
import Ajv, { type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
// Installed with the MCP SDK, which depends on it; it should also be listed in apps/api/package.json.
import addFormats from 'ajv-formats';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../common/http/body-parsers';

export interface ValidatableTool {
  id: string;
  /** Changes whenever the schema does: a new hash compiles anew. */
  schemaHash: string;
  inputSchema: Record<string, unknown>;
}

export interface ArgumentError {
  /** The field, as `a.b[0].c`; '' for the arguments object itself. */
  path: string;
  message: string;
}

export type ArgumentValidation =
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; message: string; errors: ArgumentError[] };

/** Compiled schemas kept; the least recently used is dropped first. */
export const MAX_COMPILED_SCHEMAS = 1_000;
/** Errors named in one message; the rest are counted. */
const MAX_REPORTED_ERRORS = 10;
const MAX_PATH_CHARS = 120;
const REQUIRED = 'is required';

interface Compiled {
  schemaHash: string;
  validate: ValidateFunction | null;
  /** Why the schema could not be compiled; the compile is not retried until the hash changes. */
  invalid: string | null;
}

const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: false,
  // Unknown formats are ignored (strict: false) and must not print a warning per schema.
  logger: false,
};

@Injectable()
export class ArgumentValidator {
  private readonly compiled = new Map<string, Compiled>();
  private readonly ajv2020 = withFormats(new Ajv2020(AJV_OPTIONS));
  private ajvDraft07?: Ajv;

  validate(tool: ValidatableTool, args: unknown): ArgumentValidation {
    const prepared = toArgumentsObject(args);
    if (!prepared.ok) return prepared;

    const compiled = this.compiledFor(tool);
    if (!compiled.validate) {
      return { ok: false, message: `The tool's input schema is invalid, so no call can be checked: ${compiled.invalid}`, errors: [] };
    }
    if (compiled.validate(prepared.args)) return prepared;
    // What is wrong with the fields sent first, then what is missing.
    const errors = describeErrors(compiled.validate.errors ?? []).sort((a, b) => Number(a.message === REQUIRED) - Number(b.message === REQUIRED));
    return { ok: false, message: summarize(errors), errors };
  }

  /**
   * A result's structuredContent against the tool's output schema (SECURITY 24: an upstream's output is checked,
   * not trusted). Null when it conforms; otherwise what is wrong, naming the fields.
   */
  checkOutput(tool: { id: string; schemaHash: string; outputSchema: Record<string, unknown> }, structured: unknown): string | null {
    const compiled = this.compiledFor({ id: `${tool.id}#output`, schemaHash: tool.schemaHash, inputSchema: tool.outputSchema });
    if (!compiled.validate) return `its output schema is invalid (${compiled.invalid})`;
    if (compiled.validate(structured)) return null;
    return summarize(describeErrors(compiled.validate.errors ?? []));
  }

  private compiledFor(tool: ValidatableTool): Compiled {
    let entry = this.compiled.get(tool.id);
    if (entry && entry.schemaHash === tool.schemaHash) {
      // Re-inserting keeps Map order = least recently used first.
      this.compiled.delete(tool.id);
      this.compiled.set(tool.id, entry);
      return entry;
    }
    entry = this.compile(tool.schemaHash, tool.inputSchema);
    this.compiled.delete(tool.id);
    if (this.compiled.size >= MAX_COMPILED_SCHEMAS) this.compiled.delete(this.compiled.keys().next().value!);
    this.compiled.set(tool.id, entry);
    return entry;
  }

  private compile(schemaHash: string, jsonSchema: Record<string, unknown>): Compiled {
    const { ajv, schema } = this.dialectOf(jsonSchema);
    try {
      const validate = ajv.compile(schema);
      if ((validate as { $async?: boolean }).$async) return { schemaHash, validate: null, invalid: '$async schemas are not supported' };
      return { schemaHash, validate, invalid: null };
    } catch (err) {
      return { schemaHash, validate: null, invalid: err instanceof Error ? err.message.slice(0, 300) : 'it does not compile' };
    } finally {
      // The compiled function stands alone; keeping the schema registered would grow Ajv's caches with
      // every schema version and make two tools with the same $id clash.
      ajv.removeSchema(schema);
    }
  }

  /**
   * Draft 2020-12 unless the schema names draft-07 or -06 (common in MCP servers built with
   * zod-to-json-schema), which get their own instance. Any other `$schema` is dropped and read as 2020-12.
   */
  private dialectOf(schema: Record<string, unknown>): { ajv: Ajv; schema: Record<string, unknown> } {
    const declared = schema.$schema;
    if (declared === undefined) return { ajv: this.ajv2020, schema };
    if (typeof declared === 'string' && /json-schema\.org\/draft-0[67]\/schema/.test(declared)) {
      this.ajvDraft07 ??= withFormats(createDraft07());
      return { ajv: this.ajvDraft07, schema };
    }
    if (typeof declared === 'string' && /json-schema\.org\/draft\/2020-12\/schema/.test(declared)) return { ajv: this.ajv2020, schema };
    const { $schema: _dropped, ...rest } = schema;
    return { ajv: this.ajv2020, schema: rest };
  }
}

function createDraft07(): Ajv {
  const ajv = new Ajv(AJV_OPTIONS);
  ajv.addMetaSchema(draft06MetaSchema);
  return ajv;
}

function withFormats<T extends Ajv>(ajv: T): T {
  addFormats(ajv);
  return ajv;
}

type Refusal = Extract<ArgumentValidation, { ok: false }>;

/** Missing arguments are `{}`; a JSON string is parsed (some clients send one); anything else must be an object. */
function toArgumentsObject(args: unknown): ArgumentValidation {
  if (args === undefined || args === null) return { ok: true, args: {} };
  let value = args;
  if (typeof args === 'string') {
    if (args.trim() === '') return { ok: true, args: {} };
    try {
      value = JSON.parse(args);
    } catch (err) {
      const reason = err instanceof Error ? err.message.slice(0, 200) : 'not valid JSON';
      return refusal(`"arguments" was sent as a string that is not valid JSON (${reason}); send a JSON object.`);
    }
    if (value !== null && typeof value === 'object' && exceedsDepth(value, MAX_JSON_DEPTH)) {
      return refusal(`"arguments" is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return refusal(`"arguments" must be a JSON object of named arguments, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}.`);
  }
  return { ok: true, args: value as Record<string, unknown> };
}

function refusal(message: string): Refusal {
  return { ok: false, message, errors: [{ path: '', message }] };
}

/** Ajv's errors as field + message, one per distinct problem. */
function describeErrors(raw: ErrorObject[]): ArgumentError[] {
  const out: ArgumentError[] = [];
  const seen = new Set<string>();
  for (const e of raw) {
    const params = e.params as Record<string, unknown>;
    let path = fieldPath(e.instancePath);
    let message = e.message ?? 'is invalid';
    switch (e.keyword) {
      case 'required':
      case 'dependentRequired':
        path = join(path, String(params.missingProperty));
        message = REQUIRED;
        break;
      case 'additionalProperties':
        path = join(path, String(params.additionalProperty));
        message = 'is not an accepted argument';
        break;
      case 'unevaluatedProperties':
        path = join(path, String(params.unevaluatedProperty));
        message = 'is not an accepted argument';
        break;
      case 'enum':
        message = `must be one of ${listValues(params.allowedValues)}`;
        break;
      case 'const':
        message = `must be ${short(params.allowedValue)}`;
        break;
    }
    if (path.length > MAX_PATH_CHARS) path = `${path.slice(0, MAX_PATH_CHARS)}…`;
    const id = `${path}\u0000${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ path, message });
  }
  return out;
}

/** `"user_id": must be string; missing required "title"` */
function summarize(errors: ArgumentError[]): string {
  const parts = errors.slice(0, MAX_REPORTED_ERRORS).map((e) => {
    if (e.message === REQUIRED) return `missing required "${e.path}"`;
    return e.path ? `"${e.path}": ${e.message}` : `arguments: ${e.message}`;
  });
  if (errors.length > MAX_REPORTED_ERRORS) parts.push(`and ${errors.length - MAX_REPORTED_ERRORS} more`);
  return parts.join('; ');
}

/** JSON pointer `/items/0/name` → `items[0].name`. */
function fieldPath(pointer: string): string {
  if (!pointer) return '';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) path = join(path, raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  return path;
}

function join(path: string, segment: string): string {
  if (/^(0|[1-9]\d*)$/.test(segment)) return `${path}[${segment}]`;
  return path ? `${path}.${segment}` : segment;
}

function listValues(values: unknown): string {
  if (!Array.isArray(values)) return 'the allowed values';
  const shown = values.slice(0, 10).map(short).join(', ');
  return values.length > 10 ? `${shown}, …` : shown;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
