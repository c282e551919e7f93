import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { authKeys } from '@/features/auth/queries';
import type { TenantRateLimit } from '@toolgate/contracts';
import { createTenant, getCurrentTenant, updateCurrentTenant, updatePlatformQuota, type TenantChanges } from './api';

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

export function useUpdatePlatformQuota() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ tenantId, platformRateLimit }: { tenantId: string; platformRateLimit: TenantRateLimit }) => updatePlatformQuota(tenantId, platformRateLimit),
    meta: { errorToast: false },
    // The list shows it, and the selected tenant's settings card does when it is the one changed.
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: authKeys.platformTenants() }), queryClient.invalidateQueries({ queryKey: tenantKeys.current() })]),
  });
}
