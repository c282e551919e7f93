#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time, and self time by
// package or source area. Idle samples and the API's start-up (module loading, Nest's boot) are left out of
// the percentages. V8 samples on the wall clock, so a system call's share includes waiting for a CPU inside it.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top=25]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where a script belongs: a package, Node's internals, or a part of Toolgate. */
export function areaOf(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (SOCKET_WRITES.has(functionName)) return 'syscalls: socket writes (and waiting for a CPU in them)';
    if (functionName === '(program)') return 'V8/native: (program)';
    if (functionName === '(idle)') return '(idle)';
    return 'V8/native builtins';
  }
  if (url.startsWith('node:')) return 'node: core (http, net, streams…)';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return `npm: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const rel = path.relative(ROOT, file);
  const m = rel.match(/^apps\/api\/dist\/apps\/api\/src\/([^/]+(?:\/[^/]+)?)/);
  if (m) return `toolgate: ${m[1].replace(/\.js$/, '')}`;
  if (rel.startsWith('libs/')) return `toolgate: ${rel.split('/').slice(0, 2).join('/')}`;
  return rel.startsWith('..') ? file : rel;
}

function shortUrl(url) {
  if (!url) return '';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : rel.replace('apps/api/dist/apps/api/src/', 'api/');
}

const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String']);
const STARTUP_FRAME = /^(wrapSafe|compileForInternalLoader|Module\._load|Module\._compile|bootstrap|NestFactory)/;

/** Whether a stack (leaf to root) belongs to the process's start-up rather than to serving requests. */
function isStartup(id, nodes, parent) {
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url } = nodes.get(at).callFrame;
    if (STARTUP_FRAME.test(functionName) || url.endsWith('/apps/api/src/main.js')) return true;
  }
  return false;
}

/** { totalMs, activeMs, idleMs, startupMs, functions: [{ name, where, area, ms, pct }], areas: [{ area, ms, pct }] } */
export function summarizeProfile(profile, { top = 25 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  let startupUs = 0;
  // timeDeltas[i] is the time between sample i-1 and sample i; charge it to sample i.
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    const us = Math.max(0, profile.timeDeltas?.[i] ?? 0);
    if (isStartup(id, nodes, parent)) startupUs += us;
    else selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  }
  const byFunction = new Map();
  const byArea = new Map();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = nodes.get(id);
    totalUs += us;
    const name = callFrame.functionName || '(anonymous)';
    const area = areaOf(callFrame.url, name);
    if (area === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = callFrame.url ? `${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const f = byFunction.get(key) ?? { name, where, area, us: 0 };
    f.us += us;
    byFunction.set(key, f);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const activeUs = totalUs - idleUs;

  // Inclusive ("total") time of each function: every sample counts once for each distinct function on
  // its stack (recursion is not double-counted).
  const keyOf = (n) => `${n.callFrame.functionName || '(anonymous)'}\u0000${n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`;
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const leaf = nodes.get(id);
    if (areaOf(leaf.callFrame.url, leaf.callFrame.functionName) === '(idle)') continue;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const n = nodes.get(at);
      if (!n.callFrame.url) continue;
      const key = keyOf(n);
      if (seen.has(key)) continue;
      seen.add(key);
      const f = inclusive.get(key) ?? { name: n.callFrame.functionName || '(anonymous)', where: `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`, area: areaOf(n.callFrame.url, n.callFrame.functionName), us: 0 };
      f.us += us;
      inclusive.set(key, f);
    }
  }
  const pct = (us) => Number(((100 * us) / Math.max(1, activeUs)).toFixed(1));
  const ms = (us) => Math.round(us / 1000);
  return {
    totalMs: ms(totalUs),
    activeMs: ms(activeUs),
    idleMs: ms(idleUs),
    startupMs: ms(startupUs),
    functions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, area: f.area, ms: ms(f.us), pct: pct(f.us) })),
    toolgateInclusive: [...inclusive.values()]
      .filter((f) => f.area.startsWith('toolgate:'))
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: ms(f.us), pct: pct(f.us) })),
    areas: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: ms(us), pct: pct(us) })),
  };
}

export function formatSummary(s, { topAreas = 15 } = {}) {
  const lines = [
    `CPU profile: ${s.activeMs} ms sampled busy, ${s.idleMs} ms idle, ${s.startupMs} ms of start-up left out (percentages are of the busy samples)`,
    '',
    'self time by area:',
  ];
  for (const a of s.areas.slice(0, topAreas)) lines.push(`  ${String(a.pct).padStart(5)}%  ${String(a.ms).padStart(7)} ms  ${a.area}`);
  lines.push('', 'top functions by self time:');
  for (const f of s.functions) lines.push(`  ${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(7)} ms  ${f.name}  ${f.where}`);
  if (s.toolgateInclusive?.length) {
    lines.push('', "Toolgate's own functions by total time (self + what they call):");
    for (const f of s.toolgateInclusive) lines.push(`  ${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(7)} ms  ${f.name}  ${f.where}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top=25]');
    process.exit(2);
  }
  const top = Number((process.argv.find((a) => a.startsWith('--top=')) ?? '--top=25').slice(6));
  const summary = summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')), { top });
  if (process.argv.includes('--json')) console.log(JSON.stringify(summary, null, 2));
  else console.log(formatSummary(summary));
}
