import { Suspense } from 'react';
import { UsagePage } from '@/features/usage/components/usage-page';

// The month and the dimension live in the URL (useSearchParams), which needs a Suspense boundary.
export default function Page() {
  return (
    <Suspense>
      <UsagePage />
    </Suspense>
  );
}
