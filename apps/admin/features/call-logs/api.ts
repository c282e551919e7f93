// Call-log endpoints (docs/api-console.md): keyset pages, one row, the count, and the streamed export.
import type { CallLogCountDto, CallLogDto, CallLogExportFormat, CallLogFacets, CallLogFilter, CallLogPage } from '@toolgate/contracts';
import { apiFetch, apiRequest } from '@/features/http/api-client';

export type CallLog = CallLogDto;
export type CallLogFilters = CallLogFilter;
export type { CallLogCountDto, CallLogExportFormat, CallLogFacets, CallLogPage };

/** Rows per page: a few screens of the virtualized table. */
export const CALL_LOG_PAGE_SIZE = 100;

function filterParams(filters: CallLogFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  return params;
}

function withQuery(path: string, params: URLSearchParams): string {
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function listCallLogs(
  filters: CallLogFilters,
  page: { cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<CallLogPage> {
  const params = filterParams(filters);
  if (page.cursor) params.set('cursor', page.cursor);
  params.set('limit', String(page.limit ?? CALL_LOG_PAGE_SIZE));
  return apiRequest(withQuery('/call-logs', params), { signal });
}

export function getCallLog(id: string, signal?: AbortSignal): Promise<CallLog> {
  return apiRequest(`/call-logs/${encodeURIComponent(id)}`, { signal });
}

/** The names behind the ids logs carry (groups, keys, tools): readable by everyone who may read logs. */
export function getCallLogFacets(signal?: AbortSignal): Promise<CallLogFacets> {
  return apiRequest('/call-logs/facets', { signal });
}

export function countCallLogs(filters: CallLogFilters, signal?: AbortSignal): Promise<CallLogCountDto> {
  return apiRequest(withQuery('/call-logs/count', filterParams(filters)), { signal });
}

/** Starts the export; the caller reads the body as it streams (see export-download.ts). */
export function openCallLogExport(filters: CallLogFilters, format: CallLogExportFormat, signal: AbortSignal): Promise<Response> {
  const params = filterParams(filters);
  params.set('format', format);
  const accept = format === 'csv' ? 'text/csv' : 'application/x-ndjson';
  return apiFetch(withQuery('/call-logs/export', params), { signal, headers: { Accept: `${accept}, application/json` } });
}
