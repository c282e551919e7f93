// The benchmark harness works end to end: `node bench/run.mjs --smoke` (about 2 s per load run) sets everything
// up, measures every scenario and reports one JSON line per measurement. Only that is checked here, plus the
// guarantees a run proves whatever the machine (every answered call has its committed log row): performance
// targets are the benchmark's business (bench/README.md), never a timed test's.
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** A smoke run takes 45–60 s here; past this it is stuck, not slow. */
const RUN_LIMIT_MS = 170_000;

interface Line {
  scenario: string;
  [field: string]: unknown;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Line[];
  stderr: string;
}

let child: ChildProcess | undefined;

/** Runs the harness with the tests' PostgreSQL (TEST_DATABASE_URL: it makes and drops its own database there). */
function runSmoke(): Promise<Run> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [path.join(ROOT, 'bench/run.mjs'), '--smoke', '--no-results'], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const limit = setTimeout(() => child?.kill('SIGTERM'), RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      child = undefined;
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
      resolve({ code, signal, lines, stderr });
    });
  });
}

describe('benchmark harness (smoke run)', () => {
  let run: Run;

  beforeAll(async () => {
    run = await runSmoke();
  }, RUN_LIMIT_MS + 10_000);

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  const of = (scenario: string) => run.lines.filter((l) => l.scenario === scenario);

  it('finishes without a harness error', () => {
    // On failure, the harness's own account of what went wrong (its stderr) is the useful part.
    expect({ code: run.code, signal: run.signal, harnessFailure: /the harness failed/.test(run.stderr) ? run.stderr.slice(-3000) : null }).toEqual({
      code: 0,
      signal: null,
      harnessFailure: null,
    });
  });

  it('measures S1 for the baseline, the commit floor and both gateway eras at 10 and 50 connections, every answer a result', () => {
    const s1 = of('S1');
    const seen = s1.map((l) => `${l.target} ${l.era} ${l.connections}`).sort();
    expect(seen).toEqual(
      [
        'baseline 2025-11-25 10',
        'baseline 2025-11-25 50',
        'floor 2025-11-25 10',
        'floor 2025-11-25 50',
        'gateway 2025-11-25 10',
        'gateway 2025-11-25 50',
        'gateway 2026-07-28 10',
        'gateway 2026-07-28 50',
      ].sort(),
    );
    for (const l of s1) {
      expect(l).toMatchObject({ successful: expect.any(Number), errors: 0, rps: expect.any(Number), p99: expect.any(Number) });
      expect(l.successful).toBeGreaterThan(0);
      expect(l.cpuMsPerCall).toMatchObject({ server: expect.any(Number) });
    }
    expect(of('S1-ratio')).toHaveLength(4);
  });

  it('S4: every answered gateway call has its committed call-log row', () => {
    const s4 = of('S4');
    expect(s4).toHaveLength(4);
    for (const l of s4) expect(l).toMatchObject({ lost: 0, nothingLost: true, matched: l.successful });
  });

  it('measures S2 (echo proxied to the bare SDK server as an upstream source), every answer a result', () => {
    const s2 = of('S2');
    expect(s2.map((l) => l.connections)).toEqual([1, 10, 50]);
    expect(of('S2-direct').map((l) => l.connections)).toEqual([1, 10, 50]);
    for (const l of s2) {
      expect(l).toMatchObject({ successful: expect.any(Number), errors: 0, cpuMsPerCall: { server: expect.any(Number), upstream: expect.any(Number) } });
      expect(l.vsDirect).toMatchObject({ directErrors: 0, rpsRatio: expect.any(Number), addedP50Ms: expect.any(Number), addedP99Ms: expect.any(Number) });
      expect(l.successful).toBeGreaterThan(0);
    }
    // The same two at a fixed offered load (half what the proxied path sustained), for the added latency.
    const rated = of('S2-rate');
    expect(rated.map((l) => l.connections)).toEqual([10, 50]);
    for (const l of rated) {
      expect(l).toMatchObject({ offeredRps: expect.any(Number), addedP50Ms: expect.any(Number), direct: { errors: 0 }, proxied: { errors: 0 } });
      expect(l.direct.rps).toBeGreaterThan(0);
      expect(l.proxied.rps).toBeGreaterThan(0);
    }
  });

  it('reports S3 for both eras, S5 for every query shape, and RSS', () => {
    const s3 = of('S3');
    expect(s3.map((l) => `${l.era} ${l.connections}`).sort()).toEqual(['2025-11-25 1', '2025-11-25 10', '2026-07-28 1', '2026-07-28 10']);
    for (const l of s3) expect(l).toMatchObject({ requests: expect.any(Number), errors: 0, p50: expect.any(Number), toolsPerPage: expect.any(Number) });
    const s5 = of('S5');
    expect(s5.filter((l) => l.phase === 'seed')).toEqual([expect.objectContaining({ rows: 100_000 })]);
    const shapes = s5.filter((l) => l.phase === undefined);
    expect(shapes).toHaveLength(9);
    for (const l of shapes) expect(l).toMatchObject({ requests: expect.any(Number), p95: expect.any(Number) });
    expect(of('RSS').map((l) => l.state)).toEqual(['idle', 'load', 'idle-after']);
  });
});
