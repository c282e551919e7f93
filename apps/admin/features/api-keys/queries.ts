import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, updateApiKey, type ApiKeyChanges, type NewApiKey } from './api';

export const apiKeyKeys = {
  all: ['api-keys'] as const,
  lists: () => [...apiKeyKeys.all, 'list'] as const,
  /** All keys of the tenant (groupId undefined) or of one group. */
  list: (groupId?: string) => [...apiKeyKeys.lists(), { groupId: groupId ?? null }] as const,
};

export function apiKeyListQueryOptions(groupId?: string) {
  return queryOptions({
    queryKey: apiKeyKeys.list(groupId),
    queryFn: ({ signal }) => listApiKeys(groupId, signal),
  });
}

// The plaintext of a new key lives only in the mutation's result, shown once in
// the dialog; gcTime 0 drops it from the mutation cache as soon as the dialog
// lets go of it (reset or unmount).
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ groupId, body }: { groupId: string; body: NewApiKey }) => createApiKey(groupId, body),
    gcTime: 0,
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useRotateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, overlapSeconds }: { id: string; overlapSeconds: number }) => rotateApiKey(id, overlapSeconds),
    gcTime: 0,
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useUpdateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: ApiKeyChanges }) => updateApiKey(id, changes),
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => revokeApiKey(id),
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}
