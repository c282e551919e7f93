import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { UpdateGroup } from '@toolgate/contracts';
import { apiKeyKeys } from '@/features/api-keys/queries';
import { toolKeys } from '@/features/tools/queries';
import {
  assignGroupTool,
  createToolGroup,
  deleteToolGroup,
  getToolGroup,
  listGroupTools,
  listToolGroups,
  unassignGroupTool,
  updateToolGroup,
  type GroupToolAssignment,
  type NewToolGroup,
} from './api';

// Keys carry no tenant id: the tenant travels in the X-Tenant-Id header, and
// switching tenants resets the cache (see TenantSwitcher).
export const toolGroupKeys = {
  all: ['tool-groups'] as const,
  lists: () => [...toolGroupKeys.all, 'list'] as const,
  detail: (id: string) => [...toolGroupKeys.all, 'detail', id] as const,
  /** The tools a group serves, with their overrides. */
  tools: (id: string) => [...toolGroupKeys.all, 'tools', id] as const,
};

export function toolGroupListQueryOptions() {
  return queryOptions({
    queryKey: toolGroupKeys.lists(),
    queryFn: ({ signal }) => listToolGroups(signal),
  });
}

export function toolGroupQueryOptions(id: string) {
  return queryOptions({
    queryKey: toolGroupKeys.detail(id),
    queryFn: ({ signal }) => getToolGroup(id, signal),
  });
}

export function groupToolsQueryOptions(groupId: string) {
  return queryOptions({
    queryKey: toolGroupKeys.tools(groupId),
    queryFn: ({ signal }) => listGroupTools(groupId, signal),
  });
}

export function useCreateToolGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewToolGroup) => createToolGroup(body),
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: toolGroupKeys.all }),
  });
}

export function useUpdateToolGroup(options: { errorToast?: boolean } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: UpdateGroup }) => updateToolGroup(id, changes),
    meta: { errorToast: options.errorToast ?? true, errorTitle: 'groups.saveError' },
    onSuccess: (group) => {
      queryClient.setQueryData(toolGroupKeys.detail(group.id), group);
      return queryClient.invalidateQueries({ queryKey: toolGroupKeys.all });
    },
  });
}

export function useDeleteToolGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteToolGroup(id),
    meta: { errorToast: false },
    onSuccess: (_result, id) => {
      queryClient.removeQueries({ queryKey: toolGroupKeys.detail(id) });
      // Its keys and tool assignments went with it.
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: toolGroupKeys.all }),
        queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
        queryClient.invalidateQueries({ queryKey: toolKeys.all }),
      ]);
    },
  });
}

export function useAssignGroupTool(options: { errorToast?: boolean } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ groupId, toolId, assignment }: { groupId: string; toolId: string; assignment: GroupToolAssignment }) =>
      assignGroupTool(groupId, toolId, assignment),
    meta: { errorToast: options.errorToast ?? true, errorTitle: 'groups.toolSaveError' },
    onSuccess: (_result, { groupId }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: toolGroupKeys.tools(groupId) }),
        // The catalog's "in group" filter.
        queryClient.invalidateQueries({ queryKey: toolKeys.lists() }),
      ]),
  });
}

export function useUnassignGroupTool() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ groupId, toolId }: { groupId: string; toolId: string }) => unassignGroupTool(groupId, toolId),
    meta: { errorToast: false },
    onSuccess: (_result, { groupId }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: toolGroupKeys.tools(groupId) }),
        queryClient.invalidateQueries({ queryKey: toolKeys.lists() }),
      ]),
  });
}
