// Masks secret-looking values before anything is stored in an audit event or call log.

export const REDACTED = '[REDACTED]';

/** Keys whose values are always masked, wherever they appear. */
const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|key[-_]?hash|plaintext|private[-_]?key|credential|cookie|session[-_]?id/i;

/**
 * Fields that look secret by name but are not, copied as they are: the names of a source's secrets (never
 * their values), and JSON Schemas, whose property names (`token`, `password`) describe arguments, not values.
 */
const NOT_SECRET = new Set(['secretNames', 'inputSchema', 'outputSchema']);

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Returns a deep copy of `value` with secret-looking keys masked, plus every extra dot path in `paths`
 * (`a.b.c`; `*` matches any key or array index).
 */
export function redact(value: unknown, paths: readonly string[] = []): unknown {
  const masked = maskKeys(value, 0);
  for (const path of paths) maskPath(masked, path.split('.'));
  return masked;
}

function maskKeys(value: unknown, depth: number): unknown {
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => maskKeys(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (NOT_SECRET.has(k)) out[k] = v;
      else out[k] = isSecretKey(k) && v !== null && v !== undefined ? REDACTED : maskKeys(v, depth + 1);
    }
    return out;
  }
  return value;
}

function maskPath(target: unknown, segments: string[]): void {
  if (!target || typeof target !== 'object' || segments.length === 0) return;
  const [head, ...rest] = segments;
  const container = target as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : [head];
  for (const key of keys) {
    if (!(key in container)) continue;
    if (rest.length === 0) container[key] = REDACTED;
    else maskPath(container[key], rest);
  }
}
