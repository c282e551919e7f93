import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { resolveRange, type TimeRange } from './time-range';
import { getStats } from './api';

export interface StatsSelection {
  range: TimeRange;
  /** One group, or the whole tenant when absent. */
  groupId?: string;
  top?: number;
}

export const statsKeys = {
  all: ['stats'] as const,
  detail: (selection: StatsSelection) => [...statsKeys.all, selection] as const,
};

/**
 * The key holds the range as chosen ("last hour"), not as instants: each fetch resolves it against the clock,
 * so the minute refresh of a preset slides the window. The previous answer stays on screen while the next loads.
 */
export function statsQueryOptions(selection: StatsSelection) {
  const live = selection.range.kind !== 'custom';
  return queryOptions({
    queryKey: statsKeys.detail(selection),
    queryFn: ({ signal }) => {
      const { from, to } = resolveRange(selection.range, Date.now());
      return getStats({ from, to, groupId: selection.groupId, top: selection.top }, signal);
    },
    placeholderData: keepPreviousData,
    staleTime: 15_000,
    refetchInterval: live ? 60_000 : false,
  });
}
