import { NewSourcePage } from '@/features/sources/components/new-source-page';

export default function Page() {
  return <NewSourcePage />;
}
