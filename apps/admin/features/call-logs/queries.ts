import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import { CALL_LOG_PAGE_SIZE, countCallLogs, getCallLog, getCallLogFacets, listCallLogs, type CallLogFilters } from './api';

export const callLogKeys = {
  all: ['call-logs'] as const,
  lists: () => [...callLogKeys.all, 'list'] as const,
  list: (filters: CallLogFilters) => [...callLogKeys.lists(), filters] as const,
  counts: () => [...callLogKeys.all, 'count'] as const,
  count: (filters: CallLogFilters) => [...callLogKeys.counts(), filters] as const,
  detail: (id: string) => [...callLogKeys.all, 'detail', id] as const,
  /** Names of the tenant's groups, keys and tools, for everyone who reads logs (auditors included). */
  facets: () => [...callLogKeys.all, 'facets'] as const,
};

/**
 * Keyset pages, newest first: each page asks for the rows after the previous page's cursor, never an offset, so
 * the cost of a page does not grow with how far the user has scrolled. With `q`, a page may be short or empty
 * while more follow; the table keeps asking while the end of what it has is in view.
 */
export function callLogListQueryOptions(filters: CallLogFilters) {
  return infiniteQueryOptions({
    queryKey: callLogKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listCallLogs(filters, { cursor: pageParam, limit: CALL_LOG_PAGE_SIZE }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    // A log does not change once written; new rows show up on refresh.
    staleTime: 5 * 60_000,
  });
}

export function callLogCountQueryOptions(filters: CallLogFilters) {
  return queryOptions({
    queryKey: callLogKeys.count(filters),
    queryFn: ({ signal }) => countCallLogs(filters, signal),
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
}

export function callLogQueryOptions(id: string) {
  return queryOptions({
    queryKey: callLogKeys.detail(id),
    queryFn: ({ signal }) => getCallLog(id, signal),
    staleTime: Infinity,
  });
}

export function callLogFacetsQueryOptions() {
  return queryOptions({
    queryKey: callLogKeys.facets(),
    queryFn: ({ signal }) => getCallLogFacets(signal),
    staleTime: 60_000,
  });
}
