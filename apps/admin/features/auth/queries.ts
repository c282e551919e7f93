import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { LOGIN_PATH } from '@/features/http/api-client';
import { getSession, login, logout, type Session } from './api';

export const authKeys = {
  all: ['auth'] as const,
  session: () => [...authKeys.all, 'session'] as const,
  /** Every tenant, for platform admins (see features/shell/tenant-access.ts). */
  platformTenants: () => [...authKeys.all, 'platform-tenants'] as const,
};

export function sessionQueryOptions() {
  return queryOptions({
    queryKey: authKeys.session(),
    queryFn: ({ signal }) => getSession(signal),
    // The session changes only through login/logout, which handle the cache themselves.
    staleTime: 5 * 60 * 1000,
  });
}

export function useLoginMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    // The form shows a wrong password next to the fields.
    meta: { errorToast: false },
    onSuccess: ({ user, memberships }) => {
      // Anything cached belongs to whoever was signed in before.
      queryClient.removeQueries();
      queryClient.setQueryData<Session>(authKeys.session(), { user, memberships });
    },
  });
}

export function useLogoutMutation() {
  return useMutation({
    mutationFn: logout,
    // A full page load instead of clearing the cache: a clear would make the
    // still-mounted console refetch (and hit 401) before the route changes,
    // while a reload drops every cached query at once. It runs even if the
    // request failed: a cookie that survived only means the next login is skipped.
    onSettled: () => window.location.replace(LOGIN_PATH),
  });
}
