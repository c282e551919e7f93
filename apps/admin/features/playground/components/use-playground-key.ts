// The playground's API key: made for the chosen group on the first call, reused while it has time left,
// revoked when the group changes, when the page is left (route change, tab closed) or on request. The secret
// lives in memory only: not in the query cache, not in storage.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiKeyKeys } from '@/features/api-keys/queries';
import { createPlaygroundKey, revokePlaygroundKey, type PlaygroundKey } from '../api';

/** A key this close to expiry is replaced rather than used. */
const MIN_REMAINING_MS = 2 * 60_000;

export function usePlaygroundKey(tenantId: string, userEmail: string) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState<PlaygroundKey | null>(null);
  const current = useRef<PlaygroundKey | null>(null);

  const create = useMutation({
    mutationFn: (groupId: string) => createPlaygroundKey(tenantId, groupId, userEmail),
    gcTime: 0,
    meta: { errorTitle: 'playground.keyCreateError' },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });

  const release = useCallback(
    (options: { keepalive?: boolean } = {}) => {
      const old = current.current;
      if (!old) return;
      current.current = null;
      setKey(null);
      // Best effort: a key that cannot be revoked now still expires within the hour.
      void revokePlaygroundKey(old, options)
        .catch(() => undefined)
        .finally(() => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }));
    },
    [queryClient],
  );

  const ensure = useCallback(
    async (groupId: string): Promise<PlaygroundKey> => {
      const held = current.current;
      if (held && held.groupId === groupId && Date.parse(held.expiresAt) - Date.now() > MIN_REMAINING_MS) return held;
      release();
      const made = await create.mutateAsync(groupId);
      current.current = made;
      setKey(made);
      return made;
    },
    [create, release],
  );

  useEffect(() => {
    const onPageHide = () => release({ keepalive: true });
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      release({ keepalive: true });
    };
  }, [release]);

  return { key, ensure, release, creating: create.isPending };
}
