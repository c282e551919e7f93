'use client';

// One group: how agents connect to it, the tools it serves (with per-group
// overrides), and its API keys. Addressed by server code (see group-links.ts).
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiKeysPanel } from '@/features/api-keys/components/api-keys-panel';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { ToolGroup } from '../api';
import { toolGroupListQueryOptions, useDeleteToolGroup, useUpdateToolGroup } from '../queries';
import { GroupFormDialog } from './group-form-dialog';
import { groupHref } from './group-links';
import { GroupStatus } from './group-status';
import { GroupToolsSection } from './group-tools-section';
import { McpClientConfigs, McpEndpoint } from './mcp-endpoint';

export function ToolGroupDetailPage({ serverCode }: { serverCode: string }) {
  const t = useT();
  // The API reads groups by id; the list (usually cached already) maps the server code to one.
  const groups = useQuery(toolGroupListQueryOptions());
  const group = groups.data?.items.find((item) => item.serverCode === serverCode);
  const back = { href: '/groups', label: t('groups.title') };

  if (groups.isPending) {
    return (
      <>
        <PageHeader title={serverCode} back={back} />
        <BlockSkeleton label={t('groups.loadingOne')} lines={4} />
      </>
    );
  }
  if (groups.isError) {
    return (
      <>
        <PageHeader title={serverCode} back={back} />
        <ErrorNotice error={groups.error} title={t('groups.loadError')} onRetry={() => void groups.refetch()} />
      </>
    );
  }
  if (!group) {
    return (
      <>
        <PageHeader title={serverCode} back={back} />
        <EmptyState title={t('groups.notFoundTitle')} body={t('groups.notFoundBody', { serverCode })} />
      </>
    );
  }
  return <GroupDetail group={group} />;
}

function GroupDetail({ group }: { group: ToolGroup }) {
  const t = useT();
  const format = useFormat();
  const router = useRouter();
  const { can } = useAccess();
  const canWrite = can('writeConfig');
  const update = useUpdateToolGroup({ errorToast: false });
  // Its failures arrive as a toast (above the confirm dialog, when disabling).
  const toggle = useUpdateToolGroup();
  const remove = useDeleteToolGroup();
  const [dialog, setDialog] = useState<'edit' | 'disable' | 'delete' | null>(null);

  function close() {
    setDialog(null);
    update.reset();
    toggle.reset();
    remove.reset();
  }

  function setEnabled(enabled: boolean) {
    toggle.mutate(
      { id: group.id, changes: { enabled } },
      {
        onSuccess: () => {
          close();
          toast.success(enabled ? t('groups.enabledToast', { name: group.name }) : t('groups.disabledToast', { name: group.name }));
        },
      },
    );
  }

  return (
    <>
      <PageHeader
        back={{ href: '/groups', label: t('groups.title') }}
        title={
          <span className="title-with-status">
            {group.name} <GroupStatus enabled={group.enabled} />
          </span>
        }
        description={group.description || t('groups.noDescription')}
        actions={
          canWrite && (
            <>
              {group.enabled ? (
                <button type="button" className="button button-secondary" onClick={() => setDialog('disable')}>
                  {t('common.disable')}
                </button>
              ) : (
                <button type="button" className="button button-secondary" onClick={() => setEnabled(true)} disabled={toggle.isPending}>
                  {t('common.enable')}
                </button>
              )}
              <button type="button" className="button button-secondary" onClick={() => setDialog('edit')}>
                {t('common.edit')}
              </button>
              <button type="button" className="button button-secondary button-danger-text" onClick={() => setDialog('delete')}>
                {t('common.delete')}
              </button>
            </>
          )
        }
      />

      <section className="card" aria-labelledby="connect-heading">
        <div className="section-header">
          <h2 id="connect-heading">{t('groups.connectTitle')}</h2>
          <span className="muted cell-nowrap">{t('groups.updatedAt', { date: format.dateTime(group.updatedAt) })}</span>
        </div>
        {!group.enabled && <p className="notice notice-warning">{t('groups.disabledNotice')}</p>}
        <McpEndpoint serverCode={group.serverCode} groupName={group.name} />
        <p className="muted">{t('groups.connectIntro')}</p>
        <McpClientConfigs serverCode={group.serverCode} />
        <GroupLimits group={group} />
      </section>

      <GroupToolsSection group={group} />

      <section className="section" aria-labelledby="keys-heading">
        <ApiKeysPanel groupId={group.id} headingId="keys-heading" />
      </section>

      <GroupFormDialog
        open={dialog === 'edit'}
        group={group}
        pending={update.isPending}
        error={update.error}
        onClose={close}
        onSubmit={(changes) =>
          update.mutate(
            { id: group.id, changes },
            {
              onSuccess: (saved) => {
                close();
                toast.success(t('common.saved'));
                // The page is addressed by server code: follow it when it changed.
                if (saved.serverCode !== group.serverCode) router.replace(groupHref(saved));
              },
            },
          )
        }
      />
      <ConfirmDialog
        open={dialog === 'disable'}
        title={t('groups.disableTitle', { name: group.name })}
        confirmLabel={t('common.disable')}
        pending={toggle.isPending}
        onCancel={close}
        onConfirm={() => setEnabled(false)}
      >
        <p>{t('groups.disableBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'delete'}
        title={t('groups.deleteTitle', { name: group.name })}
        confirmLabel={t('groups.deleteConfirm')}
        pending={remove.isPending}
        error={remove.error}
        onCancel={close}
        onConfirm={() =>
          remove.mutate(group.id, {
            onSuccess: () => {
              toast.success(t('groups.deleted', { name: group.name }));
              router.replace('/groups');
            },
          })
        }
      >
        <p>{t('groups.deleteBody')}</p>
      </ConfirmDialog>
    </>
  );
}

function GroupLimits({ group }: { group: ToolGroup }) {
  const t = useT();
  const format = useFormat();
  const { perMinute, perKeyPerMinute, perDay, maxConcurrentPerKey } = group.rateLimit;
  const limits = [
    perMinute ? t('groups.limitPerMinute', { count: format.number(perMinute) }) : null,
    perKeyPerMinute ? t('groups.limitPerKeyPerMinute', { count: format.number(perKeyPerMinute) }) : null,
    perDay ? t('groups.limitPerDay', { count: format.number(perDay) }) : null,
    maxConcurrentPerKey ? t('groups.limitConcurrentPerKey', { count: format.number(maxConcurrentPerKey) }) : null,
  ].filter(Boolean);
  return (
    <dl className="kv">
      <dt>{t('groups.rateLimits')}</dt>
      <dd>{limits.length ? limits.join(' · ') : t('groups.noLimits')}</dd>
      {group.allowedRoles.length > 0 && (
        <>
          <dt>{t('groups.allowedRoles')}</dt>
          <dd>{group.allowedRoles.join(', ')}</dd>
        </>
      )}
      {group.allowedUserTiers.length > 0 && (
        <>
          <dt>{t('groups.allowedUserTiers')}</dt>
          <dd>{group.allowedUserTiers.join(', ')}</dd>
        </>
      )}
    </dl>
  );
}
