'use client';

// One source: live health (polled while the page is open), pending drift reviews, what a refresh
// changed, its settings (secrets by name only) and its tools; refresh, enable/disable, edit, delete.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Fragment, useEffect, useState } from 'react';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { toolKeys, toolListQueryOptions } from '@/features/tools/queries';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { BlockSkeleton, TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import type { MessageKey } from '@/i18n/en';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { RefreshResult, Source } from '../api';
import { sourceKeys, sourceQueryOptions, sourceStatusQueryOptions, useDeleteSource, useRefreshSource, useUpdateSource } from '../queries';
import { SourceReviews } from './source-reviews';
import { StoredSecretNames } from './source-form';
import { editSourceHref, toolHref } from './source-links';
import { ConnectionState, DiscoveryStatus, KindBadge } from './source-status';
import styles from './sources.module.css';
import { TableHead } from '@/features/ui/table-head';

export function SourceDetailPage({ id }: { id: string }) {
  const t = useT();
  const source = useQuery(sourceQueryOptions(id));
  const back = { href: '/sources', label: t('sources.title') };

  if (source.isPending) {
    return (
      <>
        <PageHeader title={t('sources.loadingOne')} back={back} />
        <BlockSkeleton label={t('sources.loadingOne')} lines={4} />
      </>
    );
  }
  if (source.isError) {
    const notFound = source.error instanceof ApiError && (source.error.status === 404 || source.error.status === 400);
    return (
      <>
        <PageHeader title={t('sources.title')} back={back} />
        {notFound ? (
          <EmptyState title={t('sources.notFoundTitle')} body={t('sources.notFoundBody')} />
        ) : (
          <ErrorNotice error={source.error} title={t('sources.loadError')} onRetry={() => void source.refetch()} />
        )}
      </>
    );
  }
  return <SourceDetail source={source.data} />;
}

function SourceDetail({ source }: { source: Source }) {
  const t = useT();
  const router = useRouter();
  const { can } = useAccess();
  const canWrite = can('writeConfig') && source.kind !== 'builtin';
  const refresh = useRefreshSource();
  const toggle = useUpdateSource();
  const remove = useDeleteSource();
  const [dialog, setDialog] = useState<'disable' | 'delete' | null>(null);
  const [lastRefresh, setLastRefresh] = useState<RefreshResult | null>(null);
  useBackgroundChanges(source);

  function close() {
    setDialog(null);
    toggle.reset();
    remove.reset();
  }

  function setEnabled(enabled: boolean) {
    toggle.mutate(
      { id: source.id, changes: { enabled } },
      {
        onSuccess: (saved) => {
          close();
          toast.success(t(enabled ? 'sources.enabledToast' : 'sources.disabledToast', { name: saved.name }));
        },
      },
    );
  }

  function runRefresh() {
    refresh.mutate(source.id, {
      onSuccess: ({ source: saved, refresh: result }) => {
        setLastRefresh(result);
        toast.success(t('sources.refreshed', { name: saved.name }));
      },
    });
  }

  return (
    <>
      <PageHeader
        back={{ href: '/sources', label: t('sources.title') }}
        title={
          <span className="title-with-status">
            {source.name} <KindBadge kind={source.kind} /> <DiscoveryStatus source={source} />
          </span>
        }
        description={source.kind === 'builtin' ? t('sources.builtinIntro') : t('sources.namespaceLine', { namespace: source.namespace })}
        actions={
          canWrite && (
            <>
              <button type="button" className="button button-secondary" onClick={runRefresh} disabled={refresh.isPending || !source.enabled} title={source.enabled ? undefined : t('sources.refreshDisabledHint')}>
                {refresh.isPending ? t('sources.refreshing') : t('sources.refresh')}
              </button>
              {source.enabled ? (
                <button type="button" className="button button-secondary" onClick={() => setDialog('disable')}>
                  {t('common.disable')}
                </button>
              ) : (
                <button type="button" className="button button-secondary" onClick={() => setEnabled(true)} disabled={toggle.isPending}>
                  {toggle.isPending ? t('sources.enabling') : t('common.enable')}
                </button>
              )}
              <Link href={editSourceHref(source.id)} className={`button button-secondary ${styles.buttonLink}`}>
                {t('common.edit')}
              </Link>
              <button type="button" className="button button-secondary button-danger-text" onClick={() => setDialog('delete')}>
                {t('common.delete')}
              </button>
            </>
          )
        }
      />

      {lastRefresh && <RefreshSummary result={lastRefresh} onDismiss={() => setLastRefresh(null)} />}
      <SourceHealth source={source} />
      {source.kind !== 'builtin' && <SourceReviews sourceId={source.id} />}
      {source.kind !== 'builtin' && <SourceSettings source={source} />}
      <SourceTools source={source} />

      <ConfirmDialog
        open={dialog === 'disable'}
        title={t('sources.disableTitle', { name: source.name })}
        confirmLabel={t('common.disable')}
        pending={toggle.isPending}
        error={toggle.error}
        onCancel={close}
        onConfirm={() => setEnabled(false)}
      >
        <p>{t('sources.disableBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'delete'}
        title={t('sources.deleteTitle', { name: source.name })}
        confirmLabel={t('sources.deleteConfirm')}
        pendingLabel={t('sources.deleting')}
        pending={remove.isPending}
        error={remove.error}
        onCancel={close}
        onConfirm={() =>
          remove.mutate(source.id, {
            onSuccess: () => {
              toast.success(t('sources.deleted', { name: source.name }));
              router.replace('/sources');
            },
          })
        }
      >
        <p>{t('sources.deleteBody', { count: source.toolCount })}</p>
      </ConfirmDialog>
    </>
  );
}

/**
 * The polled health shows when the source changed without this page asking: a scheduled refresh, the
 * upstream announcing new tools, another admin deciding a review. Then the rest of the page reloads.
 */
function useBackgroundChanges(source: Source) {
  const queryClient = useQueryClient();
  const status = useQuery(sourceStatusQueryOptions(source.id, true));
  const refreshedAt = status.data?.lastRefreshedAt ?? null;
  const pendingReviews = status.data?.pendingReviews;
  const reviewsShown = queryClient.getQueryData<{ items: unknown[] }>(sourceKeys.reviews(source.id))?.items.length;

  useEffect(() => {
    if (refreshedAt === null || refreshedAt === source.lastRefreshedAt) return;
    void queryClient.invalidateQueries({ queryKey: sourceKeys.detail(source.id) });
    void queryClient.invalidateQueries({ queryKey: sourceKeys.reviews(source.id) });
    void queryClient.invalidateQueries({ queryKey: toolKeys.lists() });
  }, [queryClient, refreshedAt, source.id, source.lastRefreshedAt]);

  useEffect(() => {
    if (pendingReviews === undefined || reviewsShown === undefined || pendingReviews === reviewsShown) return;
    void queryClient.invalidateQueries({ queryKey: sourceKeys.reviews(source.id) });
  }, [queryClient, pendingReviews, reviewsShown, source.id]);
}

function SourceHealth({ source }: { source: Source }) {
  const t = useT();
  const format = useFormat();
  const status = useQuery(sourceStatusQueryOptions(source.id, true));
  const ms = (value: number | null) => (value === null ? '—' : t('sources.ms', { value: format.number(Math.round(value)) }));

  let body;
  if (status.isPending) body = <BlockSkeleton label={t('sources.loadingHealth')} lines={2} />;
  else if (status.isError) body = <ErrorNotice error={status.error} title={t('sources.healthError')} onRetry={() => void status.refetch()} />;
  else {
    const s = status.data;
    body = (
      <>
        <dl className={styles.stats}>
          <div>
            <dt>{t('sources.healthState')}</dt>
            <dd>
              <ConnectionState state={s.state} />
            </dd>
          </div>
          <div>
            <dt>{t('sources.healthP50')}</dt>
            <dd>{ms(s.p50Ms)}</dd>
          </div>
          <div>
            <dt>{t('sources.healthP95')}</dt>
            <dd>{ms(s.p95Ms)}</dd>
          </div>
          <div>
            <dt>{t('sources.healthInFlight')}</dt>
            <dd>{format.number(s.inFlight)}</dd>
          </div>
          <div>
            <dt>{t('sources.healthRestarts')}</dt>
            <dd>{format.number(s.restarts)}</dd>
          </div>
          <div>
            <dt>{t('sources.healthTools')}</dt>
            <dd>{format.number(s.toolCount)}</dd>
          </div>
          <div>
            <dt>{t('sources.healthRefreshed')}</dt>
            <dd>{s.lastRefreshedAt ? <time dateTime={s.lastRefreshedAt} title={format.dateTime(s.lastRefreshedAt)}>{format.relative(s.lastRefreshedAt)}</time> : t('common.never')}</dd>
          </div>
          <div>
            <dt>{t('sources.healthReviews')}</dt>
            <dd>{s.pendingReviews > 0 ? <a href="#reviews">{format.number(s.pendingReviews)}</a> : format.number(0)}</dd>
          </div>
        </dl>
        {s.lastError && (
          <div>
            <p className="field-hint">{t('sources.lastError')}</p>
            <pre className={styles.lastError}>{s.lastError}</pre>
          </div>
        )}
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="health-heading">
      <div className="section-header">
        <h2 id="health-heading">{t('sources.health')}</h2>
        <span className="field-hint">{t('sources.healthPolling')}</span>
      </div>
      {body}
    </section>
  );
}

function RefreshSummary({ result, onDismiss }: { result: RefreshResult; onDismiss: () => void }) {
  const t = useT();
  const groups = [
    { key: 'sources.refreshAdded', names: result.added },
    { key: 'sources.refreshPending', names: result.pendingReview },
    { key: 'sources.refreshUpdated', names: result.updated },
    { key: 'sources.refreshRemoved', names: result.removed },
    { key: 'sources.refreshRestored', names: result.restored },
  ] as const;
  return (
    <section className="card" aria-labelledby="refresh-heading" role="status">
      <div className="section-header">
        <h2 id="refresh-heading">{t('sources.refreshResult')}</h2>
        <button type="button" className="icon-button" aria-label={t('sources.dismissRefresh')} onClick={onDismiss}>
          ×
        </button>
      </div>
      <ul className={styles.counts}>
        {groups.map(({ key, names }) => (
          <li key={key}>
            <strong>{t(key, { count: names.length })}</strong>
            {names.length > 0 && <div className={styles.countNames}>{names.join(', ')}</div>}
          </li>
        ))}
        <li>{t('sources.refreshUnchanged', { count: result.unchanged })}</li>
      </ul>
    </section>
  );
}

/** Labels of the config keys the form knows; any other key shows as it is stored. */
const CONFIG_LABELS: Record<string, MessageKey> = {
  command: 'sources.command',
  args: 'sources.args',
  env: 'sources.env',
  cwd: 'sources.cwd',
  idleStopSeconds: 'sources.idleStop',
  startOnBoot: 'sources.startOnBoot',
  urls: 'sources.urls',
  selection: 'sources.selection',
  headers: 'sources.headers',
  documentUrl: 'sources.documentUrl',
  baseUrl: 'sources.baseUrl',
  operations: 'sources.operationsPicked',
  toolNameTemplate: 'sources.toolNameTemplate',
  refreshIntervalSeconds: 'sources.refreshInterval',
  resilience: 'sources.resilience',
};

/** The settings as saved: the config's values, and secrets by name only. */
function SourceSettings({ source }: { source: Source }) {
  const t = useT();
  const entries = Object.entries(source.config).filter(([key]) => key !== 'document');
  const uploaded = typeof source.config.document === 'string' ? source.config.document : null;
  return (
    <section className="card" aria-labelledby="settings-heading">
      <div className="section-header">
        <h2 id="settings-heading">{t('sources.settings')}</h2>
      </div>
      <dl className="kv">
        {entries.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{CONFIG_LABELS[key] ? t(CONFIG_LABELS[key]) : key}</dt>
            <dd className={styles.configValue}>{configText(value)}</dd>
          </Fragment>
        ))}
        {uploaded !== null && (
          <>
            <dt>{t('sources.documentLegend')}</dt>
            <dd className="muted">{t('sources.uploadedDocument', { size: Math.ceil(uploaded.length / 1024) })}</dd>
          </>
        )}
        <dt>{t('sources.secrets')}</dt>
        <dd>
          <StoredSecretNames names={source.secretNames} />
        </dd>
      </dl>
    </section>
  );
}

/** Lists one per line; a flat object as "name: value" lines; anything else as JSON. */
function configText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join('\n');
  if (value && typeof value === 'object' && Object.values(value).every((item) => item === null || typeof item !== 'object')) {
    return Object.entries(value)
      .map(([name, item]) => `${name}: ${String(item)}`)
      .join('\n');
  }
  return JSON.stringify(value, null, 2);
}

function SourceTools({ source }: { source: Source }) {
  const t = useT();
  const tools = useQuery(toolListQueryOptions({ sourceId: source.id }));
  const columns = [t('sources.toolColName'), t('sources.toolColEnabled'), t('sources.toolColStatus'), t('sources.toolColVersion')];

  let body;
  if (tools.isPending) body = <TableSkeleton columns={columns} label={t('sources.loadingTools')} rows={3} />;
  else if (tools.isError) body = <ErrorNotice error={tools.error} title={t('sources.toolsError')} onRetry={() => void tools.refetch()} />;
  else if (tools.data.items.length === 0) body = <EmptyState title={t('sources.noToolsTitle')} body={t('sources.noToolsBody')} />;
  else
    body = (
      <div className="table-wrap">
        <table className="table">
          <TableHead columns={columns} />
          <tbody>
            {tools.data.items.map((tool) => (
              <tr key={tool.id}>
                <td>
                  <Link href={toolHref(tool.id)} className="cell-title cell-link">
                    <code>{tool.name}</code>
                  </Link>
                  {(tool.title || tool.description) && <div className="cell-subtitle">{tool.title ?? tool.description.split('\n')[0]}</div>}
                </td>
                <td>
                  <span className={tool.enabled ? 'status status-on' : 'status status-off'}>{tool.enabled ? t('common.enabled') : t('common.disabled')}</span>
                </td>
                <td>{tool.status === 'removed' ? <span className="status status-danger">{t('sources.toolRemoved')}</span> : <span className="muted">{t('sources.toolActive')}</span>}</td>
                <td className="cell-nowrap">v{tool.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <section className="section" aria-labelledby="tools-heading">
      <div className="section-header">
        <h2 id="tools-heading">{t('sources.tools')}</h2>
        <Link href="/tools" className={`button button-ghost button-small ${styles.buttonLink}`}>
          {t('sources.openCatalog')}
        </Link>
      </div>
      {source.kind !== 'builtin' && <p className={`muted ${styles.sectionIntro}`}>{t('sources.toolsIntro')}</p>}
      {body}
    </section>
  );
}
