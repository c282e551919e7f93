import { EditSourcePage } from '@/features/sources/components/edit-source-page';

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EditSourcePage id={decodeURIComponent(id)} />;
}
