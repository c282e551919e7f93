'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { authKeys } from '@/features/auth/queries';
import type { Membership } from '@/features/auth/api';
import { useT } from '@/i18n/locale-provider';
import { selectedTenant } from '../selected-tenant';

interface TenantSwitcherProps {
  memberships: Membership[];
  currentTenantId: string;
}

export function TenantSwitcher({ memberships, currentTenantId }: TenantSwitcherProps) {
  const t = useT();
  const queryClient = useQueryClient();
  const id = useId();

  function switchTo(tenantId: string) {
    selectedTenant.set(tenantId);
    // Every cached query was answered for the previous tenant. Resetting (not
    // just invalidating) drops that data so the new tenant's name is never shown
    // above the old tenant's rows while the refetch runs. The session is the
    // same for all tenants, so it stays.
    void queryClient.resetQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
  }

  return (
    <div className="inline-field">
      <label htmlFor={id} className="inline-field-label">
        {t('shell.tenant')}
      </label>
      <select
        id={id}
        className="select"
        value={currentTenantId}
        onChange={(event) => switchTo(event.target.value)}
        disabled={memberships.length < 2}
      >
        {memberships.map((membership) => (
          <option key={membership.tenantId} value={membership.tenantId}>
            {membership.tenantName}
          </option>
        ))}
      </select>
    </div>
  );
}
