'use client';

// The explorer's table: a virtualized ARIA grid fed page by page. Only the rows in view are in the DOM; when the
// end of the loaded rows comes into view, the next keyset page is fetched. Keyboard: arrows, Page Up/Down,
// Home/End move between rows, Enter opens the row's detail.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useFormat } from '@/i18n/format';
import { useLocale, useT } from '@/i18n/locale-provider';
import type { CallLog } from '../api';
import type { LogFacets } from '../facets';
import { jsonPreview } from './json-block';
import { OutcomeBadge } from './outcome-badge';
import { useVirtualRows } from './use-virtual-rows';

export const ROW_HEIGHT = 40;
const HEADER_HEIGHT = 36;
/** Fetch the next page when fewer than this many loaded rows are left below the viewport. */
const PREFETCH_ROWS = 30;

interface CallLogTableProps {
  rows: CallLog[];
  /** Total matching rows, when known (for screen readers' "row 5 of 1,200"). */
  total: number | null;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  nextPageFailed: boolean;
  fetchNextPage(): void;
  /** True while a text search is scanning: short pages are expected. */
  searching: boolean;
  facets: LogFacets;
  selectedId: string | null;
  onOpen(id: string): void;
}

export function CallLogTable(props: CallLogTableProps) {
  const { rows, total, hasNextPage, isFetchingNextPage, nextPageFailed, fetchNextPage, searching, facets, selectedId, onOpen } = props;
  const t = useT();
  const format = useFormat();
  const { languageTag } = useLocale();
  // Dense enough for a column, to the second: calls a second apart must read apart.
  const time = useMemo(
    () => new Intl.DateTimeFormat(languageTag, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
    [languageTag],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowRefs = useRef(new Map<number, HTMLDivElement>());
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);
  // The loading row after the last loaded one, while more pages may follow.
  const count = rows.length + (hasNextPage ? 1 : 0);
  const virtual = useVirtualRows(scrollRef, { count, rowHeight: ROW_HEIGHT, offset: HEADER_HEIGHT });

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !nextPageFailed && virtual.end >= rows.length - PREFETCH_ROWS) fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, nextPageFailed, virtual.end, rows.length, fetchNextPage]);

  // New filters start a new list: back to the top.
  const firstId = rows[0]?.id;
  useEffect(() => {
    setActive(0);
  }, [firstId]);

  // After a keyboard move the row may only now be rendered: focus it once it is.
  useEffect(() => {
    if (!focusPending.current) return;
    const element = rowRefs.current.get(active);
    if (element) {
      element.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  function moveTo(index: number) {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtual.scrollToIndex(next);
    focusPending.current = true;
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: rows.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]);
    } else if ((event.key === 'Enter' || event.key === ' ') && rows[active]) {
      event.preventDefault();
      onOpen(rows[active].id);
    }
  }

  const columns = [
    t('logs.colTime'),
    t('logs.colTool'),
    t('logs.colOutcome'),
    t('logs.colDuration'),
    t('logs.colGroup'),
    t('logs.colKey'),
    t('logs.colArguments'),
  ];

  const visible = [];
  for (let index = virtual.start; index < virtual.end; index++) {
    const style = { transform: `translateY(${index * ROW_HEIGHT}px)`, height: ROW_HEIGHT };
    const row = rows[index];
    if (!row) {
      visible.push(
        <div key="loader" role="row" className="log-row log-row-loader" style={style} aria-rowindex={index + 2}>
          <div role="gridcell" className="log-cell log-cell-span">
            {nextPageFailed ? (
              <>
                {t('logs.moreFailed')}{' '}
                <button type="button" className="button button-secondary button-small" onClick={fetchNextPage}>
                  {t('common.retry')}
                </button>
              </>
            ) : (
              <span className="muted">{searching ? t('logs.searchingOlder') : t('logs.loadingMore')}</span>
            )}
          </div>
        </div>,
      );
      continue;
    }
    const selected = row.id === selectedId;
    visible.push(
      <div
        key={row.id}
        ref={(element) => {
          if (element) rowRefs.current.set(index, element);
          else rowRefs.current.delete(index);
        }}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        tabIndex={index === active ? 0 : -1}
        className={selected ? 'log-row log-row-selected' : 'log-row'}
        style={style}
        onClick={() => {
          setActive(index);
          onOpen(row.id);
        }}
        onFocus={() => setActive(index)}
        data-log-id={row.id}
      >
        <div role="gridcell" className="log-cell log-cell-nowrap">
          <time dateTime={row.createdAt} title={format.dateTime(row.createdAt)}>
            {time.format(new Date(row.createdAt))}
          </time>
        </div>
        <div role="gridcell" className="log-cell log-cell-strong" title={row.toolName ?? undefined}>
          {row.toolName ?? <span className="muted">{row.method}</span>}
        </div>
        <div role="gridcell" className="log-cell">
          <OutcomeBadge outcome={row.outcome} />
        </div>
        <div role="gridcell" className="log-cell log-cell-number">
          {t('logs.ms', { ms: format.number(row.durationMs) })}
        </div>
        <div role="gridcell" className="log-cell">
          {facets.groupName(row.groupId) ?? <span className="muted">{shortId(row.groupId)}</span>}
        </div>
        <div role="gridcell" className="log-cell">
          {facets.keyName(row.apiKeyId) ?? <span className="muted">{shortId(row.apiKeyId)}</span>}
        </div>
        <div role="gridcell" className="log-cell log-cell-mono">
          {jsonPreview(row.arguments)}
        </div>
      </div>,
    );
  }

  return (
    <div
      ref={scrollRef}
      className="log-grid"
      role="grid"
      aria-label={t('logs.tableLabel')}
      aria-rowcount={total !== null ? total + 1 : -1}
      aria-busy={isFetchingNextPage}
      // As tall as its rows, up to the viewport's room (CSS max-height); then it scrolls.
      style={{ height: HEADER_HEIGHT + virtual.totalHeight + 2 }}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="log-head">
        <div role="row" aria-rowindex={1} className="log-row log-row-head">
          {columns.map((column) => (
            <div key={column} role="columnheader" className="log-cell">
              {column}
            </div>
          ))}
        </div>
      </div>
      <div role="rowgroup" className="log-body" style={{ height: virtual.totalHeight }}>
        {visible}
      </div>
    </div>
  );
}

function shortId(id: string | null): string {
  return id ? `${id.slice(0, 8)}…` : '—';
}
