// Auditors' queries over the partitioned call log: tenant first, keyset pages, newest first.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CallLogDto, CallLogQuery, CallOutcome } from '@toolgate/contracts';
import { DataSource } from 'typeorm';
import { newestFirstPage, WhereBuilder } from '../common/pagination/cursor';

interface CallLogRow {
  id: string;
  created_at: Date;
  created_at_text: string;
  group_id: string | null;
  api_key_id: string | null;
  tool_id: string | null;
  tool_name: string | null;
  method: string;
  session_id: string | null;
  client_name: string | null;
  client_version: string | null;
  caller_ip: string | null;
  arguments: unknown;
  result_summary: unknown;
  is_error: boolean;
  outcome: CallOutcome;
  error_code: string | null;
  duration_ms: number;
  upstream_duration_ms: number | null;
  request_id: string | null;
}

@Injectable()
export class CallLogsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async query(tenantId: string, q: CallLogQuery): Promise<{ items: CallLogDto[]; nextCursor: string | null }> {
    const where = new WhereBuilder()
      .add('tenant_id = ?', tenantId)
      .add('group_id = ?', q.groupId)
      .add('api_key_id = ?', q.keyId)
      .add('tool_id = ?', q.toolId)
      .add('tool_name = ?', q.toolName)
      .add('outcome = ?', q.outcome)
      .add('created_at >= ?', q.from)
      .add('created_at < ?', q.to)
      .after(q.cursor);
    const page = await newestFirstPage<CallLogRow>(this.db, 'call_logs', where, q.limit);
    return { items: page.rows.map(toCallLogDto), nextCursor: page.nextCursor };
  }

  /** Creates the monthly partitions ahead of time; returns how many were created. */
  async ensurePartitions(monthsAhead: number): Promise<number> {
    const [row] = await this.db.query('SELECT toolgate_ensure_call_log_partitions($1) AS created', [monthsAhead]);
    return Number(row.created);
  }
}

function toCallLogDto(r: CallLogRow): CallLogDto {
  return {
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    groupId: r.group_id,
    apiKeyId: r.api_key_id,
    toolId: r.tool_id,
    toolName: r.tool_name,
    method: r.method,
    sessionId: r.session_id,
    clientName: r.client_name,
    clientVersion: r.client_version,
    callerIp: r.caller_ip,
    arguments: r.arguments,
    resultSummary: r.result_summary,
    isError: r.is_error,
    outcome: r.outcome,
    errorCode: r.error_code,
    durationMs: r.duration_ms,
    upstreamDurationMs: r.upstream_duration_ms,
    requestId: r.request_id,
  };
}
