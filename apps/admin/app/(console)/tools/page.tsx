import { ComingSoon } from '@/features/shell/components/coming-soon';

export default function ToolsPage() {
  return <ComingSoon titleKey="nav.tools" />;
}
