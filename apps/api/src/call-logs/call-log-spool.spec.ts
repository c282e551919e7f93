// The spool on its own, in a temporary directory: durability format, torn lines, file modes, accounting.
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallLogRow } from './call-log-row';
import { CallLogSpool } from './call-log-spool';

function row(overrides: Partial<CallLogRow> = {}): CallLogRow {
  return {
    id: randomUUID(),
    createdAt: new Date('2025-06-01T10:00:00.123Z'),
    tenantId: randomUUID(),
    groupId: randomUUID(),
    apiKeyId: randomUUID(),
    toolId: null,
    toolName: '検索ツール',
    method: 'tools/call',
    sessionId: null,
    clientName: 'claude',
    clientVersion: '1.0',
    callerIp: '127.0.0.1',
    arguments: { q: 'x', nested: [1, { a: null }] },
    resultSummary: null,
    isError: false,
    outcome: 'ok',
    errorCode: null,
    durationMs: 12,
    upstreamDurationMs: null,
    requestId: 'req-1',
    ...overrides,
  };
}

describe('CallLogSpool', () => {
  let root: string;
  let dir: string;
  let spool: CallLogSpool;
  let warn: jest.SpyInstance;

  beforeEach(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    root = await mkdtemp(join(tmpdir(), 'toolgate-spool-spec-'));
    dir = join(root, 'nested', 'spool');
    spool = new CallLogSpool(dir);
    await spool.init();
  });
  afterEach(async () => {
    warn.mockRestore();
    await spool.close();
    await rm(root, { recursive: true, force: true });
  });

  it('creates nothing until the first append', async () => {
    expect(await readdir(root)).toEqual([]);
    expect(await spool.segments()).toEqual([]);
    expect(spool.size()).toEqual({ segments: 0, rows: 0, bytes: 0 });
  });

  it('round-trips rows through append, seal, segments, read and remove, Dates included', async () => {
    const first = [row(), row({ arguments: null, toolName: null, isError: true, outcome: 'tool_error', errorCode: 'E1', upstreamDurationMs: 7 })];
    const second = [row({ createdAt: new Date('2024-12-31T23:59:59.999Z') })];
    await spool.append(first);
    await spool.append(second);
    expect(spool.size()).toMatchObject({ segments: 1, rows: 3 });
    // The active segment is not offered for replay until sealed.
    expect(await spool.segments()).toEqual([]);
    await spool.seal();
    const [segment, ...others] = await spool.segments();
    expect(others).toEqual([]);
    expect(segment).toMatch(/^spool-\d+-\d+-\d+\.ndjson$/);

    const read = await spool.read(segment);
    expect(read).toEqual([...first, ...second]);
    expect(read[0].createdAt).toBeInstanceOf(Date);
    expect(spool.size().bytes).toBe((await stat(join(dir, segment))).size);

    // The next append starts a new segment, after the sealed one in name order.
    await spool.append([row()]);
    await spool.seal();
    const both = await spool.segments();
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(segment);

    await spool.remove(segment);
    expect(await spool.segments()).toEqual([both[1]]);
    expect(spool.size()).toMatchObject({ segments: 1, rows: 1 });
    await spool.remove(both[1]);
    await spool.remove(both[1]); // removing twice is harmless (a replay that crashed after the unlink)
    expect(spool.size()).toEqual({ segments: 0, rows: 0, bytes: 0 });
    expect(await readdir(dir)).toEqual(['spool.lock']);
  });

  it('skips a torn last line left by a crash mid-write, and a new process counts only whole lines', async () => {
    const rows = [row(), row()];
    await spool.append(rows);
    await spool.seal();
    const [segment] = await spool.segments();
    await appendFile(join(dir, segment), '{"id":"' + randomUUID() + '","createdAt":"2025-06');
    expect(await spool.read(segment)).toEqual(rows);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ segment, torn: true, rows: 2 }), expect.any(String));

    const restarted = new CallLogSpool(dir);
    await restarted.init();
    expect(restarted.size()).toMatchObject({ segments: 1, rows: 2 });
    expect(await restarted.read(segment)).toEqual(rows);
  });

  it('skips an unreadable line without losing the lines around it', async () => {
    const rows = [row(), row()];
    const name = 'spool-00000000000001-1-000001.ndjson';
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), `${JSON.stringify(rows[0])}\nnot json\n${JSON.stringify(rows[1])}\n`);
    expect(await spool.read(name)).toEqual(rows);
  });

  it('creates the directory 0700 and its files 0600, and tightens an existing directory', async () => {
    await spool.append([row()]);
    await spool.reject([{ row: row(), error: { code: '22P02', message: 'invalid input' } }]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dir);
    expect(files).toHaveLength(3); // a segment, the rejected file and the lock
    for (const f of files) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);

    const loose = join(root, 'loose');
    await mkdir(loose, { mode: 0o755 });
    const other = new CallLogSpool(loose);
    await other.init();
    expect((await stat(loose)).mode & 0o777).toBe(0o700);
  });

  it('keeps rejected rows apart from the segments, with the error, and never replays them', async () => {
    const bad = row({ tenantId: 'not-a-uuid' });
    await spool.reject([{ row: bad, error: { code: '22P02', message: 'invalid input syntax for type uuid' } }]);
    expect(await spool.segments()).toEqual([]);
    expect(spool.size().rows).toBe(0);
    const [file] = (await readdir(dir)).filter((f) => f !== 'spool.lock');
    expect(file).toMatch(/^rejected-\d+-\d+\.ndjson$/);
    const entry = JSON.parse((await readFile(join(dir, file), 'utf8')).trim());
    expect(entry).toMatchObject({ error: { code: '22P02' }, row: { id: bad.id, tenantId: 'not-a-uuid' } });
  });

  it('refuses a directory another live process spools into, and takes over the lock of one that is gone', async () => {
    await mkdir(dir, { recursive: true });
    // Our parent (the jest runner) is alive and is not us.
    await writeFile(join(dir, 'spool.lock'), `${process.ppid}\n`);
    await expect(spool.append([row()])).rejects.toThrow(/in use by process/);
    expect(await spool.segments()).toEqual([]);

    // No process can have this id (above Linux's PID_MAX_LIMIT).
    await writeFile(join(dir, 'spool.lock'), '99999999\n');
    await spool.append([row()]);
    expect(spool.size().rows).toBe(1);
    expect((await readFile(join(dir, 'spool.lock'), 'utf8')).trim()).toBe(String(process.pid));
  });

  it('seals a segment once it reaches its size limit', async () => {
    const small = new CallLogSpool(join(root, 'small'), 1000);
    await small.init();
    for (let i = 0; i < 4; i++) await small.append([row(), row()]);
    expect((await small.segments()).length).toBeGreaterThanOrEqual(1);
    await small.seal();
    const all = await small.segments();
    const read = (await Promise.all(all.map((s) => small.read(s)))).flat();
    expect(read).toHaveLength(8);
    expect(small.size()).toMatchObject({ segments: all.length, rows: 8 });
  });

  it('stores a BigInt argument as a string instead of failing the append', async () => {
    await spool.append([row({ arguments: { n: 10n } })]);
    await spool.seal();
    const [segment] = await spool.segments();
    expect((await spool.read(segment))[0].arguments).toEqual({ n: '10' });
  });

  it('rejects an append it cannot make durable, and keeps working afterwards', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(spool.append([row({ arguments: cyclic })])).rejects.toThrow();
    await spool.append([row()]);
    expect(spool.size().rows).toBe(1);
  });
});
