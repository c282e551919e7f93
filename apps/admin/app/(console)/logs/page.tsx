import { ComingSoon } from '@/features/shell/components/coming-soon';

export default function LogsPage() {
  return <ComingSoon titleKey="nav.logs" />;
}
