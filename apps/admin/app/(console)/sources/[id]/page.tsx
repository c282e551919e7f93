import { SourceDetailPage } from '@/features/sources/components/source-detail-page';

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SourceDetailPage id={decodeURIComponent(id)} />;
}
