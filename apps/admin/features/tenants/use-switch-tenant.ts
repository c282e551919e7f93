'use client';

// Makes another tenant the selected one: the header's switcher, and the tenants page's "Open".
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { authKeys } from '@/features/auth/queries';
import { selectedTenant } from './selected-tenant';

export function useSwitchTenant(): (tenantId: string) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (tenantId: string) => {
      selectedTenant.set(tenantId);
      // Every cached query was answered for the previous tenant. Resetting (not
      // just invalidating) drops that data so the new tenant's name is never shown
      // above the old tenant's rows while the refetch runs. The session is the
      // same for all tenants, so it stays.
      void queryClient.resetQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
    },
    [queryClient],
  );
}
