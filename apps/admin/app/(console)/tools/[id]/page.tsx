import { ToolDetailPage } from '@/features/tools/components/tool-detail-page';

export default async function ToolPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ToolDetailPage toolId={id} />;
}
