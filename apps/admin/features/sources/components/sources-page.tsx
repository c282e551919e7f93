'use client';

// The tenant's sources: kind, discovery status, live health and tool count, each linking to its page.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { Skeleton, TableSkeleton } from '@/features/ui/skeleton';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { Source } from '../api';
import { sourceListQueryOptions, sourceStatusQueryOptions } from '../queries';
import { sourceHref } from './source-links';
import { ConnectionState, DiscoveryStatus, KindBadge } from './source-status';
import styles from './sources.module.css';
import { TableHead } from '@/features/ui/table-head';

export function SourcesPage() {
  const t = useT();
  const { can, isPlatformAdmin } = useAccess();
  const sources = useQuery(sourceListQueryOptions());

  const columns = [t('sources.colName'), t('sources.colKind'), t('sources.colStatus'), t('sources.colHealth'), t('sources.colTools'), t('sources.colRefreshed')];
  const addButton = can('writeConfig') ? (
    <Link href="/sources/new" className={`button button-primary ${styles.buttonLink}`}>
      {t('sources.add')}
    </Link>
  ) : null;
  const actions = (
    <>
      {isPlatformAdmin && (
        <Link href="/sources/stdio-commands" className={`button button-secondary ${styles.buttonLink}`}>
          {t('sources.stdioCommandsLink')}
        </Link>
      )}
      {addButton}
    </>
  );

  let body;
  if (sources.isPending) body = <TableSkeleton columns={columns} label={t('sources.loading')} />;
  else if (sources.isError) body = <ErrorNotice error={sources.error} title={t('sources.loadError')} onRetry={() => void sources.refetch()} />;
  // The builtin source is always there; "empty" means no upstream yet.
  else if (sources.data.items.every((source) => source.kind === 'builtin'))
    body = (
      <>
        <EmptyState title={t('sources.emptyTitle')} body={t('sources.emptyBody')} action={addButton} />
        {sources.data.items.length > 0 && (
          <div className="section">
            <SourcesTable sources={sources.data.items} columns={columns} />
          </div>
        )}
      </>
    );
  else body = <SourcesTable sources={sources.data.items} columns={columns} />;

  return (
    <>
      <PageHeader title={t('sources.title')} description={t('sources.intro')} actions={actions} />
      {body}
    </>
  );
}

function SourcesTable({ sources, columns }: { sources: Source[]; columns: string[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <TableHead columns={columns} />
        <tbody>
          {sources.map((source) => (
            <SourceRow key={source.id} source={source} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SourceRow({ source }: { source: Source }) {
  const t = useT();
  const format = useFormat();
  const status = useQuery(sourceStatusQueryOptions(source.id));
  return (
    <tr>
      <td>
        <Link href={sourceHref(source.id)} className="cell-title cell-link">
          {source.name}
        </Link>
        <div className="cell-subtitle">
          <code>{source.namespace}</code>
        </div>
      </td>
      <td>
        <KindBadge kind={source.kind} />
      </td>
      <td>
        <DiscoveryStatus source={source} />
        {source.enabled && source.lastError && (
          <div className="cell-subtitle" title={source.lastError}>
            {truncate(source.lastError, 80)}
          </div>
        )}
      </td>
      <td>
        {status.isPending ? (
          <Skeleton shape="short" />
        ) : status.isError ? (
          <span className="muted">—</span>
        ) : (
          <>
            <ConnectionState state={status.data.state} />
            {status.data.pendingReviews > 0 && (
              <div>
                <Link href={`${sourceHref(source.id)}#reviews`} className="badge">
                  {t('sources.pendingReviewsBadge', { count: status.data.pendingReviews })}
                </Link>
              </div>
            )}
          </>
        )}
      </td>
      <td className="cell-nowrap">{format.number(source.toolCount)}</td>
      <td className="cell-nowrap">
        {source.lastRefreshedAt ? <time dateTime={source.lastRefreshedAt}>{format.relative(source.lastRefreshedAt)}</time> : <span className="muted">{t('common.never')}</span>}
      </td>
    </tr>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
