// Tenant endpoints: the selected tenant's settings (owners), and creating tenants and setting their platform quota (platform admins).
import type { TenantDto, TenantRateLimit } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type Tenant = TenantDto;

export interface TenantChanges {
  name?: string;
  /** Hosts, *.wildcards, IP addresses and CIDR ranges upstreams may reach although they are private. */
  networkAllowlist?: string[];
  /** Replaces the whole quota; a null or absent limit is no limit. */
  rateLimit?: TenantRateLimit;
}

/** The tenant named by the X-Tenant-Id header. */
export function getCurrentTenant(signal?: AbortSignal): Promise<Tenant> {
  return apiRequest('/tenant', { signal });
}

export function updateCurrentTenant(changes: TenantChanges): Promise<Tenant> {
  return apiRequest('/tenant', { method: 'PATCH', body: changes });
}

/** Platform admins: the ceiling the tenant's owners cannot raise; replaces the whole quota ({} lifts it). */
export function updatePlatformQuota(tenantId: string, platformRateLimit: TenantRateLimit): Promise<Tenant> {
  return apiRequest(`/platform/tenants/${encodeURIComponent(tenantId)}`, { method: 'PATCH', body: { platformRateLimit }, tenantScoped: false });
}

export function createTenant(body: { slug: string; name: string }): Promise<Tenant> {
  return apiRequest('/tenants', { method: 'POST', body, tenantScoped: false });
}
