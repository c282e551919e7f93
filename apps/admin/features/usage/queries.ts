import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { getUsage, type UsageBy } from './api';

export const usageKeys = {
  all: ['usage'] as const,
  detail: (month: string, by: UsageBy) => [...usageKeys.all, { month, by }] as const,
};

/** The previous month's or dimension's table stays on screen while the next one loads. */
export function usageQueryOptions(month: string, by: UsageBy) {
  return queryOptions({
    queryKey: usageKeys.detail(month, by),
    queryFn: ({ signal }) => getUsage(month, by, signal),
    placeholderData: keepPreviousData,
    staleTime: 15_000,
  });
}
