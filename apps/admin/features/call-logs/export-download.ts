// The export, streamed to a file: the body is read chunk by chunk (never whole), newlines are counted for the
// progress bar, and the bytes go to the file the user picked (File System Access API) or, where that API is
// missing, to a Blob saved through a download link at the end.
import { CALL_LOG_ROW_ESTIMATE_HEADER, CALL_LOG_ROW_ESTIMATE_KIND_HEADER } from '@toolgate/contracts';
import { openCallLogExport, type CallLogExportFormat, type CallLogFilters } from './api';

export interface ExportProgress {
  rows: number;
  bytes: number;
  /** Rows the export will hold, from the response header (or the count endpoint); null when unknown. */
  estimate: number | null;
  exact: boolean;
}

export interface ExportResult {
  rows: number;
  bytes: number;
  fileName: string;
}

/** Where the bytes go. */
export interface ExportSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Everything arrived: make the file. */
  finish(fileName: string): Promise<void>;
  /** Cancelled or failed: leave no partial file behind. */
  abort(): Promise<void>;
  /** The name the user chose in the save dialog, if there was one. */
  chosenName?: string;
}

const MIME: Record<CallLogExportFormat, string> = { csv: 'text/csv', ndjson: 'application/x-ndjson' };
const NEWLINE = 0x0a;

export function suggestedFileName(format: CallLogExportFormat, now = new Date()): string {
  // 20261121T023807Z, as the server names its files.
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `call-logs-${stamp}.${format}`;
}

// The File System Access API is not in TypeScript's DOM types yet.
interface SaveFilePickerOptions {
  suggestedName?: string;
  types?: { description?: string; accept: Record<string, string[]> }[];
}
interface WritableFile {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
interface PickedFile {
  name: string;
  createWritable(): Promise<WritableFile>;
}
type ShowSaveFilePicker = (options?: SaveFilePickerOptions) => Promise<PickedFile>;

function savePicker(): ShowSaveFilePicker | null {
  const picker = (window as unknown as { showSaveFilePicker?: ShowSaveFilePicker }).showSaveFilePicker;
  return typeof picker === 'function' ? picker.bind(window) : null;
}

/**
 * Asks where to save, while the click that started the export still counts as a user gesture. Resolves to null
 * when the user closed the save dialog.
 */
export async function chooseSink(format: CallLogExportFormat, description: string): Promise<ExportSink | null> {
  const picker = savePicker();
  if (!picker) return blobSink(format);
  let file: PickedFile;
  try {
    file = await picker({ suggestedName: suggestedFileName(format), types: [{ description, accept: { [MIME[format]]: [`.${format}`] } }] });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    // Refused (e.g. not allowed in this frame): fall back to a download.
    return blobSink(format);
  }
  const writable = await file.createWritable();
  return {
    chosenName: file.name,
    write: (chunk) => writable.write(chunk),
    finish: () => writable.close(),
    abort: () => writable.abort().catch(() => undefined),
  };
}

/** Keeps the chunks (not one big string) and hands them to the browser's download at the end. */
function blobSink(format: CallLogExportFormat): ExportSink {
  let chunks: Uint8Array[] = [];
  return {
    async write(chunk) {
      chunks.push(chunk);
    },
    async finish(fileName) {
      const blob = new Blob(chunks as BlobPart[], { type: `${MIME[format]};charset=utf-8` });
      chunks = [];
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.style.display = 'none';
      document.body.appendChild(link);
      link.click();
      link.remove();
      // The download has its own reference to the blob once started.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    async abort() {
      chunks = [];
    },
  };
}

function fileNameFrom(disposition: string | null): string | null {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match ? match[1] : null;
}

export async function runExport(options: {
  filters: CallLogFilters;
  format: CallLogExportFormat;
  sink: ExportSink;
  signal: AbortSignal;
  /** The count endpoint's answer, used when the response carries no estimate. */
  fallbackEstimate?: { count: number; exact: boolean } | null;
  onProgress(progress: ExportProgress): void;
}): Promise<ExportResult> {
  const { filters, format, sink, signal, onProgress } = options;
  let rows = 0;
  let bytes = 0;
  try {
    const response = await openCallLogExport(filters, format, signal);
    const header = response.headers.get(CALL_LOG_ROW_ESTIMATE_HEADER);
    const estimate = header !== null && /^\d+$/.test(header) ? Number(header) : (options.fallbackEstimate?.count ?? null);
    const exact =
      header !== null ? response.headers.get(CALL_LOG_ROW_ESTIMATE_KIND_HEADER) === 'exact' : (options.fallbackEstimate?.exact ?? false);
    const fileName = sink.chosenName ?? fileNameFrom(response.headers.get('content-disposition')) ?? suggestedFileName(format);
    // CSV: the first line is the header row, not a call.
    const headerLines = format === 'csv' ? 1 : 0;
    let lines = 0;
    onProgress({ rows, bytes, estimate, exact });

    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let i = 0; i < value.length; i++) if (value[i] === NEWLINE) lines++;
      bytes += value.length;
      rows = Math.max(0, lines - headerLines);
      await sink.write(value);
      onProgress({ rows, bytes, estimate, exact });
    }
    await sink.finish(fileName);
    return { rows, bytes, fileName };
  } catch (error) {
    await sink.abort();
    throw error;
  }
}
