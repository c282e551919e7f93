// "Did you mean…?" for an unknown tool name: the closest names the caller may call.
import { Injectable } from '@nestjs/common';

/** Longer requested names are not compared (an unknown tool's name is attacker-sized input). */
const MAX_NAME_CHARS = 200;

/** Edits a name of this length may be away from a suggestion: a third of it, between 1 and 4. */
function maxEdits(length: number): number {
  return Math.min(4, Math.max(1, Math.floor(length / 3)));
}

/**
 * Up to `max` of `candidates` close to `name`, closest first: by case-insensitive Damerau-Levenshtein
 * distance (optimal string alignment) within a third of the name's length, then names that start with or
 * contain the requested one (or that it contains), e.g. `lookup` → `crm_lookup`. Unrelated names are
 * never suggested. Only pass names the caller may call: suggestions must not reveal others.
 */
export function suggest(name: string, candidates: readonly string[], max = 3): string[] {
  if (max <= 0 || name.length === 0 || name.length > MAX_NAME_CHARS) return [];
  const wanted = name.toLowerCase();
  const limit = maxEdits(wanted.length);
  const scored: { name: string; score: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const lower = candidate.toLowerCase();
    let score = Infinity;
    if (Math.abs(lower.length - wanted.length) <= limit) {
      const d = editDistance(wanted, lower, limit);
      if (d <= limit) score = d;
    }
    if (score === Infinity && wanted.length >= 3) {
      // After every edit-distance match; the nearer in length, the better.
      const lengthGap = Math.abs(lower.length - wanted.length) / 1000;
      if (lower.startsWith(wanted) || wanted.startsWith(lower)) score = limit + 1 + lengthGap;
      else if (lower.includes(wanted) || (lower.length >= 3 && wanted.includes(lower))) score = limit + 2 + lengthGap;
    }
    if (score !== Infinity) scored.push({ name: candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((s) => s.name);
}

/** The same, as a provider for steps that take their collaborators by injection. */
@Injectable()
export class ToolNameSuggester {
  suggest(name: string, candidates: readonly string[], max = 3): string[] {
    return suggest(name, candidates, max);
  }
}

// Three rows of the optimal-string-alignment matrix, reused: suggestions run on the error path, but
// candidates can be many.
let rowA = new Uint16Array(64);
let rowB = new Uint16Array(64);
let rowC = new Uint16Array(64);

/** Damerau-Levenshtein (optimal string alignment) distance, or `limit + 1` once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (a === b) return 0;
  const n = b.length;
  if (rowA.length < n + 1) {
    rowA = new Uint16Array(n + 1);
    rowB = new Uint16Array(n + 1);
    rowC = new Uint16Array(n + 1);
  }
  // prev2 = row i-2, prev = row i-1, cur = row i.
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return Math.min(prev[n], limit === Infinity ? prev[n] : limit + 1);
}
