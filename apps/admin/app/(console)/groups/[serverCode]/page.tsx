import { ToolGroupDetailPage } from '@/features/tool-groups/components/tool-group-detail-page';

export default async function GroupPage({ params }: { params: Promise<{ serverCode: string }> }) {
  const { serverCode } = await params;
  return <ToolGroupDetailPage serverCode={decodeURIComponent(serverCode)} />;
}
