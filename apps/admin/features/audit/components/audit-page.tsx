'use client';

// Every admin change in the tenant, newest first: who did what to which object, and (expanded) the
// object before and after, with secrets already masked by the API. Filters are the API's own; pages
// come by cursor with "Load more".
import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useId, useState, type FormEvent } from 'react';
import { DiffView } from '@/features/sources/components/diff-view';
import { stableJson } from '@/features/sources/diff';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { EmptyState } from '@/features/ui/empty-state';
import { SelectField, TextField } from '@/features/ui/form-fields';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import type { MessageKey } from '@/i18n/en';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { AuditEvent, AuditFilters } from '../api';
import { auditEventsQueryOptions } from '../queries';
import styles from './audit.module.css';
import { TableHead } from '@/features/ui/table-head';

/** The actions the API records, with their labels; anything else shows as its code. */
const ACTION_LABELS: Record<string, MessageKey> = {
  'tenant.create': 'audit.actionTenantCreate',
  'tenant.update': 'audit.actionTenantUpdate',
  'tenant.platform_update': 'audit.actionTenantPlatformUpdate',
  'member.add': 'audit.actionMemberAdd',
  'member.update': 'audit.actionMemberUpdate',
  'member.remove': 'audit.actionMemberRemove',
  'group.create': 'audit.actionGroupCreate',
  'group.update': 'audit.actionGroupUpdate',
  'group.delete': 'audit.actionGroupDelete',
  'group.tool.add': 'audit.actionGroupToolAdd',
  'group.tool.update': 'audit.actionGroupToolUpdate',
  'group.tool.remove': 'audit.actionGroupToolRemove',
  'key.create': 'audit.actionKeyCreate',
  'key.update': 'audit.actionKeyUpdate',
  'key.rotate': 'audit.actionKeyRotate',
  'key.regenerate': 'audit.actionKeyRegenerate',
  'key.revoke': 'audit.actionKeyRevoke',
  'tool.create': 'audit.actionToolCreate',
  'tool.update': 'audit.actionToolUpdate',
  'tool.delete': 'audit.actionToolDelete',
  'tool_review.approve': 'audit.actionReviewApprove',
  'tool_review.reject': 'audit.actionReviewReject',
  'source.create': 'audit.actionSourceCreate',
  'source.update': 'audit.actionSourceUpdate',
  'source.delete': 'audit.actionSourceDelete',
  'call_logs.exported': 'audit.actionCallLogsExported',
};

const ENTITY_LABELS: Record<string, MessageKey> = {
  tenant: 'audit.entityTenant',
  membership: 'audit.entityMembership',
  group: 'audit.entityGroup',
  group_tool: 'audit.entityGroupTool',
  api_key: 'audit.entityApiKey',
  tool: 'audit.entityTool',
  source: 'audit.entitySource',
  call_logs: 'audit.entityCallLogs',
};

const EMPTY_FILTERS: Required<AuditFilters> = { action: '', entityType: '', entityId: '', actorUserId: '', from: '', to: '' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function AuditPage() {
  const t = useT();
  const [filters, setFilters] = useState<AuditFilters>({});
  const events = useInfiniteQuery(auditEventsQueryOptions(filters));
  const columns = [t('audit.colTime'), t('audit.colActor'), t('audit.colAction'), t('audit.colEntity'), t('audit.colDetails')];
  const filtered = Object.values(filters).some(Boolean);

  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  let body;
  if (events.isPending) body = <TableSkeleton columns={columns} label={t('audit.loading')} rows={6} />;
  // A failed "Load more" keeps the pages already shown (the query is in error then, with its data).
  else if (!events.data) body = <ErrorNotice error={events.error} title={t('audit.loadError')} onRetry={() => void events.refetch()} />;
  else if (items.length === 0)
    body = (
      <EmptyState
        title={filtered ? t('audit.emptyFilteredTitle') : t('audit.emptyTitle')}
        body={filtered ? t('audit.emptyFilteredBody') : t('audit.emptyBody')}
        action={
          filtered ? (
            <button type="button" className="button button-secondary" onClick={() => setFilters({})}>
              {t('audit.clearFilters')}
            </button>
          ) : null
        }
      />
    );
  else
    body = (
      <>
        <AuditTable
          events={items}
          columns={columns}
          busy={events.isPlaceholderData}
          onFilter={(changes) => setFilters((current) => ({ ...current, ...changes }))}
        />
        <div className={styles.more}>
          <span className="muted" aria-live="polite">
            {t('audit.shown', { count: items.length })}
          </span>
          {events.hasNextPage ? (
            <button type="button" className="button button-secondary" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
              {events.isFetchingNextPage ? t('common.loading') : t('audit.loadMore')}
            </button>
          ) : (
            <span className="muted">{t('audit.end')}</span>
          )}
        </div>
        {events.isFetchNextPageError && <ErrorNotice error={events.error} title={t('audit.loadMoreError')} />}
      </>
    );

  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.intro')} />
      <AuditFiltersForm key={JSON.stringify(filters)} filters={filters} onApply={setFilters} />
      {body}
    </>
  );
}

/** Local datetime-local text ("2026-05-01T09:30") as an ISO instant, or undefined. */
function toInstant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function AuditFiltersForm({ filters, onApply }: { filters: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const t = useT();
  const headingId = useId();
  // The form is remounted (keyed by the filters) when they change from outside, e.g. a click on an actor.
  const [draft, setDraft] = useState({ ...EMPTY_FILTERS, ...filters, from: toLocalInput(filters.from), to: toLocalInput(filters.to) });
  const [actorError, setActorError] = useState<string | null>(null);
  const set = (key: keyof AuditFilters, value: string) => setDraft((current) => ({ ...current, [key]: value }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const actor = draft.actorUserId.trim();
    if (actor && !UUID.test(actor)) {
      setActorError(t('audit.actorInvalid'));
      return;
    }
    setActorError(null);
    const next: AuditFilters = {
      action: draft.action || undefined,
      entityType: draft.entityType || undefined,
      entityId: draft.entityId.trim() || undefined,
      actorUserId: actor || undefined,
      from: toInstant(draft.from),
      to: toInstant(draft.to),
    };
    onApply(Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined)));
  }

  return (
    <form className={`card ${styles.filters}`} onSubmit={submit} aria-labelledby={headingId} noValidate>
      <h2 id={headingId} className="visually-hidden">
        {t('audit.filters')}
      </h2>
      <div className={styles.filterGrid}>
        <SelectField
          label={t('audit.filterAction')}
          value={draft.action}
          onChange={(e) => set('action', e.target.value)}
          options={[{ value: '', label: t('common.all') }, ...Object.entries(ACTION_LABELS).map(([value, key]) => ({ value, label: `${t(key)} (${value})` }))]}
        />
        <SelectField
          label={t('audit.filterEntityType')}
          value={draft.entityType}
          onChange={(e) => set('entityType', e.target.value)}
          options={[{ value: '', label: t('common.all') }, ...Object.entries(ENTITY_LABELS).map(([value, key]) => ({ value, label: t(key) }))]}
        />
        <TextField label={t('audit.filterEntityId')} value={draft.entityId} onChange={(e) => set('entityId', e.target.value)} spellCheck={false} className={styles.monoField} />
        <TextField
          label={t('audit.filterActor')}
          value={draft.actorUserId}
          onChange={(e) => set('actorUserId', e.target.value)}
          error={actorError}
          hint={t('audit.filterActorHint')}
          spellCheck={false}
          className={styles.monoField}
        />
        <TextField label={t('audit.filterFrom')} type="datetime-local" value={draft.from} onChange={(e) => set('from', e.target.value)} />
        <TextField label={t('audit.filterTo')} type="datetime-local" value={draft.to} onChange={(e) => set('to', e.target.value)} />
      </div>
      <div className={styles.filterActions}>
        <button type="button" className="button button-secondary" onClick={() => onApply({})}>
          {t('audit.clearFilters')}
        </button>
        <button type="submit" className="button button-primary">
          {t('audit.applyFilters')}
        </button>
      </div>
    </form>
  );
}

interface AuditTableProps {
  events: AuditEvent[];
  columns: string[];
  /** The rows are the previous filters' while the new ones load. */
  busy: boolean;
  onFilter: (changes: AuditFilters) => void;
}

function AuditTable({ events, columns, busy, onFilter }: AuditTableProps) {
  const t = useT();
  const format = useFormat();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className={busy ? `table-wrap ${styles.busy}` : 'table-wrap'} aria-busy={busy}>
      <table className="table">
        <TableHead columns={columns} />
        <tbody>
          {events.map((event) => {
            const expanded = open.has(event.id);
            const label = ACTION_LABELS[event.action];
            const entityLabel = ENTITY_LABELS[event.entityType];
            return (
              <Fragment key={event.id}>
                <tr className={expanded ? styles.openRow : undefined}>
                  <td className="cell-nowrap">
                    <time dateTime={event.createdAt}>{format.dateTime(event.createdAt)}</time>
                  </td>
                  <td>
                    {event.actorUserId ? (
                      <button
                        type="button"
                        className={styles.linkButton}
                        title={t('audit.filterByActor')}
                        onClick={() => onFilter({ actorUserId: event.actorUserId ?? undefined })}
                      >
                        {event.actorEmail ?? event.actorUserId}
                      </button>
                    ) : (
                      <span className="muted">{t('audit.system')}</span>
                    )}
                  </td>
                  <td>
                    <div className="cell-title">{label ? t(label) : event.action}</div>
                    <code className="cell-subtitle">{event.action}</code>
                  </td>
                  <td>
                    <div>{entityLabel ? t(entityLabel) : event.entityType}</div>
                    {event.entityId && (
                      <button
                        type="button"
                        className={`${styles.linkButton} ${styles.entityId}`}
                        title={t('audit.filterByEntity')}
                        onClick={() => onFilter({ entityType: event.entityType, entityId: event.entityId ?? undefined })}
                      >
                        {event.entityId}
                      </button>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-expanded={expanded}
                      aria-controls={`audit-${event.id}`}
                      onClick={() => toggle(event.id)}
                      aria-label={t(expanded ? 'audit.hideDetailsOf' : 'audit.showDetailsOf', { action: event.action })}
                    >
                      {expanded ? t('audit.hideDetails') : t('audit.showDetails')}
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr id={`audit-${event.id}`} className={styles.detailRow}>
                    <td colSpan={columns.length}>
                      <EventDetails event={event} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EventDetails({ event }: { event: AuditEvent }) {
  const t = useT();
  const before = event.before === null ? '' : stableJson(event.before);
  const after = event.after === null ? '' : stableJson(event.after);
  return (
    <div className={styles.details}>
      <dl className="kv">
        <dt>{t('audit.requestId')}</dt>
        <dd>
          <code>{event.requestId ?? '—'}</code>
        </dd>
        <dt>{t('audit.ip')}</dt>
        <dd>
          <code>{event.ip ?? '—'}</code>
        </dd>
        {event.actorUserId && (
          <>
            <dt>{t('audit.actorId')}</dt>
            <dd>
              <code>{event.actorUserId}</code>
            </dd>
          </>
        )}
      </dl>
      {before === '' && after === '' ? (
        <p className="muted">{t('audit.noChanges')}</p>
      ) : (
        <DiffView
          before={before}
          after={after}
          beforeLabel={event.before === null ? t('audit.beforeNone') : t('audit.before')}
          afterLabel={event.after === null ? t('audit.afterNone') : t('audit.after')}
          caption={t('audit.diffCaption', { action: event.action })}
        />
      )}
      <p className="field-hint">{t('audit.maskedHint')}</p>
    </div>
  );
}
