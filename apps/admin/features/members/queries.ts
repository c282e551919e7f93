import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '@toolgate/contracts';
import { authKeys } from '@/features/auth/queries';
import { addMember, changeMemberRole, listMembers, removeMember, type NewMember } from './api';

// Keys carry no tenant id: switching tenants resets the cache (see TenantSwitcher).
export const memberKeys = {
  all: ['members'] as const,
  lists: () => [...memberKeys.all, 'list'] as const,
};

export function memberListQueryOptions() {
  return queryOptions({ queryKey: memberKeys.lists(), queryFn: ({ signal }) => listMembers(signal) });
}

export function useAddMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewMember) => addMember(body),
    // The dialog shows the error next to the fields.
    meta: { errorToast: false },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}

export function useChangeMemberRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) => changeMemberRole(id, role),
    meta: { errorTitle: 'members.roleError' },
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: memberKeys.all }),
        // One's own role shapes the navigation.
        queryClient.invalidateQueries({ queryKey: authKeys.session() }),
      ]),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => removeMember(id),
    meta: { errorToast: false },
    // Not awaited: without the last row the table gives way to the empty state, and the caller's own
    // onSuccess must run while its dialog is still there.
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}
