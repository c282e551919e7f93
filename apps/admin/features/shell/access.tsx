'use client';

// What the signed-in user may do in the selected tenant, for pages inside the
// console frame: `const { can } = useAccess(); can('writeConfig')` hides buttons
// a viewer would only see refused. The API enforces the same rules.
import { PERMISSIONS, type Permission, type Role } from '@toolgate/contracts';
import { createContext, useContext, useMemo, type ReactNode } from 'react';

export interface Access {
  tenantId: string;
  role: Role;
  isPlatformAdmin: boolean;
  can(permission: Permission): boolean;
}

const AccessContext = createContext<Access | null>(null);

export function AccessProvider({
  tenantId,
  role,
  isPlatformAdmin,
  children,
}: {
  tenantId: string;
  role: Role;
  isPlatformAdmin: boolean;
  children: ReactNode;
}) {
  const value = useMemo<Access>(
    () => ({
      tenantId,
      role,
      isPlatformAdmin,
      can: (permission) => isPlatformAdmin || (PERMISSIONS[permission] as readonly Role[]).includes(role),
    }),
    [tenantId, role, isPlatformAdmin],
  );
  return <AccessContext.Provider value={value}>{children}</AccessContext.Provider>;
}

export function useAccess(): Access {
  const value = useContext(AccessContext);
  if (!value) throw new Error('useAccess must be used inside the console frame');
  return value;
}
