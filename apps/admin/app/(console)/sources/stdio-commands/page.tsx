import { StdioCommandsPage } from '@/features/sources/components/stdio-commands-page';

export default function Page() {
  return <StdioCommandsPage />;
}
