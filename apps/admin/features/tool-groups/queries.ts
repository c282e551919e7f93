import { queryOptions } from '@tanstack/react-query';
import { listToolGroups } from './api';

// Keys carry no tenant id: the tenant travels in the X-Tenant-Id header, and
// switching tenants resets the cache (see TenantSwitcher).
export const toolGroupKeys = {
  all: ['tool-groups'] as const,
  lists: () => [...toolGroupKeys.all, 'list'] as const,
};

export function toolGroupListQueryOptions() {
  return queryOptions({
    queryKey: toolGroupKeys.lists(),
    queryFn: ({ signal }) => listToolGroups(signal),
  });
}
