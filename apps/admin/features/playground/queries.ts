import { queryOptions, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Tool } from '@/features/tools/api';
import { toolListQueryOptions } from '@/features/tools/queries';
import { groupToolsQueryOptions } from '@/features/tool-groups/queries';
import { findCallLog } from './api';

export const playgroundKeys = {
  all: ['playground'] as const,
  callLog: (requestId: string) => [...playgroundKeys.all, 'call-log', requestId] as const,
};

class NotLoggedYet extends Error {}

/**
 * The log row of a call, by its request id. The gateway commits the row before it answers, so the first look
 * normally finds it; a few retries cover a row spooled while the database was briefly away.
 */
export function callLogLookupQueryOptions(match: { requestId: string; keyId: string; toolId: string | null }) {
  return queryOptions({
    queryKey: playgroundKeys.callLog(match.requestId),
    queryFn: async ({ signal }) => {
      const row = await findCallLog(match, signal);
      if (!row) throw new NotLoggedYet();
      return row;
    },
    retry: (failures, error) => error instanceof NotLoggedYet && failures < 6,
    retryDelay: 700,
    staleTime: Infinity,
  });
}

export interface CallableTool {
  toolId: string;
  /** The name agents call it by in this group (its alias when it has one). */
  name: string;
  description: string;
  tool: Tool;
}

/** The tools an agent of the group can call: enabled in the group and in the catalog, not removed. */
export function useCallableTools(groupId: string | null) {
  const assignments = useQuery({ ...groupToolsQueryOptions(groupId ?? ''), enabled: groupId !== null });
  const tools = useQuery({ ...toolListQueryOptions({ groupId: groupId ?? undefined }), enabled: groupId !== null });
  const callable = useMemo<CallableTool[]>(() => {
    if (!assignments.data || !tools.data) return [];
    const byId = new Map(tools.data.items.map((tool) => [tool.id, tool]));
    return assignments.data.items.flatMap((assignment) => {
      const tool = byId.get(assignment.toolId);
      if (!tool || !assignment.enabled || !tool.enabled || tool.status !== 'active') return [];
      return [{ toolId: tool.id, name: assignment.exposedName, description: assignment.description ?? tool.description, tool }];
    });
  }, [assignments.data, tools.data]);
  return {
    callable,
    /** Assigned but not callable now (disabled here or in the catalog). */
    hidden: (assignments.data?.items.length ?? 0) - callable.length,
    isPending: groupId !== null && (assignments.isPending || tools.isPending),
    error: assignments.error ?? tools.error,
    refetch: () => Promise.all([assignments.refetch(), tools.refetch()]),
  };
}
