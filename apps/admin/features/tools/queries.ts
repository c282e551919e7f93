import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { UpdateTool } from '@toolgate/contracts';
import { getTool, listTools, updateTool, type ToolFilters } from './api';

export const toolKeys = {
  all: ['tools'] as const,
  lists: () => [...toolKeys.all, 'list'] as const,
  list: (filters: ToolFilters) => [...toolKeys.lists(), filters] as const,
  detail: (id: string) => [...toolKeys.all, 'detail', id] as const,
};

export function toolListQueryOptions(filters: ToolFilters) {
  return queryOptions({
    queryKey: toolKeys.list(filters),
    queryFn: ({ signal }) => listTools(filters, signal),
  });
}

export function toolQueryOptions(id: string) {
  return queryOptions({
    queryKey: toolKeys.detail(id),
    queryFn: ({ signal }) => getTool(id, signal),
  });
}

export function useUpdateTool(options: { errorToast?: boolean } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: UpdateTool }) => updateTool(id, changes),
    meta: { errorToast: options.errorToast ?? true, errorTitle: 'tools.saveError' },
    onSuccess: (tool) => {
      queryClient.setQueryData(toolKeys.detail(tool.id), tool);
      return queryClient.invalidateQueries({ queryKey: toolKeys.lists() });
    },
  });
}
