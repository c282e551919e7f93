'use client';

import { useId } from 'react';
import type { Membership } from '@/features/auth/api';
import { useT } from '@/i18n/locale-provider';
import { useSwitchTenant } from '../use-switch-tenant';

interface TenantSwitcherProps {
  memberships: Membership[];
  currentTenantId: string;
}

export function TenantSwitcher({ memberships, currentTenantId }: TenantSwitcherProps) {
  const t = useT();
  const switchTo = useSwitchTenant();
  const id = useId();

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
