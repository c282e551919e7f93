import { createHash } from 'node:crypto';

/** Deeper than any real tool schema; bounds the recursion for schemas that arrive from upstream servers. */
const MAX_DEPTH = 256;

/** JSON with object keys sorted, so equal documents hash equally whatever their key order. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new Error(`JSON nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What agents see of a tool; a change to any of it is a new version (and, for upstream tools, a drift to review). */
export interface ToolFace {
  name: string;
  title: string | null;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
  annotations: unknown;
}

export function schemaHash(face: ToolFace): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = face;
  return createHash('sha256').update(canonicalJson({ name, title, description, inputSchema, outputSchema, annotations })).digest('hex');
}

/** The columns of a `tools` row that make its face, as raw SQL returns them (snake_case). */
export interface ToolFaceRow {
  name: string;
  title: string | null;
  description: string;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown> | null;
  annotations: Record<string, unknown>;
  schema_hash: string;
}
