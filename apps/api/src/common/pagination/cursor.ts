// Keyset pagination over (created_at, id), newest first. The cursor is opaque to clients.
import { AppException } from '../errors/app-exception';

export interface KeysetPosition {
  /** PostgreSQL's own text form of created_at, kept exact to the microsecond. */
  createdAt: string;
  id: string;
}

export function encodeCursor(pos: KeysetPosition): string {
  return Buffer.from(JSON.stringify([pos.createdAt, pos.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** PostgreSQL's ISO text form of a timestamptz (or ISO 8601 with T): date, time to the microsecond, offset. */
const TIMESTAMPTZ = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2}){0,2})$/;

/** A cursor is client input: anything PostgreSQL would refuse to cast must be refused here, or it becomes a 500. */
function isTimestamptz(s: string): boolean {
  const m = TIMESTAMPTZ.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string' && isTimestamptz(createdAt) && UUID.test(id)) {
      return { createdAt, id };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppException('INVALID_CURSOR', 'The cursor is not valid; start again without it.');
}

/** Builds a WHERE fragment and its parameters for equality/range filters plus the keyset position. */
export class WhereBuilder {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(sqlWithPlaceholder: string, value: unknown): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(sqlWithPlaceholder.replace('?', `$${this.params.length}`));
    return this;
  }

  after(cursor: string | undefined): this {
    if (!cursor) return this;
    const pos = decodeCursor(cursor);
    this.params.push(pos.createdAt, pos.id);
    const n = this.params.length;
    this.clauses.push(`(created_at, id) < ($${n - 1}::timestamptz, $${n}::uuid)`);
    return this;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** Runs a newest-first keyset page query: fetches one extra row to know whether there is a next page. */
export function toPage<T extends { created_at_text: string; id: string }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: hasMore && last ? encodeCursor({ createdAt: last.created_at_text, id: last.id }) : null };
}

/** One newest-first keyset page of `table` (call_logs, audit_events): the filters, one extra row, the next cursor. */
export async function newestFirstPage<T extends { created_at_text: string; id: string }>(
  db: { query(sql: string, params: unknown[]): Promise<T[]> },
  table: 'call_logs' | 'audit_events',
  where: WhereBuilder,
  limit: number,
): Promise<{ rows: T[]; nextCursor: string | null }> {
  const rows = await db.query(
    `SELECT *, created_at::text AS created_at_text FROM ${table} ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${Number(limit) + 1}`,
    where.params,
  );
  return toPage(rows, limit);
}
