import { Suspense } from 'react';
import { ToolsPage } from '@/features/tools/components/tools-page';

export default function Page() {
  // The catalog reads its filters from the URL (useSearchParams), which needs a Suspense boundary.
  return (
    <Suspense>
      <ToolsPage />
    </Suspense>
  );
}
