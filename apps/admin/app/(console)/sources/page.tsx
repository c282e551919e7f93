import { SourcesPage } from '@/features/sources/components/sources-page';

export default function Page() {
  return <SourcesPage />;
}
