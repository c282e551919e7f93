import { ComingSoon } from '@/features/shell/components/coming-soon';

export default function AuditPage() {
  return <ComingSoon titleKey="nav.audit" />;
}
