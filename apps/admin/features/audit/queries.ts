import { infiniteQueryOptions, keepPreviousData } from '@tanstack/react-query';
import { listAuditEvents, type AuditFilters } from './api';

// Keys carry no tenant id: switching tenants resets the cache (see TenantSwitcher).
export const auditKeys = {
  all: ['audit'] as const,
  lists: () => [...auditKeys.all, 'list'] as const,
  list: (filters: AuditFilters) => [...auditKeys.lists(), filters] as const,
};

/** Pages follow `nextCursor`; "Load more" asks for the next one. */
export function auditEventsQueryOptions(filters: AuditFilters) {
  return infiniteQueryOptions({
    queryKey: auditKeys.list(filters),
    queryFn: ({ signal, pageParam }) => listAuditEvents(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // A log: opening the page should show what just happened.
    staleTime: 0,
    // New filters keep the rows shown until their own answer arrives, instead of flashing a skeleton.
    placeholderData: keepPreviousData,
  });
}
