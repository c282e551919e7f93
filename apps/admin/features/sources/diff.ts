// A line diff (a shortest edit script, so the kept lines are a longest common subsequence) for showing two versions side by side: a tool's live and
// proposed face in a drift review, an audit event's before and after. Pure functions, no dependencies.

export type LineChange = 'same' | 'removed' | 'added';

export interface DiffLine {
  change: LineChange;
  text: string;
}

/** One row of a side-by-side view: the old line on the left, the new on the right (null: nothing there). */
export interface SideBySideRow {
  left: DiffLine | null;
  right: DiffLine | null;
}

/**
 * Beyond this many differing lines the search stops and the changed middle is shown as removed-then-added,
 * which is still correct, only less precise. It bounds time and memory (about D² numbers) on huge inputs.
 */
const MAX_EDIT_DISTANCE = 1_500;

/** The lines of `before` and `after` in order, each marked same, removed (only in before) or added (only in after). */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  // The common head and tail need no search; what changes is usually a few lines in the middle.
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }

  const head = before.slice(0, start).map((text): DiffLine => ({ change: 'same', text }));
  const tail = before.slice(endBefore).map((text): DiffLine => ({ change: 'same', text }));
  const middle = before.slice(start, endBefore);
  const changed = after.slice(start, endAfter);
  const body = shortestEdit(middle, changed) ?? [...middle.map(removed), ...changed.map(added)];
  return [...head, ...removalsFirst(body), ...tail];
}

const removed = (text: string): DiffLine => ({ change: 'removed', text });
const added = (text: string): DiffLine => ({ change: 'added', text });

/**
 * Myers' O((N+M)·D) shortest edit script: the fewest removed and added lines that turn `a` into `b`, so
 * the lines kept are a longest common subsequence. Null when more than MAX_EDIT_DISTANCE lines differ.
 */
function shortestEdit(a: readonly string[], b: readonly string[]): DiffLine[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [...a.map(removed), ...b.map(added)];
  const maxD = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = maxD + 1;
  // v[offset + k]: the furthest x reached on diagonal k (y = x - k).
  const v = new Int32Array(2 * offset + 1);
  // trace[d]: v on diagonals -(d+1)..d+1 before step d, for walking the path back.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= maxD; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  return null;
}

function backtrack(a: readonly string[], b: readonly string[], trace: Int32Array[]): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const before = trace[d];
    const at = (k: number) => before[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ change: 'same', text: a[--x] });
      y--;
    }
    if (d > 0) {
      if (x > prevX) out.push(removed(a[--x]));
      else out.push(added(b[--y]));
    }
  }
  return out.reverse();
}

/** Within each run of changed lines, the removed ones first: a changed block reads old, then new. */
function removalsFirst(lines: readonly DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let k = 0;
  while (k < lines.length) {
    if (lines[k].change === 'same') {
      out.push(lines[k++]);
      continue;
    }
    const run: DiffLine[] = [];
    while (k < lines.length && lines[k].change !== 'same') run.push(lines[k++]);
    out.push(...run.filter((line) => line.change === 'removed'), ...run.filter((line) => line.change === 'added'));
  }
  return out;
}

/**
 * Pairs the lines for two columns: unchanged lines sit on both sides; a run of removed lines followed by
 * added ones is laid out beside each other (a changed line is one row), the longer side padded with blanks.
 */
export function toSideBySide(lines: readonly DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let k = 0;
  while (k < lines.length) {
    if (lines[k].change === 'same') {
      rows.push({ left: lines[k], right: lines[k] });
      k++;
      continue;
    }
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    while (k < lines.length && lines[k].change === 'removed') removed.push(lines[k++]);
    while (k < lines.length && lines[k].change === 'added') added.push(lines[k++]);
    for (let r = 0; r < Math.max(removed.length, added.length); r++) {
      rows.push({ left: removed[r] ?? null, right: added[r] ?? null });
    }
  }
  return rows;
}

/**
 * Pretty JSON with object keys sorted at every level, so two versions that only order their keys
 * differently print the same and a diff shows real changes only. `null`/`undefined` print as "null".
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Splits text into lines for diffLines; an empty text is no lines at all. */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/\r?\n/);
}

/** True when some line differs. */
export function hasChanges(lines: readonly DiffLine[]): boolean {
  return lines.some((line) => line.change !== 'same');
}
