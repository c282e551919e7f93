// Argument readers for builtin tools. The gateway validates arguments against the input schema first; these keep a
// tool safe when it is invoked directly (tests, benchmarks) and turn a bad argument into a ToolError the agent can fix.
import { ToolError } from './mcp-tool.decorator';

type Args = Record<string, unknown>;

/** Ids are PostgreSQL bigints; larger values than this lose precision in JSON numbers. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

const invalid = (message: string) => new ToolError(message, 'INVALID_ARGUMENTS');
const given = (args: Args, name: string) => args[name] !== undefined && args[name] !== null;

export function optionalId(args: Args, name: string): number | undefined {
  if (!given(args, name)) return undefined;
  const v = args[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ID) throw invalid(`"${name}" must be a positive whole number.`);
  return v;
}

export function requiredId(args: Args, name: string): number {
  const id = optionalId(args, name);
  if (id === undefined) throw invalid(`"${name}" is required.`);
  return id;
}

export function optionalString(args: Args, name: string, maxLength: number): string | undefined {
  if (!given(args, name)) return undefined;
  const v = args[name];
  if (typeof v !== 'string') throw invalid(`"${name}" must be a string.`);
  if (v.length > maxLength) throw invalid(`"${name}" must be at most ${maxLength} characters.`);
  return v;
}

export function requiredString(args: Args, name: string, maxLength: number): string {
  const v = optionalString(args, name, maxLength);
  if (v === undefined || !v.trim()) throw invalid(`"${name}" is required and must not be empty.`);
  return v;
}

export function optionalInteger(args: Args, name: string, min: number, max: number, fallback: number): number {
  if (!given(args, name)) return fallback;
  const v = args[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(`"${name}" must be a whole number from ${min} to ${max}.`);
  return v;
}

export function optionalEnum<T extends string>(args: Args, name: string, values: readonly T[]): T | undefined {
  if (!given(args, name)) return undefined;
  const v = args[name];
  if (typeof v !== 'string' || !values.includes(v as T)) throw invalid(`"${name}" must be one of ${values.join(', ')}.`);
  return v as T;
}

export function optionalDateTime(args: Args, name: string): Date | undefined {
  const v = optionalString(args, name, 64);
  if (v === undefined) return undefined;
  // RFC 3339 date-time with an explicit offset, as the schema's `format: date-time` asks.
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) ? new Date(v) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw invalid(`"${name}" must be a date-time like 2026-03-01T09:00:00+08:00.`);
  return date;
}

/** Exactly one of `names` must be given; returns which one. */
export function exactlyOne<T extends string>(args: Args, names: readonly T[]): T {
  const present = names.filter((n) => given(args, n));
  if (present.length !== 1) {
    const list = names.map((n) => `"${n}"`).join(', ');
    throw invalid(present.length ? `Give only one of ${list}; got ${present.map((n) => `"${n}"`).join(' and ')}.` : `Give one of ${list}.`);
  }
  return present[0];
}
