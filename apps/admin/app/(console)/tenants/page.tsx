import { TenantsPage } from '@/features/tenants/components/tenants-page';

export default function Page() {
  return <TenantsPage />;
}
