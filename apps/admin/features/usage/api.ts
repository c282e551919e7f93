// Monthly usage of the selected tenant: calls and errors per group, key or tool (GET /api/v1/usage).
import type { UsageDimension, UsageDto, UsageItem } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type Usage = UsageDto;
export type UsageRow = UsageItem;
export type UsageBy = Exclude<UsageDimension, 'tenant'>;

export function getUsage(month: string, by: UsageBy, signal?: AbortSignal): Promise<Usage> {
  const query = new URLSearchParams({ month, by });
  return apiRequest(`/usage?${query.toString()}`, { signal });
}
