import { ToolGroupsPage } from '@/features/tool-groups/components/tool-groups-page';

export default function GroupsPage() {
  return <ToolGroupsPage />;
}
