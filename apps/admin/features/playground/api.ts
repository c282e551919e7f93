// The playground's calls to the admin API: its short-lived key, and the call log a call produced.
import type { ApiKeyWithSecret } from '@toolgate/contracts';
import type { CallLog } from '@/features/call-logs/api';
import { listCallLogs } from '@/features/call-logs/api';
import { apiRequest } from '@/features/http/api-client';

/** How long the playground's key lives: long enough for a session of trying tools, short if it leaks. */
export const PLAYGROUND_KEY_TTL_MS = 60 * 60_000;

export interface PlaygroundKey {
  id: string;
  groupId: string;
  /** The tenant it was made in: its revocation must go there even after a tenant switch. */
  tenantId: string;
  /** The secret: only in this page's memory, never stored or cached. */
  plaintext: string;
  prefix: string;
  last4: string;
  expiresAt: string;
}

export async function createPlaygroundKey(tenantId: string, groupId: string, userEmail: string): Promise<PlaygroundKey> {
  const expiresAt = new Date(Date.now() + PLAYGROUND_KEY_TTL_MS).toISOString();
  const issued = await apiRequest<ApiKeyWithSecret>(`/groups/${groupId}/keys`, {
    method: 'POST',
    body: { name: `Console playground (${userEmail})`, expiresAt },
    tenantScoped: false,
    headers: { 'X-Tenant-Id': tenantId },
  });
  const { key, plaintext } = issued;
  return { id: key.id, groupId: key.groupId, tenantId, plaintext, prefix: key.prefix, last4: key.last4, expiresAt: key.expiresAt ?? expiresAt };
}

/** `keepalive` lets the revocation go out while the tab closes. */
export function revokePlaygroundKey(key: Pick<PlaygroundKey, 'id' | 'tenantId'>, options: { keepalive?: boolean } = {}): Promise<unknown> {
  return apiRequest(`/keys/${key.id}/revoke`, {
    method: 'POST',
    body: {},
    keepalive: options.keepalive,
    tenantScoped: false,
    headers: { 'X-Tenant-Id': key.tenantId },
  });
}

/** The call-log row of one call, found by the request id the playground sent (within its own key). */
export async function findCallLog(
  match: { requestId: string; keyId: string; toolId: string | null },
  signal?: AbortSignal,
): Promise<CallLog | null> {
  const page = await listCallLogs({ requestId: match.requestId, keyId: match.keyId }, { limit: 10 }, signal);
  return page.items.find((item) => item.method === 'tools/call') ?? null;
}
