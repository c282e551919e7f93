// Which tenants the signed-in user can act in: their memberships, and for a
// platform admin every tenant (the API treats them as an owner in any tenant).
import { queryOptions } from '@tanstack/react-query';
import type { TenantDto } from '@toolgate/contracts';
import type { Membership, Session } from '@/features/auth/api';
import { authKeys } from '@/features/auth/queries';
import { apiRequest } from '@/features/http/api-client';

function listVisibleTenants(signal?: AbortSignal): Promise<{ items: TenantDto[] }> {
  return apiRequest<{ items: TenantDto[] }>('/tenants', { signal, tenantScoped: false });
}

/**
 * Under the session's key: it belongs to the user, not to a tenant, so a tenant
 * switch (which resets tenant data) keeps it. Invalidate it after creating a tenant.
 */
export function platformTenantsQueryOptions() {
  return queryOptions({
    queryKey: authKeys.platformTenants(),
    queryFn: ({ signal }) => listVisibleTenants(signal),
  });
}

/** The memberships, then every other tenant as an owner (for platform admins). */
export function tenantChoices(session: Session, platformTenants: readonly TenantDto[] | undefined): Membership[] {
  if (!session.user.isPlatformAdmin || !platformTenants) return session.memberships;
  const member = new Set(session.memberships.map((m) => m.tenantId));
  const others = platformTenants
    .filter((tenant) => !member.has(tenant.id))
    .map((tenant): Membership => ({ tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, role: 'owner' }));
  return [...session.memberships, ...others];
}
