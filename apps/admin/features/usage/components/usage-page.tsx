'use client';

// Usage: the selected tenant's calls and errors in one calendar month (UTC), per group, key or tool, most calls
// first. Fed by GET /api/v1/usage; names come from the call-log facets, which everyone who may read usage may read.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useLogFacets, type LogFacets } from '@/features/call-logs/facets';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { TableHead } from '@/features/ui/table-head';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useLocale, useT, type Translate } from '@/i18n/locale-provider';
import type { Usage, UsageBy, UsageRow } from '../api';
import { currentMonth, monthFromParam } from '../month';
import { usageQueryOptions } from '../queries';
import styles from './usage.module.css';

const DIMENSIONS: readonly UsageBy[] = ['group', 'key', 'tool'];
const BAR_WIDTH = 160;
const BAR_HEIGHT = 10;

export function UsagePage() {
  const t = useT();
  const searchParams = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const month = monthFromParam(searchParams.get('month'));
  const byParam = searchParams.get('by');
  const by: UsageBy = DIMENSIONS.find((d) => d === byParam) ?? 'group';
  const facets = useLogFacets();
  const usage = useQuery(usageQueryOptions(month, by));

  const navigate = useCallback(
    (name: 'month' | 'by', value: string) => {
      const params = new URLSearchParams(searchParams.toString());
      params.set(name, value);
      router.replace(`${pathname}?${params.toString()}`, { scroll: false });
    },
    [searchParams, router, pathname],
  );

  // Every failed load is a toast; a table already on screen stays there.
  const reported = useRef<unknown>(null);
  useEffect(() => {
    if (usage.isError && usage.error !== reported.current) {
      reported.current = usage.error;
      toast.error(usage.error, { titleKey: 'usage.loadError' });
    }
  }, [usage.isError, usage.error]);

  const columns = [t(`usage.col.${by}`), t('usage.colCalls'), t('usage.colErrors'), t('usage.colErrorRate'), t('usage.colShare')];

  let body: ReactNode;
  if (usage.isPending) body = <TableSkeleton columns={columns} rows={4} label={t('usage.loading')} />;
  else if (!usage.data)
    body = (
      <EmptyState
        title={t('usage.loadError')}
        action={
          <button type="button" className="button button-secondary" onClick={() => void usage.refetch()}>
            {t('common.retry')}
          </button>
        }
      />
    );
  else body = <UsageTable usage={usage.data} by={by} facets={facets} columns={columns} refreshing={usage.isFetching} />;

  return (
    <>
      <PageHeader title={t('usage.title')} description={t('usage.intro')} />
      <div className={styles.toolbar}>
        <label className="inline-field">
          <span className="inline-field-label">{t('usage.month')}</span>
          <input
            className="input"
            type="month"
            value={month}
            max={currentMonth()}
            required
            onChange={(event) => event.target.value && navigate('month', event.target.value)}
          />
        </label>
        <label className="inline-field">
          <span className="inline-field-label">{t('usage.by')}</span>
          <select className="select" value={by} onChange={(event) => navigate('by', event.target.value)}>
            {DIMENSIONS.map((dimension) => (
              <option key={dimension} value={dimension}>
                {t(`usage.by.${dimension}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {body}
    </>
  );
}

function UsageTable({ usage, by, facets, columns, refreshing }: { usage: Usage; by: UsageBy; facets: LogFacets; columns: string[]; refreshing: boolean }) {
  const t = useT();
  const format = useFormat();
  const { languageTag } = useLocale();
  const percent = useMemo(() => new Intl.NumberFormat(languageTag, { style: 'percent', maximumFractionDigits: 1 }), [languageTag]);
  const monthLabel = useMemo(
    () => new Intl.DateTimeFormat(languageTag, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(usage.from)),
    [languageTag, usage.from],
  );
  const rate = (calls: number, errors: number) => (calls > 0 ? percent.format(errors / calls) : '—');

  const summary = (
    <dl className={styles.totals} aria-label={t('usage.totals', { month: monthLabel })}>
      <div>
        <dt>{t('usage.totalCalls')}</dt>
        <dd>{format.number(usage.total.calls)}</dd>
      </div>
      <div>
        <dt>{t('usage.totalErrors')}</dt>
        <dd>{format.number(usage.total.errors)}</dd>
      </div>
      <div>
        <dt>{t('usage.colErrorRate')}</dt>
        <dd>{rate(usage.total.calls, usage.total.errors)}</dd>
      </div>
    </dl>
  );

  if (usage.items.length === 0) {
    return (
      <>
        {summary}
        <EmptyState title={t('usage.emptyTitle', { month: monthLabel })} body={t('usage.emptyBody')} />
      </>
    );
  }

  const max = Math.max(...usage.items.map((item) => item.calls), 1);
  return (
    <div className={refreshing ? styles.refreshing : undefined}>
      {summary}
      <div className="table-wrap">
        <table className="table table-compact" aria-label={t('usage.tableLabel', { month: monthLabel })}>
          <TableHead columns={columns} />
          <tbody>
            {usage.items.map((item, index) => {
              const { name, details } = describeRow(item, by, facets, t);
              const okWidth = ((item.calls - item.errors) / max) * BAR_WIDTH;
              const errorWidth = (item.errors / max) * BAR_WIDTH;
              return (
                <tr key={item.id ?? `unmatched-${index}`}>
                  <td>
                    <div className="cell-title">{name}</div>
                    {details && <div className="cell-subtitle">{details}</div>}
                  </td>
                  <td className={styles.number}>{format.number(item.calls)}</td>
                  <td className={styles.number}>{format.number(item.errors)}</td>
                  <td className={styles.number}>{rate(item.calls, item.errors)}</td>
                  <td>
                    <svg width={BAR_WIDTH} height={BAR_HEIGHT} aria-hidden="true" className={styles.bar}>
                      <rect x={0} y={0} width={BAR_WIDTH} height={BAR_HEIGHT} rx={3} className={styles.barTrack} />
                      <rect x={0} y={0} width={okWidth} height={BAR_HEIGHT} rx={3} className={styles.barOk} />
                      {item.errors > 0 && <rect x={okWidth} y={0} width={Math.max(1.5, errorWidth)} height={BAR_HEIGHT} className={styles.barError} />}
                    </svg>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The row's name as the call-log explorer shows it (the facets' current name, else the API's), and a second line. */
function describeRow(item: UsageRow, by: UsageBy, facets: LogFacets, t: Translate): { name: string; details?: string } {
  if (by === 'group') return { name: facets.groupName(item.id) ?? item.name ?? t('usage.deletedGroup') };
  if (by === 'key') {
    const key = facets.keys.find((k) => k.id === item.id);
    const prefix = key?.prefix ?? item.prefix;
    const group = facets.groupName(key?.groupId ?? item.groupId ?? null);
    return {
      name: key?.name ?? item.name ?? t('usage.deletedKey'),
      details: [prefix ? `${prefix}_…` : '', group ? t('usage.inGroup', { group }) : ''].filter(Boolean).join(' · ') || undefined,
    };
  }
  if (item.id === null) return { name: item.name ?? t('usage.unknownTool'), details: t('usage.unmatchedTool') };
  return { name: facets.tools.find((tool) => tool.id === item.id)?.name ?? item.name ?? t('usage.unknownTool') };
}
