import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { toolKeys } from '@/features/tools/queries';
import {
  addStdioCommand,
  approveToolReview,
  createSource,
  deleteSource,
  getSource,
  getSourceStatus,
  listSources,
  listStdioCommands,
  listToolReviews,
  previewOpenApi,
  refreshSource,
  rejectToolReview,
  removeStdioCommand,
  updateSource,
  type NewSource,
  type SourceChanges,
} from './api';

/** How often an open source page asks for its health. */
export const STATUS_POLL_MS = 4_000;

// Keys carry no tenant id: switching tenants resets the cache (see TenantSwitcher).
export const sourceKeys = {
  all: ['sources'] as const,
  lists: () => [...sourceKeys.all, 'list'] as const,
  detail: (id: string) => [...sourceKeys.all, 'detail', id] as const,
  status: (id: string) => [...sourceKeys.all, 'status', id] as const,
  reviews: (sourceId: string) => [...sourceKeys.all, 'reviews', sourceId] as const,
  /** The platform's allowlist; not per tenant, but harmless to refetch after a switch. */
  stdioCommands: () => [...sourceKeys.all, 'stdio-commands'] as const,
};

export function sourceListQueryOptions() {
  return queryOptions({ queryKey: sourceKeys.lists(), queryFn: ({ signal }) => listSources(signal) });
}

export function sourceQueryOptions(id: string) {
  return queryOptions({ queryKey: sourceKeys.detail(id), queryFn: ({ signal }) => getSource(id, signal) });
}

/** Health as this API replica sees it; `poll` keeps it fresh while a page shows it. */
export function sourceStatusQueryOptions(id: string, poll = false) {
  return queryOptions({
    queryKey: sourceKeys.status(id),
    queryFn: ({ signal }) => getSourceStatus(id, signal),
    refetchInterval: poll ? STATUS_POLL_MS : false,
    staleTime: poll ? 0 : 15_000,
  });
}

export function pendingReviewsQueryOptions(sourceId: string) {
  return queryOptions({ queryKey: sourceKeys.reviews(sourceId), queryFn: ({ signal }) => listToolReviews(sourceId, signal) });
}

export function stdioCommandsQueryOptions() {
  return queryOptions({ queryKey: sourceKeys.stdioCommands(), queryFn: ({ signal }) => listStdioCommands(signal) });
}

/** A source's tools, its reviews and its health change together; the catalog (tools) with them. */
function invalidateSource(queryClient: ReturnType<typeof useQueryClient>, id?: string) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: id ? sourceKeys.detail(id) : sourceKeys.all }),
    queryClient.invalidateQueries({ queryKey: sourceKeys.lists() }),
    ...(id
      ? [queryClient.invalidateQueries({ queryKey: sourceKeys.status(id) }), queryClient.invalidateQueries({ queryKey: sourceKeys.reviews(id) })]
      : []),
    queryClient.invalidateQueries({ queryKey: toolKeys.all }),
  ]);
}

export function useCreateSource() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewSource) => createSource(body),
    // The form shows the error next to its fields.
    meta: { errorToast: false },
    onSuccess: (source) => {
      queryClient.setQueryData(sourceKeys.detail(source.id), source);
      return invalidateSource(queryClient);
    },
  });
}

export function useUpdateSource(options: { errorToast?: boolean } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: SourceChanges }) => updateSource(id, changes),
    meta: { errorToast: options.errorToast ?? true, errorTitle: 'sources.saveError' },
    onSuccess: (source) => {
      queryClient.setQueryData(sourceKeys.detail(source.id), source);
      return invalidateSource(queryClient, source.id);
    },
  });
}

export function useDeleteSource() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteSource(id),
    meta: { errorToast: false },
    onSuccess: (_result, id) => {
      queryClient.removeQueries({ queryKey: sourceKeys.detail(id) });
      queryClient.removeQueries({ queryKey: sourceKeys.status(id) });
      // Not awaited: the caller leaves the deleted source's page first.
      void invalidateSource(queryClient);
    },
  });
}

export function useRefreshSource() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => refreshSource(id),
    meta: { errorTitle: 'sources.refreshError' },
    onSuccess: ({ source }) => {
      queryClient.setQueryData(sourceKeys.detail(source.id), source);
      return invalidateSource(queryClient, source.id);
    },
  });
}

export function useOpenApiPreview() {
  return useMutation({
    mutationFn: previewOpenApi,
    // The form shows why the document could not be read.
    meta: { errorToast: false },
  });
}

export function useDecideReview() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: 'approve' | 'reject'; sourceId: string }) =>
      decision === 'approve' ? approveToolReview(id) : rejectToolReview(id),
    meta: { errorToast: false },
    // Not awaited: the refetch drops the decided review's card, and the caller's own onSuccess (close the
    // dialog, say what happened) must run while the card is still there.
    onSuccess: (_review, { sourceId }) => void invalidateSource(queryClient, sourceId),
  });
}

export function useAddStdioCommand() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addStdioCommand,
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sourceKeys.stdioCommands() }),
  });
}

export function useRemoveStdioCommand() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeStdioCommand,
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sourceKeys.stdioCommands() }),
  });
}
