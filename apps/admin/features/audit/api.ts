// Audit events: every admin change, newest first, a page at a time by cursor (never by offset).
import type { AuditEventDto } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type AuditEvent = AuditEventDto;

/** The filters GET /audit-events supports; empty ones are left out. */
export interface AuditFilters {
  action?: string;
  entityType?: string;
  entityId?: string;
  actorUserId?: string;
  /** ISO instants: from inclusive, to exclusive. */
  from?: string;
  to?: string;
}

export const AUDIT_PAGE_SIZE = 50;

export function listAuditEvents(filters: AuditFilters, cursor: string | undefined, signal?: AbortSignal): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (cursor) params.set('cursor', cursor);
  return apiRequest(`/audit-events?${params}`, { signal });
}
