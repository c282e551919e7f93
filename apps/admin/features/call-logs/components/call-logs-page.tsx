'use client';

// The call-log explorer: every tools/call of the tenant, newest first, filtered by group, key, tool, outcome,
// time and text in the arguments; a detail drawer per call; CSV and NDJSON export of the filtered set.
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import { useLogFacets } from '../facets';
import { callLogCountQueryOptions, callLogKeys, callLogListQueryOptions } from '../queries';
import { CallLogDrawer } from './call-log-drawer';
import { ExportButtons, ExportProgressPanel, useCallLogExport } from './call-log-export';
import { CallLogFilters } from './call-log-filters';
import { CallLogTable } from './call-log-table';
import { useLogFilters } from './use-log-filters';
import './call-logs.css';

export function CallLogsPage() {
  const t = useT();
  const format = useFormat();
  const queryClient = useQueryClient();
  const filters = useLogFilters();
  const { apiFilters } = filters;
  const facets = useLogFacets();
  const list = useInfiniteQuery(callLogListQueryOptions(apiFilters));
  const count = useQuery(callLogCountQueryOptions(apiFilters));
  const exporter = useCallLogExport(apiFilters, count.data);

  // A failed later page keeps the rows already shown; say so once.
  const nextPageFailed = list.isFetchNextPageError;
  const reported = useRef<unknown>(null);
  useEffect(() => {
    if (nextPageFailed && list.error !== reported.current) {
      reported.current = list.error;
      toast.error(list.error, { titleKey: 'logs.moreFailed' });
    }
  }, [nextPageFailed, list.error]);

  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];

  function refresh() {
    filters.refresh();
    void queryClient.resetQueries({ queryKey: callLogKeys.lists() });
    void queryClient.invalidateQueries({ queryKey: callLogKeys.counts() });
  }

  const columns = [t('logs.colTime'), t('logs.colTool'), t('logs.colOutcome'), t('logs.colDuration'), t('logs.colGroup'), t('logs.colKey'), t('logs.colArguments')];

  let body;
  if (list.isPending) body = <TableSkeleton columns={columns} rows={8} label={t('logs.loading')} />;
  else if (list.isError && !list.isFetchNextPageError)
    body = <ErrorNotice error={list.error} title={t('logs.loadError')} onRetry={() => void list.refetch()} />;
  else if (rows.length === 0 && !list.hasNextPage)
    body = filters.active ? (
      <EmptyState
        title={t('logs.noMatchTitle')}
        body={t('logs.noMatchBody')}
        action={
          <button type="button" className="button button-secondary" onClick={filters.clear}>
            {t('logs.clearFilters')}
          </button>
        }
      />
    ) : (
      <EmptyState title={t('logs.emptyTitle')} body={t('logs.emptyBody')} />
    );
  else
    body = (
      <CallLogTable
        rows={rows}
        total={count.data?.exact ? count.data.count : null}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        nextPageFailed={nextPageFailed}
        fetchNextPage={() => void list.fetchNextPage()}
        searching={Boolean(apiFilters.q)}
        facets={facets}
        selectedId={filters.openLogId}
        onOpen={(id) => filters.setOpenLogId(id)}
      />
    );

  let countText = '';
  if (count.data) {
    countText =
      count.data.exact && count.data.count === 1
        ? t('logs.countOne')
        : t(count.data.exact ? 'logs.count' : 'logs.countEstimate', { count: format.number(count.data.count) });
  }

  return (
    <div className={filters.openLogId ? 'logs-page logs-page-with-drawer' : 'logs-page'}>
      <PageHeader
        title={t('logs.title')}
        description={t('logs.intro')}
        actions={<ExportButtons disabled={exporter.running !== null || count.data?.count === 0} onExport={(f) => void exporter.start(f)} />}
      />
      <CallLogFilters values={filters.values} facets={facets} onChange={filters.update} />
      <div className="log-result-bar">
        <p className="muted" aria-live="polite">
          {count.isPending ? t('logs.counting') : countText}
          {list.isFetching && !list.isPending && !list.isFetchingNextPage ? ` · ${t('logs.refreshing')}` : ''}
        </p>
        <div className="log-result-actions">
          {filters.active && (
            <button type="button" className="button button-ghost button-small" onClick={filters.clear}>
              {t('logs.clearFilters')}
            </button>
          )}
          <button type="button" className="button button-ghost button-small" onClick={refresh}>
            {t('logs.refresh')}
          </button>
        </div>
      </div>
      {exporter.running && <ExportProgressPanel running={exporter.running} onCancel={exporter.cancel} />}
      {body}
      {filters.openLogId && <CallLogDrawer id={filters.openLogId} facets={facets} onClose={() => filters.setOpenLogId(null)} />}
    </div>
  );
}
