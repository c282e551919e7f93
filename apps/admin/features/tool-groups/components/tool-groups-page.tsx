'use client';

// The tenant's tool groups: each with its MCP endpoint, status and a link to its page.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { ToolGroup } from '../api';
import { toolGroupListQueryOptions, useCreateToolGroup } from '../queries';
import { GroupFormDialog } from './group-form-dialog';
import { groupHref } from './group-links';
import { GroupStatus } from './group-status';
import { McpEndpoint } from './mcp-endpoint';
import { TableHead } from '@/features/ui/table-head';

export function ToolGroupsPage() {
  const t = useT();
  const router = useRouter();
  const { can } = useAccess();
  const groups = useQuery(toolGroupListQueryOptions());
  const create = useCreateToolGroup();
  const [creating, setCreating] = useState(false);

  const columns = [t('groups.colName'), t('groups.colEndpoint'), t('groups.colStatus'), t('groups.colUpdated')];
  const newButton = can('writeConfig') ? (
    <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
      {t('groups.new')}
    </button>
  ) : null;

  let body;
  if (groups.isPending) body = <TableSkeleton columns={columns} label={t('groups.loading')} />;
  else if (groups.isError)
    body = <ErrorNotice error={groups.error} title={t('groups.loadError')} onRetry={() => void groups.refetch()} />;
  else if (groups.data.items.length === 0)
    body = <EmptyState title={t('groups.emptyTitle')} body={t('groups.emptyBody')} action={newButton} />;
  else body = <ToolGroupsTable groups={groups.data.items} columns={columns} />;

  function closeCreate() {
    setCreating(false);
    create.reset();
  }

  return (
    <>
      <PageHeader title={t('groups.title')} description={t('groups.intro')} actions={groups.data?.items.length ? newButton : null} />
      {body}
      <GroupFormDialog
        open={creating}
        pending={create.isPending}
        error={create.error}
        onClose={closeCreate}
        onSubmit={(values) =>
          create.mutate(
            { name: values.name, serverCode: values.serverCode, description: values.description ?? '', enabled: values.enabled ?? true },
            {
              onSuccess: (group) => {
                closeCreate();
                toast.success(t('groups.created', { name: group.name }));
                router.push(groupHref(group));
              },
            },
          )
        }
      />
    </>
  );
}

function ToolGroupsTable({ groups, columns }: { groups: ToolGroup[]; columns: string[] }) {
  const format = useFormat();
  return (
    <div className="table-wrap">
      <table className="table">
        <TableHead columns={columns} />
        <tbody>
          {groups.map((group) => (
            <tr key={group.id}>
              <td>
                <Link href={groupHref(group)} className="cell-title cell-link">
                  {group.name}
                </Link>
                {group.description && <div className="cell-subtitle">{group.description}</div>}
              </td>
              <td>
                <McpEndpoint serverCode={group.serverCode} groupName={group.name} />
              </td>
              <td>
                <GroupStatus enabled={group.enabled} />
              </td>
              <td className="cell-nowrap">
                <time dateTime={group.updatedAt}>{format.dateTime(group.updatedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
