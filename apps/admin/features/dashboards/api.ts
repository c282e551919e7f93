// The dashboards' one endpoint: aggregate call statistics for the tenant or one group (docs/api-console.md).
import type { StatsDto, StatsQuery } from '@toolgate/contracts';
import { apiRequest } from '@/features/http/api-client';

export type Stats = StatsDto;
export type StatsParams = Partial<Pick<StatsQuery, 'from' | 'to' | 'groupId' | 'bucket' | 'top'>>;

export function getStats(params: StatsParams, signal?: AbortSignal): Promise<Stats> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return apiRequest(`/stats${text ? `?${text}` : ''}`, { signal });
}
