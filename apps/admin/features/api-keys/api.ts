// API key endpoints. A key's secret exists in a response only on create and
// rotate (`plaintext`); the console shows it once and never caches it.
import type { ApiKeyDto, ApiKeyWithSecret, CreateApiKey, KeyRateLimit } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type ApiKey = ApiKeyDto;
export type IssuedApiKey = ApiKeyWithSecret;
export type NewApiKey = CreateApiKey;

export interface ApiKeyChanges {
  name?: string;
  /** null: every tool of the group. */
  toolAllowlist?: string[] | null;
  expiresAt?: string | null;
  /** Replaces the key's own limits as a whole; a null or absent limit falls back to the group's. */
  rateLimit?: KeyRateLimit;
}

export function listApiKeys(groupId: string | undefined, signal?: AbortSignal): Promise<{ items: ApiKey[] }> {
  const query = groupId ? `?groupId=${encodeURIComponent(groupId)}` : '';
  return apiRequest(`/keys${query}`, { signal });
}

export function createApiKey(groupId: string, body: NewApiKey): Promise<IssuedApiKey> {
  return apiRequest(`/groups/${groupId}/keys`, { method: 'POST', body });
}

export function updateApiKey(id: string, body: ApiKeyChanges): Promise<ApiKey> {
  return apiRequest(`/keys/${id}`, { method: 'PATCH', body });
}

export function revokeApiKey(id: string): Promise<ApiKey> {
  return apiRequest(`/keys/${id}/revoke`, { method: 'POST', body: {} });
}

/** A new key with the same settings; the old one keeps working for `overlapSeconds`. */
export function rotateApiKey(id: string, overlapSeconds: number): Promise<IssuedApiKey> {
  return apiRequest(`/keys/${id}/rotate`, { method: 'POST', body: { overlapSeconds } });
}

/** How a key is shown everywhere: its public prefix and the last four characters of its secret. */
export function maskedKey(key: Pick<ApiKey, 'prefix' | 'last4'>): string {
  return `${key.prefix}_…${key.last4}`;
}
