'use client';

// Export of the filtered calls as CSV or NDJSON: streamed to a file with a progress bar (rows received against
// the server's estimate) and a Cancel button.
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { CallLogCountDto, CallLogExportFormat, CallLogFilters } from '../api';
import { chooseSink, runExport, type ExportProgress } from '../export-download';

interface RunningExport {
  format: CallLogExportFormat;
  progress: ExportProgress;
}

export function useCallLogExport(filters: CallLogFilters, count: CallLogCountDto | undefined) {
  const t = useT();
  const format = useFormat();
  const [running, setRunning] = useState<RunningExport | null>(null);
  const controller = useRef<AbortController | null>(null);

  // Leaving the page stops the download.
  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(
    async (exportFormat: CallLogExportFormat) => {
      if (controller.current) return;
      const sink = await chooseSink(exportFormat, t(exportFormat === 'csv' ? 'logs.csvFiles' : 'logs.ndjsonFiles'));
      if (!sink) return;
      const abort = new AbortController();
      controller.current = abort;
      setRunning({ format: exportFormat, progress: { rows: 0, bytes: 0, estimate: count?.count ?? null, exact: count?.exact ?? false } });
      try {
        const result = await runExport({
          filters,
          format: exportFormat,
          sink,
          signal: abort.signal,
          fallbackEstimate: count ?? null,
          onProgress: (progress) => setRunning({ format: exportFormat, progress }),
        });
        toast.success(
          result.rows === 1
            ? t('logs.exportDoneOne', { file: result.fileName })
            : t('logs.exportDone', { rows: format.number(result.rows), file: result.fileName }),
        );
      } catch (error) {
        if (abort.signal.aborted) toast.info(t('logs.exportCancelled'));
        else toast.error(error, { titleKey: 'logs.exportFailed' });
      } finally {
        controller.current = null;
        setRunning(null);
      }
    },
    [filters, count, t, format],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);

  return { running, start, cancel };
}

export function ExportButtons({ disabled, onExport }: { disabled: boolean; onExport(format: CallLogExportFormat): void }) {
  const t = useT();
  return (
    <>
      <button type="button" className="button button-secondary" disabled={disabled} onClick={() => onExport('csv')}>
        {t('logs.exportCsv')}
      </button>
      <button type="button" className="button button-secondary" disabled={disabled} onClick={() => onExport('ndjson')}>
        {t('logs.exportNdjson')}
      </button>
    </>
  );
}

export function ExportProgressPanel({ running, onCancel }: { running: RunningExport; onCancel(): void }) {
  const t = useT();
  const format = useFormat();
  const { rows, bytes, estimate, exact } = running.progress;
  const ratio = estimate ? Math.min(1, rows / estimate) : null;
  const size = formatBytes(bytes, format.number);
  const label = t(running.format === 'csv' ? 'logs.exportingCsv' : 'logs.exportingNdjson');
  const detail =
    estimate !== null
      ? t(exact ? 'logs.exportProgress' : 'logs.exportProgressEstimate', { rows: format.number(rows), total: format.number(estimate), size })
      : t('logs.exportProgressUnknown', { rows: format.number(rows), size });
  return (
    <div className="export-panel" role="status">
      <div className="export-panel-text">
        <p className="export-panel-title">{label}</p>
        <p className="muted">{detail}</p>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={ratio === null ? undefined : Math.round(ratio * 100)}
      >
        <div className={ratio === null ? 'progress-bar progress-indeterminate' : 'progress-bar'} style={{ width: `${(ratio ?? 0.3) * 100}%` }} />
      </div>
      <button type="button" className="button button-secondary button-small" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

function formatBytes(bytes: number, number: (value: number) => string): string {
  if (bytes < 1024) return `${number(bytes)} B`;
  if (bytes < 1024 * 1024) return `${number(Math.round(bytes / 102.4) / 10)} KB`;
  return `${number(Math.round(bytes / (1024 * 102.4)) / 10)} MB`;
}
