// The local, append-only spool that holds call-log rows while PostgreSQL cannot take them.
import { Logger } from '@nestjs/common';
import { constants } from 'node:fs';
import { access, chmod, FileHandle, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CallLogRow } from './call-log-row';

/** Rows and bytes waiting in the spool for replay. */
export interface SpoolSize {
  segments: number;
  rows: number;
  bytes: number;
}

/** A row PostgreSQL refused for its values, kept with the reason so an operator can repair and re-import it. */
export interface RejectedRow {
  row: CallLogRow;
  error: { code?: string; message: string };
}

const SEGMENT = /^spool-\d+-\d+-\d+\.ndjson$/;
/** Segments are sealed at this size, so a replay never has to hold a long outage's rows in memory at once. */
const DEFAULT_MAX_SEGMENT_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;
const LOCK_FILE = 'spool.lock';

/**
 * Segment files `spool-<ms>-<pid>-<n>.ndjson`, one row per line. Only the active segment is ever appended to;
 * `segments()` lists the sealed ones, which replay reads and removes once their rows are committed. Every append
 * is one write followed by fsync (and an fsync of the directory when it creates a file), so a row whose append
 * resolved survives a crash; a crash mid-write leaves at most a torn last line, which `read` skips.
 * File operations run one at a time, so an append never interleaves with sealing or removal; a lock file keeps a
 * second live process out of the directory.
 */
export class CallLogSpool {
  private readonly logger = new Logger(CallLogSpool.name);
  private chain: Promise<unknown> = Promise.resolve();
  private active?: { name: string; handle: FileHandle; rows: number; bytes: number };
  /** Named before its file is created, so `segments()` never offers a segment that is being opened. */
  private activeName?: string;
  private readonly pending = new Map<string, { rows: number; bytes: number }>();
  private dirReady = false;
  private sequence = 0;
  private rejectedFile?: string;

  constructor(
    readonly dir: string,
    private readonly maxSegmentBytes = DEFAULT_MAX_SEGMENT_BYTES,
  ) {}

  /**
   * Counts what an earlier process left behind. The directory is created lazily, on the first append, so a
   * healthy process leaves nothing on disk; here we only check it could be created.
   */
  async init(): Promise<void> {
    return this.serialized(async () => {
      let names: string[];
      try {
        names = await readdir(this.dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await this.checkCreatable();
        return;
      }
      await this.ensureDir();
      for (const name of names.filter((n) => SEGMENT.test(n))) {
        if (this.pending.has(name)) continue;
        const content = await readFile(join(this.dir, name));
        this.pending.set(name, { rows: countLines(content), bytes: content.length });
      }
    });
  }

  /** Appends the rows in one write and fsyncs before resolving; a rejection means they are not durably stored. */
  append(rows: readonly CallLogRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.serialized(async () => {
      const data = Buffer.from(rows.map(toLine).join(''), 'utf8');
      const segment = await this.activeSegment();
      try {
        await writeAll(segment.handle, data);
        await segment.handle.sync();
      } catch (err) {
        // Drop whatever part reached the file, then seal it: later appends start on a clean segment.
        await segment.handle.truncate(segment.bytes).catch(() => undefined);
        await this.sealActive();
        throw err;
      }
      segment.rows += rows.length;
      segment.bytes += data.length;
      this.pending.set(segment.name, { rows: segment.rows, bytes: segment.bytes });
      if (segment.bytes >= this.maxSegmentBytes) await this.sealActive();
    });
  }

  /** Closes the active segment, so the next append starts a new one and this one can be replayed. */
  seal(): Promise<void> {
    return this.serialized(() => this.sealActive());
  }

  /** Sealed segments, oldest first. */
  async segments(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.filter((n) => SEGMENT.test(n) && n !== this.activeName).sort();
  }

  /** The rows of a segment; a torn last line (a crash mid-write) or an unreadable line is skipped. */
  async read(segment: string): Promise<CallLogRow[]> {
    const content = await readFile(this.pathOf(segment), 'utf8');
    const lines = content.split('\n');
    // After the last newline there is either nothing or the torn remainder of a write that never finished.
    const torn = lines.pop() !== '';
    const rows: CallLogRow[] = [];
    let unreadable = 0;
    for (const line of lines) {
      const row = fromLine(line);
      if (row) rows.push(row);
      else unreadable++;
    }
    if (torn || unreadable > 0) this.logger.warn({ segment, torn, unreadable, rows: rows.length }, 'skipped incomplete lines in a call-log spool segment');
    return rows;
  }

  /** Deletes a segment whose rows are committed. */
  remove(segment: string): Promise<void> {
    const path = this.pathOf(segment);
    return this.serialized(async () => {
      try {
        await unlink(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      this.pending.delete(segment);
      await syncDir(this.dir);
    });
  }

  /** Appends rows PostgreSQL refused to this process's `rejected-…` file (never replayed), with fsync. */
  reject(entries: readonly RejectedRow[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.serialized(async () => {
      await this.ensureDir();
      const file = this.rejectedFile ?? join(this.dir, `rejected-${Date.now()}-${process.pid}.ndjson`);
      const data = entries.map((e) => `${safeJson({ rejectedAt: new Date().toISOString(), error: e.error, row: e.row })}\n`).join('');
      const handle = await open(file, 'a', 0o600);
      try {
        await writeAll(handle, Buffer.from(data, 'utf8'));
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (!this.rejectedFile) {
        await syncDir(this.dir);
        this.rejectedFile = file;
      }
    });
  }

  /** What waits for replay, the active segment included. */
  size(): SpoolSize {
    let rows = 0;
    let bytes = 0;
    for (const s of this.pending.values()) {
      rows += s.rows;
      bytes += s.bytes;
    }
    return { segments: this.pending.size, rows, bytes };
  }

  /** Closes the active segment's file; a later append opens a new one. */
  close(): Promise<void> {
    return this.seal();
  }

  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(op);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async activeSegment() {
    if (this.active) return this.active;
    await this.ensureDir();
    const name = `spool-${String(Date.now()).padStart(14, '0')}-${process.pid}-${String(++this.sequence).padStart(6, '0')}.ndjson`;
    this.activeName = name;
    let handle: FileHandle | undefined;
    try {
      handle = await open(join(this.dir, name), 'a', 0o600);
      await syncDir(this.dir);
    } catch (err) {
      await handle?.close();
      await unlink(join(this.dir, name)).catch(() => undefined);
      this.activeName = undefined;
      throw err;
    }
    this.active = { name, handle, rows: 0, bytes: 0 };
    return this.active;
  }

  private async sealActive(): Promise<void> {
    const segment = this.active;
    if (!segment) return;
    this.active = undefined;
    await segment.handle.close().catch(() => undefined);
    this.activeName = undefined;
    // An append that failed before writing anything leaves an empty file: nothing to replay.
    if (segment.rows === 0) {
      await unlink(join(this.dir, segment.name)).catch(() => undefined);
      this.pending.delete(segment.name);
    }
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    const created = await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.takeLock();
    if (created) {
      await syncDir(dirname(this.dir));
    } else {
      const mode = (await stat(this.dir)).mode & 0o777;
      if (mode & 0o077) {
        // The rows hold call arguments: nobody but this user should read them.
        await chmod(this.dir, 0o700).catch((err) =>
          this.logger.warn({ dir: this.dir, mode: mode.toString(8), code: (err as NodeJS.ErrnoException).code }, 'call-log spool directory is readable by others'),
        );
      }
    }
    this.dirReady = true;
  }

  /**
   * One process per spool directory: another one's replay would remove the segment this one is appending to.
   * A lock left by a process that is gone is taken over.
   */
  private async takeLock(): Promise<void> {
    const path = join(this.dir, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(path, 'wx', 0o600);
        try {
          await handle.writeFile(`${process.pid}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
        const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (owner > 0 && owner !== process.pid && isAlive(owner)) throw new Error(`call-log spool ${this.dir} is in use by process ${owner}`);
        await unlink(path).catch(() => undefined);
      }
    }
  }

  /** Warns at boot, not during an outage, when the spool could not be created. */
  private async checkCreatable(): Promise<void> {
    let dir = dirname(this.dir);
    for (;;) {
      try {
        await access(dir, constants.W_OK | constants.X_OK);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' || dirname(dir) === dir) {
          this.logger.warn({ dir: this.dir, code }, 'call-log spool directory cannot be created: an outage of PostgreSQL would fail calls');
          return;
        }
        dir = dirname(dir);
      }
    }
  }

  private pathOf(segment: string): string {
    if (!SEGMENT.test(segment)) throw new Error(`not a spool segment: ${segment}`);
    return join(this.dir, segment);
  }
}

function toLine(row: CallLogRow): string {
  return `${stringifyJson(row)}\n`;
}

function fromLine(line: string): CallLogRow | undefined {
  try {
    const row = JSON.parse(line) as CallLogRow & { createdAt: string };
    if (typeof row !== 'object' || row === null || typeof row.createdAt !== 'string') return undefined;
    return { ...row, createdAt: new Date(row.createdAt) };
  } catch {
    return undefined;
  }
}

/** JSON text for a value that may hold BigInts (which JSON.stringify refuses); the plain call first, it is the fast one. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/** Best-effort JSON of anything (cycles included), for the rejected file only. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function countLines(content: Buffer): number {
  let n = 0;
  for (let i = content.indexOf(NEWLINE); i !== -1; i = content.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
