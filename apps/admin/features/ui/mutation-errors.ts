// Every failed mutation shows a toast with the API's message, unless it says it
// shows its error itself (a form or dialog that keeps the error next to the
// fields). Set per mutation with `meta`:
//   useMutation({ ..., meta: { errorTitle: 'keys.revokeError' } })
//   useMutation({ ..., meta: { errorToast: false } })
import type { Mutation } from '@tanstack/react-query';
import { ApiError } from '@/features/http/api-client';
import type { MessageKey } from '@/i18n/en';
import { toast } from './toast';

export interface ConsoleMutationMeta extends Record<string, unknown> {
  /** False when the component shows the error itself (e.g. inline in a dialog). */
  errorToast?: boolean;
  /** The toast's title, e.g. "Could not revoke the key."; a generic one otherwise. */
  errorTitle?: MessageKey;
}

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: ConsoleMutationMeta;
  }
}

export function toastMutationError(error: unknown, mutation: Mutation<unknown, unknown, unknown, unknown>): void {
  if (mutation.meta?.errorToast === false) return;
  // The API client is already sending the browser to the login page.
  if (error instanceof ApiError && error.status === 401) return;
  toast.error(error, { titleKey: mutation.meta?.errorTitle });
}
