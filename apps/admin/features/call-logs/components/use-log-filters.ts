// The explorer's filters live in the URL (`/logs?q=refund&outcome=tool_error&range=24h&log=<id>`), so a view
// can be bookmarked, shared, or linked to from the playground.
import { CALL_OUTCOMES, type CallOutcome } from '@toolgate/contracts';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import { rangeFromParams, resolveRange, writeRangeParams, type TimeRange } from '@/features/dashboards/time-range';
import type { CallLogFilters } from '../api';

export interface LogFilterValues {
  groupId?: string;
  keyId?: string;
  toolId?: string;
  outcome?: CallOutcome;
  q?: string;
  range: TimeRange;
}

export const DEFAULT_LOG_RANGE: TimeRange = { kind: 'preset', preset: '24h' };

const PARAMS = { groupId: 'group', keyId: 'key', toolId: 'tool', outcome: 'outcome', q: 'q' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readValues(params: URLSearchParams): LogFilterValues {
  const id = (name: string) => {
    const value = params.get(name);
    return value && UUID.test(value) ? value : undefined;
  };
  const outcome = params.get(PARAMS.outcome);
  const q = params.get(PARAMS.q)?.slice(0, 200);
  return {
    groupId: id(PARAMS.groupId),
    keyId: id(PARAMS.keyId),
    toolId: id(PARAMS.toolId),
    outcome: outcome && (CALL_OUTCOMES as readonly string[]).includes(outcome) ? (outcome as CallOutcome) : undefined,
    q: q || undefined,
    range: rangeFromParams(params, DEFAULT_LOG_RANGE),
  };
}

export function useLogFilters() {
  const searchParams = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const values = useMemo(() => readValues(new URLSearchParams(searchParams.toString())), [searchParams]);
  const openLogId = useMemo(() => {
    const id = searchParams.get('log');
    return id && UUID.test(id) ? id : null;
  }, [searchParams]);
  // "Last hour" becomes instants once, when chosen or refreshed, so every page of one listing asks the same.
  const [anchor, setAnchor] = useState(() => Date.now());

  const navigate = useCallback(
    (change: (params: URLSearchParams) => void) => {
      const params = new URLSearchParams(searchParams.toString());
      change(params);
      const text = params.toString();
      router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
    },
    [searchParams, router, pathname],
  );

  const update = useCallback(
    (next: Partial<LogFilterValues>) => {
      navigate((params) => {
        for (const [field, param] of Object.entries(PARAMS) as [keyof typeof PARAMS, string][]) {
          if (!(field in next)) continue;
          const value = next[field];
          if (value) params.set(param, value);
          else params.delete(param);
        }
        if (next.range) writeRangeParams(params, next.range);
        // The open row may not match the new filters.
        params.delete('log');
      });
      if (next.range) setAnchor(Date.now());
    },
    [navigate],
  );

  const setOpenLogId = useCallback(
    (id: string | null) =>
      navigate((params) => {
        if (id) params.set('log', id);
        else params.delete('log');
      }),
    [navigate],
  );

  const apiFilters = useMemo<CallLogFilters>(() => {
    const { range, ...rest } = values;
    const { from, to } = resolveRange(range, Math.floor(anchor / 1000) * 1000);
    const filters: CallLogFilters = { ...rest, from, to };
    for (const name of Object.keys(filters) as (keyof CallLogFilters)[]) if (filters[name] === undefined) delete filters[name];
    return filters;
  }, [values, anchor]);

  const active = Boolean(values.groupId || values.keyId || values.toolId || values.outcome || values.q);

  return {
    values,
    apiFilters,
    /** Any filter besides the time range. */
    active,
    update,
    clear: () => update({ groupId: undefined, keyId: undefined, toolId: undefined, outcome: undefined, q: undefined }),
    /** Re-reads a relative range against the clock: newer rows appear. */
    refresh: () => setAnchor(Date.now()),
    openLogId,
    setOpenLogId,
  };
}
