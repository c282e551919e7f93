import { Suspense } from 'react';
import { PlaygroundPage } from '@/features/playground/components/playground-page';

// `?group=<server code>&tool=<name>` preselects a tool (useSearchParams needs a Suspense boundary).
export default function Page() {
  return (
    <Suspense>
      <PlaygroundPage />
    </Suspense>
  );
}
