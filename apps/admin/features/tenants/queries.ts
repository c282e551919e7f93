import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { authKeys } from '@/features/auth/queries';
import { createTenant, getCurrentTenant, updateCurrentTenant, type TenantChanges } from './api';

// The list of every tenant lives under the session's key (authKeys.platformTenants, see
// features/shell/tenant-access.ts): it is the user's, and survives a tenant switch.
export const tenantKeys = {
  all: ['tenant'] as const,
  /** The selected tenant; switching tenants resets it with everything else. */
  current: () => [...tenantKeys.all, 'current'] as const,
};

export function currentTenantQueryOptions() {
  return queryOptions({ queryKey: tenantKeys.current(), queryFn: ({ signal }) => getCurrentTenant(signal) });
}

export function useUpdateCurrentTenant() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: TenantChanges) => updateCurrentTenant(changes),
    meta: { errorToast: false },
    onSuccess: (tenant) => {
      queryClient.setQueryData(tenantKeys.current(), tenant);
      // The tenant switcher shows the name from the session (and, for platform admins, the tenant list).
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: authKeys.session() }),
        queryClient.invalidateQueries({ queryKey: authKeys.platformTenants() }),
      ]);
    },
  });
}

export function useCreateTenant() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTenant,
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.platformTenants() }),
  });
}
