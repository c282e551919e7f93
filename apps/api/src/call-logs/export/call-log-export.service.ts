// Streams the filtered call log as CSV or NDJSON in keyset batches, and records who exported what.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CALL_LOG_ROW_ESTIMATE_HEADER, CALL_LOG_ROW_ESTIMATE_KIND_HEADER, CallLogDto, CallLogExportQuery } from '@toolgate/contracts';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { TenantScope } from '../../auth/access.types';
import { AuditService } from '../../audit/audit.service';
import { CallLogsService } from '../call-logs.service';
import { CSV_HEADER, csvRow } from './call-log-csv';

/** Rows per database round trip; the response holds at most one batch (plus the socket's buffer). */
export const EXPORT_BATCH_ROWS = 1000;

const FORMATS = {
  csv: { contentType: 'text/csv; charset=utf-8', header: CSV_HEADER, row: csvRow },
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', header: '', row: (log: CallLogDto) => `${JSON.stringify(log)}\n` },
} as const;

@Injectable()
export class CallLogExportService {
  private readonly logger = new Logger(CallLogExportService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly callLogs: CallLogsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Answers the export. Errors before the first byte are thrown (the usual error body); after it, the response is
   * cut off without its last chunk, so the client sees a failed download rather than a short file.
   */
  async stream(scope: TenantScope, query: CallLogExportQuery, res: Response): Promise<void> {
    const { format, ...filter } = query;
    const estimate = await this.callLogs.count(scope.tenantId, filter);
    const [tenant] = await this.db.query(`SELECT slug FROM tenants WHERE id = $1`, [scope.tenantId]);
    // Recorded before any row leaves: an export cut short was still an export.
    await this.db.transaction((m) =>
      this.audit.record(m, scope, {
        tenantId: scope.tenantId,
        action: 'call_logs.exported',
        entityType: 'call_logs',
        entityId: null,
        after: { format, filters: filter, rowEstimate: estimate.count, exact: estimate.exact },
      }),
    );

    let gone = false;
    res.once('close', () => (gone = true));
    const spec = FORMATS[format];
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    res.status(200);
    res.setHeader('Content-Type', spec.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="call-logs-${tenant?.slug ?? 'tenant'}-${stamp}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader(CALL_LOG_ROW_ESTIMATE_HEADER, String(estimate.count));
    res.setHeader(CALL_LOG_ROW_ESTIMATE_KIND_HEADER, estimate.exact ? 'exact' : 'estimate');
    res.flushHeaders();

    let rows = 0;
    try {
      if (spec.header) await write(res, spec.header);
      for await (const batch of this.callLogs.pages(scope.tenantId, filter, EXPORT_BATCH_ROWS)) {
        if (gone) break;
        await write(res, batch.map(spec.row).join(''));
        rows += batch.length;
      }
    } catch (err) {
      this.logger.error({ err, rows, requestId: scope.requestId }, 'call-log export failed midway');
      res.destroy(err as Error);
      return;
    }
    if (gone) {
      this.logger.log({ rows, requestId: scope.requestId }, 'call-log export stopped: the client went away');
      return;
    }
    res.end();
  }
}

/** Writes a chunk and waits for the socket to take it (or to close), so a slow client never makes us buffer. */
function write(res: Response, chunk: string): Promise<void> {
  if (res.destroyed || res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
