'use client';

// The tenant's tool catalog: search by name or description, filter by source,
// group and state; enable or disable a tool. Filters live in the URL, so a
// filtered list survives going to a tool and back.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { sourceListQueryOptions } from '@/features/sources/queries';
import { toolGroupListQueryOptions } from '@/features/tool-groups/queries';
import { EmptyState } from '@/features/ui/empty-state';
import { SelectField, TextField } from '@/features/ui/form-fields';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { Tool, ToolFilters } from '../api';
import { toolListQueryOptions } from '../queries';
import { ToolStatus } from './tool-status';
import { useToolToggle } from './use-tool-toggle';
import { TableHead } from '@/features/ui/table-head';

const SEARCH_DELAY_MS = 250;

function filtersFrom(params: URLSearchParams): ToolFilters {
  const enabled = params.get('enabled');
  return {
    q: params.get('q') || undefined,
    sourceId: params.get('source') || undefined,
    groupId: params.get('group') || undefined,
    enabled: enabled === 'true' ? true : enabled === 'false' ? false : undefined,
  };
}

export function ToolsPage() {
  const t = useT();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = filtersFrom(params);
  const [search, setSearch] = useState(filters.q ?? '');
  const tools = useQuery({ ...toolListQueryOptions(filters), placeholderData: keepPreviousData });
  const sources = useQuery(sourceListQueryOptions());
  const groups = useQuery(toolGroupListQueryOptions());

  function setParam(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  // The search box updates the URL (and the query) once typing pauses.
  useEffect(() => {
    if (search === (filters.q ?? '')) return;
    const timer = window.setTimeout(() => setParam('q', search.trim()), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
    // Typing alone restarts the wait; a URL change is not typing.
  }, [search]);

  const columns = [t('tools.colName'), t('tools.colSource'), t('tools.colStatus'), t('tools.colUpdated')];
  const filtered = Boolean(filters.q || filters.sourceId || filters.groupId || filters.enabled !== undefined);

  let body;
  if (tools.isPending) body = <TableSkeleton columns={columns} rows={6} label={t('tools.loading')} />;
  else if (tools.isError) body = <ErrorNotice error={tools.error} title={t('tools.loadError')} onRetry={() => void tools.refetch()} />;
  else if (tools.data.items.length === 0)
    body = filtered ? (
      <EmptyState
        title={t('tools.noMatchTitle')}
        body={t('tools.noMatchBody')}
        action={
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setSearch('');
              router.replace(pathname, { scroll: false });
            }}
          >
            {t('tools.clearFilters')}
          </button>
        }
      />
    ) : (
      <EmptyState title={t('tools.emptyTitle')} body={t('tools.emptyBody')} />
    );
  else body = <ToolsTable tools={tools.data.items} columns={columns} sourceName={(id) => sources.data?.items.find((s) => s.id === id)?.name} />;

  return (
    <>
      <PageHeader title={t('tools.title')} description={t('tools.intro')} />
      <div className="filters" role="search" aria-label={t('tools.filters')}>
        <TextField
          className="field-grow"
          label={t('common.search')}
          type="search"
          placeholder={t('tools.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <SelectField
          label={t('tools.filterSource')}
          value={filters.sourceId ?? ''}
          onChange={(e) => setParam('source', e.target.value)}
          options={[{ value: '', label: t('tools.allSources') }, ...(sources.data?.items ?? []).map((source) => ({ value: source.id, label: source.name }))]}
        />
        <SelectField
          label={t('tools.filterGroup')}
          value={filters.groupId ?? ''}
          onChange={(e) => setParam('group', e.target.value)}
          options={[{ value: '', label: t('tools.allGroups') }, ...(groups.data?.items ?? []).map((group) => ({ value: group.id, label: group.name }))]}
        />
        <SelectField
          label={t('tools.filterState')}
          value={filters.enabled === undefined ? '' : String(filters.enabled)}
          onChange={(e) => setParam('enabled', e.target.value)}
          options={[
            { value: '', label: t('common.all') },
            { value: 'true', label: t('common.enabled') },
            { value: 'false', label: t('common.disabled') },
          ]}
        />
      </div>
      <p className="visually-hidden" role="status">
        {tools.isSuccess ? t('tools.count', { count: tools.data.items.length }) : ''}
      </p>
      {body}
    </>
  );
}

function ToolsTable({ tools, columns, sourceName }: { tools: Tool[]; columns: string[]; sourceName: (id: string) => string | undefined }) {
  const t = useT();
  const format = useFormat();
  const { can } = useAccess();
  const canWrite = can('writeConfig');
  const toggle = useToolToggle();

  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <TableHead columns={columns} actions={canWrite} />
        <tbody>
          {tools.map((tool) => (
            <tr key={tool.id}>
              <td className="cell-wide">
                <Link href={`/tools/${tool.id}`} className="cell-title cell-link">
                  <code>{tool.name}</code>
                </Link>
                {(tool.title || tool.description) && <div className="cell-subtitle clamp-2">{tool.title ? `${tool.title} — ${tool.description}` : tool.description}</div>}
              </td>
              <td>{sourceName(tool.sourceId) ?? '—'}</td>
              <td>
                <ToolStatus tool={tool} />
              </td>
              <td className="cell-nowrap">
                <time dateTime={tool.updatedAt} title={format.dateTime(tool.updatedAt)}>
                  {format.date(tool.updatedAt)}
                </time>
              </td>
              {canWrite && (
                <td className="cell-actions">
                  {tool.status === 'active' && (
                    <button
                      type="button"
                      className="button button-small button-secondary"
                      aria-label={tool.enabled ? t('tools.disableLabel', { name: tool.name }) : t('tools.enableLabel', { name: tool.name })}
                      disabled={toggle.pendingId === tool.id}
                      onClick={() => toggle.toggle(tool)}
                    >
                      {tool.enabled ? t('common.disable') : t('common.enable')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {toggle.dialog}
    </div>
  );
}
