import { ComingSoon } from '@/features/shell/components/coming-soon';

export default function KeysPage() {
  return <ComingSoon titleKey="nav.keys" />;
}
