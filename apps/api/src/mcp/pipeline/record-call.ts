// Step: write the call's log row, redacted and truncated, and wait until it is committed (or spooled).
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CallLogWriter } from '../../call-logs/call-log-writer';
import type { CallLogRow } from '../../call-logs/call-log-row';
import { redact } from '../../common/redaction/redact';
import { AppConfigService } from '../../config/app-config.service';
import type { CallContext, CallRecord } from './call-types';

@Injectable()
export class RecordCall {
  constructor(
    private readonly writer: CallLogWriter,
    private readonly config: AppConfigService,
  ) {}

  record(ctx: CallContext, rec: CallRecord): Promise<void> {
    const paths = rec.tool?.redactionPaths ?? [];
    const row: CallLogRow = {
      id: randomUUID(),
      createdAt: new Date(ctx.startedAt),
      tenantId: ctx.caller.key.tenantId,
      groupId: ctx.caller.group.id,
      apiKeyId: ctx.caller.key.id,
      toolId: rec.tool?.toolId ?? null,
      toolName: rec.requestedName,
      method: 'tools/call',
      sessionId: ctx.sessionId,
      clientName: ctx.clientName,
      clientVersion: ctx.clientVersion,
      callerIp: ctx.callerIp,
      arguments: this.bounded(redact(rec.arguments ?? null, paths)),
      resultSummary: rec.result ? this.bounded(redact(rec.result, paths.map((p) => `structuredContent.${p}`))) : null,
      isError: rec.outcome !== 'ok',
      outcome: rec.outcome,
      errorCode: rec.errorCode,
      durationMs: Math.round(Date.now() - ctx.startedAt),
      upstreamDurationMs: rec.upstreamDurationMs,
      requestId: ctx.requestId,
    };
    return this.writer.write(row);
  }

  /** A request refused before it had a caller (no or bad key): who knows what it tried, from where. */
  recordRefusal(r: { requestId: string; callerIp: string | null; method: string; toolName: string | null; outcome: 'unauthenticated'; errorCode: string }): Promise<void> {
    return this.writer.write({
      id: randomUUID(),
      createdAt: new Date(),
      tenantId: null,
      groupId: null,
      apiKeyId: null,
      toolId: null,
      toolName: r.toolName,
      method: r.method,
      sessionId: null,
      clientName: null,
      clientVersion: null,
      callerIp: r.callerIp,
      arguments: null,
      resultSummary: null,
      isError: true,
      outcome: r.outcome,
      errorCode: r.errorCode,
      durationMs: 0,
      upstreamDurationMs: null,
      requestId: r.requestId,
    });
  }

  /** Keeps stored values under CALL_LOG_MAX_VALUE_BYTES: larger ones become a marked, truncated preview. */
  private bounded(value: unknown): unknown {
    const text = JSON.stringify(value);
    const max = this.config.env.CALL_LOG_MAX_VALUE_BYTES;
    if (text === undefined || Buffer.byteLength(text) <= max) return value;
    return { truncated: true, originalBytes: Buffer.byteLength(text), preview: text.slice(0, Math.floor(max / 2)) };
  }
}
