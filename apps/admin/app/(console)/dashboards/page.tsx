import { Suspense } from 'react';
import { DashboardsPage } from '@/features/dashboards/components/dashboards-page';

// The range and group live in the URL (useSearchParams), which needs a Suspense boundary.
export default function Page() {
  return (
    <Suspense>
      <DashboardsPage />
    </Suspense>
  );
}
