// Step: write the call's log row, redacted and truncated, and wait until it is committed (or spooled).
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CallLogWriter } from '../../call-logs/call-log-writer';
import { CallLogRow, JsonText } from '../../call-logs/call-log-row';
import { isSecretKey, redact } from '../../common/redaction/redact';
import { AppConfigService } from '../../config/app-config.service';
import { CallMetrics } from '../../metrics/call-metrics';
import type { CallContext, CallRecord } from './call-types';

@Injectable()
export class RecordCall {
  constructor(
    private readonly writer: CallLogWriter,
    private readonly config: AppConfigService,
    private readonly metrics: CallMetrics,
  ) {}

  record(ctx: CallContext, rec: CallRecord): Promise<void> {
    const paths = rec.tool?.redactionPaths ?? [];
    const durationMs = Date.now() - ctx.startedAt;
    // The exposed tool's name only: a name the caller made up would make a label per guess.
    this.metrics.observeCall(ctx.caller.group.serverCode, rec.tool?.name ?? null, rec.outcome, durationMs);
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
      arguments: this.bounded(redacted(rec.arguments ?? null, paths)),
      resultSummary: rec.result ? this.bounded(redacted(rec.result, paths.length === 0 ? paths : paths.map((p) => `structuredContent.${p}`))) : null,
      isError: rec.outcome !== 'ok',
      outcome: rec.outcome,
      errorCode: rec.errorCode,
      durationMs: Math.round(durationMs),
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

  /**
   * Keeps stored values under CALL_LOG_MAX_VALUE_BYTES: larger ones become a marked, truncated preview. The JSON
   * text made to measure a value is what the writer stores, so no value is serialised twice.
   */
  private bounded(value: unknown): unknown {
    const text = JSON.stringify(value);
    if (text === undefined) return value;
    const max = this.config.env.CALL_LOG_MAX_VALUE_BYTES;
    const bytes = Buffer.byteLength(text);
    if (bytes <= max) return new JsonText(text);
    return { truncated: true, originalBytes: bytes, preview: text.slice(0, Math.floor(max / 2)) };
  }
}

/** `redact(value, paths)`, without its deep copy when it would change nothing (no paths, no secret-looking key). */
function redacted(value: unknown, paths: readonly string[]): unknown {
  return paths.length === 0 && !mayHoldSecrets(value, 0) ? value : redact(value, paths);
}

/** Whether redact() could mask anything in `value`: a secret-looking key anywhere, or nesting past its depth limit. */
function mayHoldSecrets(value: unknown, depth: number): boolean {
  if (depth > 64) return true;
  if (Array.isArray(value)) return value.some((v) => mayHoldSecrets(v, depth + 1));
  if (value === null || typeof value !== 'object') return false;
  for (const key of Object.keys(value)) {
    if (isSecretKey(key) || mayHoldSecrets((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
