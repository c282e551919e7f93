'use client';

// Dashboards: calls per minute, error rate, latency percentiles, top tools and keys, and the groups compared,
// for the whole tenant or one group, over a chosen time range (kept in the URL). Fed by GET /api/v1/stats.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useLogFacets } from '@/features/call-logs/facets';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useLocale, useT } from '@/i18n/locale-provider';
import type { Stats } from '../api';
import { statsQueryOptions } from '../queries';
import { rangeFromParams, writeRangeParams, type TimeRange } from '../time-range';
import { BarListChart, type BarRow } from './charts/bar-list-chart';
import { TimeSeriesChart } from './charts/time-series-chart';
import { TimeRangePicker } from './time-range-picker';
import './dashboards.css';

const DEFAULT_RANGE: TimeRange = { kind: 'preset', preset: '24h' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLORS = { calls: '#3656d6', errors: '#b42318', p50: '#0e9384', p95: '#dc6803', p99: '#b42318' };

export function DashboardsPage() {
  const t = useT();
  const searchParams = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const range = useMemo(() => rangeFromParams(new URLSearchParams(searchParams.toString()), DEFAULT_RANGE), [searchParams]);
  const groupParam = searchParams.get('group');
  const groupId = groupParam && UUID.test(groupParam) ? groupParam : undefined;
  const facets = useLogFacets();
  const stats = useQuery(statsQueryOptions({ range, groupId }));

  const navigate = useCallback(
    (change: (params: URLSearchParams) => void) => {
      const params = new URLSearchParams(searchParams.toString());
      change(params);
      router.replace(`${pathname}?${params.toString()}`, { scroll: false });
    },
    [searchParams, router, pathname],
  );

  // A failed refresh keeps the last charts on screen: say so in a toast rather than replacing them.
  const reported = useRef<unknown>(null);
  useEffect(() => {
    if (stats.isError && stats.data && stats.error !== reported.current) {
      reported.current = stats.error;
      toast.error(stats.error, { titleKey: 'dashboards.refreshError' });
    }
  }, [stats.isError, stats.data, stats.error]);

  const groupOptions = facets.groups;
  const toolbar = (
    <div className="dash-toolbar">
      <label className="inline-field">
        <span className="inline-field-label">{t('dashboards.scope')}</span>
        <select
          className="select"
          value={groupId ?? ''}
          onChange={(event) =>
            navigate((params) => {
              if (event.target.value) params.set('group', event.target.value);
              else params.delete('group');
            })
          }
        >
          <option value="">{t('dashboards.wholeTenant')}</option>
          {groupId && !groupOptions.some((g) => g.id === groupId) && <option value={groupId}>{`${groupId.slice(0, 8)}…`}</option>}
          {groupOptions.map((group) => (
            <option key={group.id} value={group.id}>
              {group.name}
            </option>
          ))}
        </select>
      </label>
      <TimeRangePicker value={range} onChange={(next) => navigate((params) => writeRangeParams(params, next))} options={['15m', '1h', '24h', '7d']} />
    </div>
  );

  let body: ReactNode;
  if (stats.isPending) {
    body = (
      <div className="dash-grid">
        <BlockSkeleton label={t('dashboards.loading')} lines={2} />
        <BlockSkeleton label={t('dashboards.loading')} lines={5} />
        <BlockSkeleton label={t('dashboards.loading')} lines={5} />
      </div>
    );
  } else if (stats.isError && !stats.data) {
    body = <ErrorNotice error={stats.error} title={t('dashboards.loadError')} onRetry={() => void stats.refetch()} />;
  } else {
    body = <StatsView stats={stats.data!} facets={facets} groupScoped={groupId !== undefined} refreshing={stats.isFetching} />;
  }

  return (
    <>
      <PageHeader title={t('dashboards.title')} description={t('dashboards.intro')} />
      {toolbar}
      {body}
    </>
  );
}

function StatsView({
  stats,
  facets,
  groupScoped,
  refreshing,
}: {
  stats: Stats;
  facets: ReturnType<typeof useLogFacets>;
  groupScoped: boolean;
  refreshing: boolean;
}) {
  const t = useT();
  const format = useFormat();
  const { languageTag } = useLocale();
  const { totals } = stats;
  const minutesPerBucket = stats.bucketSeconds / 60;
  const rangeMinutes = (Date.parse(stats.to) - Date.parse(stats.from)) / 60_000;

  const timeFormats = useMemo(() => {
    const days = rangeMinutes / 1440;
    const tick = new Intl.DateTimeFormat(languageTag, days > 2 ? { month: 'numeric', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' });
    const full = new Intl.DateTimeFormat(languageTag, { dateStyle: 'medium', timeStyle: 'short' });
    return { tick: (iso: string) => tick.format(new Date(iso)), full: (iso: string) => full.format(new Date(iso)) };
  }, [languageTag, rangeMinutes]);

  const decimal = useMemo(() => new Intl.NumberFormat(languageTag, { maximumFractionDigits: 2 }), [languageTag]);
  const percent = useMemo(() => new Intl.NumberFormat(languageTag, { style: 'percent', maximumFractionDigits: 2 }), [languageTag]);
  const ms = (value: number | null) => (value === null ? '—' : t('dashboards.ms', { ms: format.number(Math.round(value)) }));

  if (totals.calls === 0) {
    return (
      <>
        <Tiles stats={stats} decimal={decimal} percent={percent} ms={ms} />
        <EmptyState title={t('dashboards.emptyTitle')} body={t('dashboards.emptyBody')} />
      </>
    );
  }

  const times = stats.series.map((point) => point.t);
  const describe = (row: BarRow) => t('dashboards.barTooltip', { calls: format.number(row.value), errors: format.number(row.errors) });

  const toolRows: BarRow[] = stats.topTools.map((tool, index) => ({
    id: tool.toolId ?? `unknown-${index}`,
    label: tool.toolName ?? t('dashboards.unknownTool'),
    value: tool.calls,
    errors: tool.errors,
  }));
  const keyRows: BarRow[] = stats.topKeys.map((key) => {
    const group = facets.groupName(key.groupId);
    return {
      id: key.keyId,
      label: key.name ?? t('dashboards.deletedKey'),
      value: key.calls,
      errors: key.errors,
      details: [key.prefix ? `${key.prefix}_…` : '', group ? t('dashboards.inGroup', { group }) : ''].filter(Boolean),
    };
  });
  const groupRows: BarRow[] = stats.groups.map((group) => ({
    id: group.groupId,
    label: group.name ?? t('dashboards.deletedGroup'),
    value: group.calls,
    errors: group.errors,
    details: [t('dashboards.groupLatency', { p50: ms(group.p50), p95: ms(group.p95), p99: ms(group.p99) })],
  }));

  return (
    <div className={refreshing ? 'dash-body dash-refreshing' : 'dash-body'}>
      <Tiles stats={stats} decimal={decimal} percent={percent} ms={ms} />
      <ChartCard title={t('dashboards.callsPerMinute')} hint={t('dashboards.bucketHint', { bucket: t(`dashboards.bucket.${stats.bucket}`) })}>
        <TimeSeriesChart
          label={t('dashboards.callsPerMinute')}
          times={times}
          series={[
            { id: 'calls', label: t('dashboards.callsPerMinute'), color: COLORS.calls, values: stats.series.map((p) => p.calls / minutesPerBucket) },
          ]}
          area
          minYMax={1}
          formatValue={(v) => decimal.format(v)}
          formatTick={timeFormats.tick}
          formatTime={timeFormats.full}
        />
      </ChartCard>
      <div className="dash-grid">
        <ChartCard title={t('dashboards.errorRate')}>
          <TimeSeriesChart
            label={t('dashboards.errorRate')}
            times={times}
            series={[
              {
                id: 'errors',
                label: t('dashboards.errorRate'),
                color: COLORS.errors,
                values: stats.series.map((p) => (p.calls > 0 ? p.errors / p.calls : null)),
              },
            ]}
            area
            minYMax={0.01}
            height={180}
            formatValue={(v) => percent.format(v)}
            formatTick={timeFormats.tick}
            formatTime={timeFormats.full}
          />
        </ChartCard>
        <ChartCard title={t('dashboards.latency')}>
          <TimeSeriesChart
            label={t('dashboards.latency')}
            times={times}
            series={(['p50', 'p95', 'p99'] as const).map((p) => ({
              id: p,
              label: p,
              color: COLORS[p],
              values: stats.series.map((point) => point[p]),
            }))}
            minYMax={10}
            height={180}
            formatValue={(v) => t('dashboards.ms', { ms: format.number(Math.round(v)) })}
            formatTick={timeFormats.tick}
            formatTime={timeFormats.full}
          />
        </ChartCard>
        <ChartCard title={t('dashboards.topTools')}>
          <BarListChart label={t('dashboards.topTools')} rows={toolRows} formatValue={format.number} describe={describe} emptyText={t('dashboards.noCalls')} />
        </ChartCard>
        <ChartCard title={t('dashboards.topKeys')}>
          <BarListChart label={t('dashboards.topKeys')} rows={keyRows} formatValue={format.number} describe={describe} emptyText={t('dashboards.noCalls')} />
        </ChartCard>
      </div>
      {!groupScoped && (
        <ChartCard title={t('dashboards.byGroup')}>
          <BarListChart label={t('dashboards.byGroup')} rows={groupRows} formatValue={format.number} describe={describe} emptyText={t('dashboards.noCalls')} />
        </ChartCard>
      )}
    </div>
  );
}

function Tiles({
  stats,
  decimal,
  percent,
  ms,
}: {
  stats: Stats;
  decimal: Intl.NumberFormat;
  percent: Intl.NumberFormat;
  ms(value: number | null): string;
}) {
  const t = useT();
  const format = useFormat();
  const { totals } = stats;
  const minutes = Math.max(1, (Date.parse(stats.to) - Date.parse(stats.from)) / 60_000);
  const tiles: [string, string][] = [
    [t('dashboards.totalCalls'), format.number(totals.calls)],
    [t('dashboards.avgPerMinute'), decimal.format(totals.calls / minutes)],
    [t('dashboards.errorRate'), percent.format(totals.errorRate)],
    ['p50', ms(totals.p50)],
    ['p95', ms(totals.p95)],
    ['p99', ms(totals.p99)],
  ];
  return (
    <dl className="dash-tiles" aria-label={t('dashboards.totals')}>
      {tiles.map(([label, value]) => (
        <div key={label} className="dash-tile">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ChartCard({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <section className="card dash-card" aria-label={title}>
      <div className="dash-card-header">
        <h2 className="card-title">{title}</h2>
        {hint && <span className="field-hint">{hint}</span>}
      </div>
      {children}
    </section>
  );
}
