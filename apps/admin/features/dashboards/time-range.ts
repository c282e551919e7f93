// The time ranges the dashboards and the call-log explorer offer: a preset relative to now, or a custom
// [from, to). Kept in the URL as `range=1h` or `from=…&to=…`, so a view can be shared as a link.

export const RANGE_PRESETS = ['15m', '1h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const PRESET_MS: Record<RangePreset, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
  '30d': 30 * 24 * 3_600_000,
};

export type TimeRange =
  | { kind: 'preset'; preset: RangePreset }
  /** Everything (the call-log explorer only: the dashboards always need a range). */
  | { kind: 'all' }
  | { kind: 'custom'; from: string; to: string };

/** An absolute range for the API; `to` undefined means "up to now, including rows still arriving". */
export interface ResolvedRange {
  from?: string;
  to?: string;
}

export function resolveRange(range: TimeRange, now: number): ResolvedRange {
  switch (range.kind) {
    case 'preset':
      return { from: new Date(now - PRESET_MS[range.preset]).toISOString() };
    case 'all':
      return {};
    case 'custom':
      return { from: range.from, to: range.to };
  }
}

function isPreset(value: string | null): value is RangePreset {
  return value !== null && (RANGE_PRESETS as readonly string[]).includes(value);
}

function isInstant(value: string | null): value is string {
  return value !== null && !Number.isNaN(Date.parse(value));
}

/** Reads `range` or `from`/`to` from the URL; anything unreadable is the fallback. */
export function rangeFromParams(params: URLSearchParams, fallback: TimeRange): TimeRange {
  const range = params.get('range');
  if (range === 'all') return { kind: 'all' };
  if (isPreset(range)) return { kind: 'preset', preset: range };
  const from = params.get('from');
  const to = params.get('to');
  if (isInstant(from) && isInstant(to) && Date.parse(from) < Date.parse(to)) {
    return { kind: 'custom', from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }
  return fallback;
}

/** Writes the range into `params` (replacing any earlier one). */
export function writeRangeParams(params: URLSearchParams, range: TimeRange): void {
  params.delete('range');
  params.delete('from');
  params.delete('to');
  if (range.kind === 'custom') {
    params.set('from', range.from);
    params.set('to', range.to);
  } else {
    params.set('range', range.kind === 'all' ? 'all' : range.preset);
  }
}

export function sameRange(a: TimeRange, b: TimeRange): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'preset' && b.kind === 'preset') return a.preset === b.preset;
  if (a.kind === 'custom' && b.kind === 'custom') return a.from === b.from && a.to === b.to;
  return true;
}

/** `<input type="datetime-local">` works in local wall time without a zone: these convert both ways. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
