import { Suspense } from 'react';
import { CallLogsPage } from '@/features/call-logs/components/call-logs-page';

// The explorer keeps its filters in the URL (useSearchParams), which needs a Suspense boundary.
export default function LogsPage() {
  return (
    <Suspense>
      <CallLogsPage />
    </Suspense>
  );
}
