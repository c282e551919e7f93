'use client';

import { useQuery } from '@tanstack/react-query';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useLocale, useT } from '@/i18n/locale-provider';
import type { ToolGroup } from '../api';
import { toolGroupListQueryOptions } from '../queries';
import { McpEndpoint } from './mcp-endpoint';

const SKELETON_ROWS = 4;

export function ToolGroupsPage() {
  const t = useT();
  const groups = useQuery(toolGroupListQueryOptions());

  let body;
  if (groups.isPending) body = <ToolGroupsSkeleton />;
  else if (groups.isError)
    body = <ErrorNotice error={groups.error} title={t('groups.loadError')} onRetry={() => void groups.refetch()} />;
  else if (groups.data.items.length === 0)
    body = (
      <div className="empty-state">
        <p className="empty-state-title">{t('groups.emptyTitle')}</p>
        <p className="muted">{t('groups.emptyBody')}</p>
      </div>
    );
  else body = <ToolGroupsTable groups={groups.data.items} />;

  return (
    <>
      <header className="page-header">
        <h1>{t('groups.title')}</h1>
        <p className="muted">{t('groups.intro')}</p>
      </header>
      {body}
    </>
  );
}

// Shared by the table and its skeleton so the columns do not jump when data arrives.
function ToolGroupsTableHead() {
  const t = useT();
  return (
    <thead>
      <tr>
        <th scope="col">{t('groups.colName')}</th>
        <th scope="col">{t('groups.colEndpoint')}</th>
        <th scope="col">{t('groups.colStatus')}</th>
        <th scope="col">{t('groups.colUpdated')}</th>
      </tr>
    </thead>
  );
}

function ToolGroupsTable({ groups }: { groups: ToolGroup[] }) {
  const { t, languageTag } = useLocale();
  const dateFormat = new Intl.DateTimeFormat(languageTag, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <div className="table-wrap">
      <table className="table">
        <ToolGroupsTableHead />
        <tbody>
          {groups.map((group) => (
            <tr key={group.id}>
              <td>
                <div className="cell-title">{group.name}</div>
                {group.description && <div className="cell-subtitle">{group.description}</div>}
              </td>
              <td>
                <McpEndpoint serverCode={group.serverCode} groupName={group.name} />
              </td>
              <td>
                <span className={group.enabled ? 'status status-on' : 'status status-off'}>
                  {group.enabled ? t('groups.enabled') : t('groups.disabled')}
                </span>
              </td>
              <td className="cell-nowrap">
                <time dateTime={group.updatedAt}>{dateFormat.format(new Date(group.updatedAt))}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ToolGroupsSkeleton() {
  const t = useT();
  return (
    <div className="table-wrap" aria-busy="true">
      <span className="visually-hidden" role="status">
        {t('groups.loading')}
      </span>
      <table className="table" aria-hidden="true">
        <ToolGroupsTableHead />
        <tbody>
          {Array.from({ length: SKELETON_ROWS }, (_, row) => (
            <tr key={row}>
              <td>
                <div className="skeleton skeleton-text" />
                <div className="skeleton skeleton-text skeleton-short" />
              </td>
              <td>
                <div className="skeleton skeleton-text skeleton-wide" />
              </td>
              <td>
                <div className="skeleton skeleton-pill" />
              </td>
              <td>
                <div className="skeleton skeleton-text" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
