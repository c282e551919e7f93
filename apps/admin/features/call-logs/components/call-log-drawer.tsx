'use client';

// One call in full, beside the table: who called what, how it ended, and the stored (redacted) arguments and
// result. Not modal: the table stays usable, and picking another row shows that one. Escape closes it and gives
// focus back to where it was.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { CopyButton } from '@/features/ui/copy-button';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { CallLog } from '../api';
import type { LogFacets } from '../facets';
import { callLogQueryOptions } from '../queries';
import { JsonBlock } from './json-block';
import { OutcomeBadge } from './outcome-badge';

export function CallLogDrawer({ id, facets, onClose }: { id: string; facets: LogFacets; onClose(): void }) {
  const t = useT();
  const titleId = useId();
  const log = useQuery(callLogQueryOptions(id));
  const panel = useRef<HTMLElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      // Back to the row (or button) that opened it, if it is still there.
      if (returnFocus.current?.isConnected) returnFocus.current.focus({ preventScroll: true });
    };
  }, []);

  // Focus follows the drawer only when it opens, not when another row is picked with the keyboard.
  useEffect(() => {
    panel.current?.focus({ preventScroll: true });
  }, []);

  return (
    <aside
      ref={panel}
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      tabIndex={-1}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="drawer-header">
        <div>
          <h2 id={titleId} className="drawer-title">
            {log.data?.toolName ?? t('logs.detailTitle')}
          </h2>
          {log.data && <OutcomeBadge outcome={log.data.outcome} />}
        </div>
        <button type="button" className="icon-button" aria-label={t('logs.closeDetail')} onClick={onClose}>
          ×
        </button>
      </div>
      <div className="drawer-body">
        {log.isPending ? (
          <BlockSkeleton label={t('logs.detailLoading')} lines={6} />
        ) : log.isError ? (
          <ErrorNotice error={log.error} title={t('logs.detailError')} onRetry={() => void log.refetch()} />
        ) : (
          <CallLogDetail log={log.data} facets={facets} />
        )}
      </div>
    </aside>
  );
}

function CallLogDetail({ log, facets }: { log: CallLog; facets: LogFacets }) {
  const t = useT();
  const format = useFormat();
  const group = facets.groupName(log.groupId);
  const key = facets.keyName(log.apiKeyId);
  const rows: [string, React.ReactNode][] = [
    [t('logs.colTime'), <time dateTime={log.createdAt}>{format.dateTime(log.createdAt)} · {log.createdAt}</time>],
    [t('logs.colOutcome'), log.errorCode ? `${t(`logs.outcome.${log.outcome}`)} · ${log.errorCode}` : t(`logs.outcome.${log.outcome}`)],
    [t('logs.colDuration'), log.upstreamDurationMs !== null
      ? t('logs.durationWithUpstream', { ms: format.number(log.durationMs), upstream: format.number(log.upstreamDurationMs) })
      : t('logs.ms', { ms: format.number(log.durationMs) })],
    [t('logs.colGroup'), group ?? log.groupId ?? '—'],
    [t('logs.colKey'), key ?? log.apiKeyId ?? '—'],
    [t('logs.method'), log.method],
    [t('logs.client'), log.clientName ? `${log.clientName}${log.clientVersion ? ` ${log.clientVersion}` : ''}` : '—'],
    [t('logs.callerIp'), log.callerIp ?? '—'],
    [t('logs.session'), log.sessionId ?? '—'],
  ];
  return (
    <>
      <dl className="kv drawer-kv">
        {rows.map(([label, value]) => (
          <div key={label} className="kv-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        <div className="kv-row">
          <dt>{t('logs.requestId')}</dt>
          <dd className="endpoint">
            <code>{log.requestId ?? '—'}</code>
            {log.requestId && <CopyButton value={log.requestId} label={t('logs.copyRequestId')} />}
          </dd>
        </div>
        <div className="kv-row">
          <dt>{t('logs.logId')}</dt>
          <dd>
            <code>{log.id}</code>
          </dd>
        </div>
      </dl>
      <section className="drawer-section" aria-label={t('logs.arguments')}>
        <h3 className="drawer-section-title">{t('logs.arguments')}</h3>
        <p className="field-hint">{t('logs.redactedHint')}</p>
        <JsonBlock value={log.arguments} copyLabel={t('logs.copyArguments')} />
      </section>
      <section className="drawer-section" aria-label={t('logs.result')}>
        <h3 className="drawer-section-title">{t('logs.result')}</h3>
        <JsonBlock value={log.resultSummary} copyLabel={t('logs.copyResult')} />
      </section>
    </>
  );
}
