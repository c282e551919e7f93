'use client';

import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from '@/features/http/api-client';
import { toastMutationError } from '@/features/ui/mutation-errors';
import { Toaster } from '@/features/ui/toast';
import { LocaleProvider } from '@/i18n/locale-provider';

const MAX_RETRIES = 2;

function createQueryClient(): QueryClient {
  return new QueryClient({
    // A failed change is reported once, here, with the API's message (see mutation-errors.ts).
    mutationCache: new MutationCache({ onError: (error, _variables, _context, mutation) => toastMutationError(error, mutation) }),
    defaultOptions: {
      queries: {
        staleTime: 30 * 1000,
        // A 4xx will not change on retry (and a 401 is already redirecting);
        // only network trouble and 5xx are worth another attempt.
        retry: (failureCount, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < MAX_RETRIES,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser session; useState keeps it stable across re-renders.
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        {children}
        <Toaster />
      </LocaleProvider>
    </QueryClientProvider>
  );
}
