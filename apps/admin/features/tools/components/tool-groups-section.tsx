'use client';

// The groups serving a tool, with the name and description agents see there;
// add the tool to another group, change or remove its place in one.
import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import type { GroupTool, ToolGroup } from '@/features/tool-groups/api';
import { GroupToolDialog } from '@/features/tool-groups/components/group-tool-dialog';
import { groupHref } from '@/features/tool-groups/components/group-links';
import { groupToolsQueryOptions, toolGroupListQueryOptions, useAssignGroupTool, useUnassignGroupTool } from '@/features/tool-groups/queries';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { EmptyState } from '@/features/ui/empty-state';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import type { Tool } from '../api';
import { TableHead } from '@/features/ui/table-head';

interface Placement {
  group: ToolGroup;
  assignment: GroupTool;
}

type Dialog = { kind: 'add' } | { kind: 'edit' | 'remove'; placement: Placement } | null;

export function ToolGroupsSection({ tool }: { tool: Tool }) {
  const t = useT();
  const { can } = useAccess();
  const canWrite = can('writeConfig') && tool.status === 'active';
  const groups = useQuery(toolGroupListQueryOptions());
  // The API has no "groups of a tool" read: each group's tool list (shared with the group pages' cache) answers it.
  const groupTools = useQueries({
    queries: (groups.data?.items ?? []).map((group) => groupToolsQueryOptions(group.id)),
  });
  const assign = useAssignGroupTool({ errorToast: false });
  const unassign = useUnassignGroupTool();
  const [dialog, setDialog] = useState<Dialog>(null);

  function close() {
    setDialog(null);
    assign.reset();
    unassign.reset();
  }

  const loading = groups.isPending || groupTools.some((query) => query.isPending);
  const failed = groups.error ?? groupTools.find((query) => query.isError)?.error;
  const placements: Placement[] = [];
  (groups.data?.items ?? []).forEach((group, index) => {
    const assignment = groupTools[index]?.data?.items.find((item) => item.toolId === tool.id);
    if (assignment) placements.push({ group, assignment });
  });
  const available = (groups.data?.items ?? []).filter((group) => !placements.some((p) => p.group.id === group.id));

  const columns = [t('tools.colGroup'), t('tools.colExposedAs'), t('tools.colDescriptionThere'), t('tools.colInGroup')];
  const addButton = canWrite ? (
    <button type="button" className="button button-secondary" onClick={() => setDialog({ kind: 'add' })} disabled={loading}>
      {t('tools.addToGroup')}
    </button>
  ) : null;

  let body;
  if (loading) body = <TableSkeleton columns={columns} rows={2} label={t('tools.groupsLoading')} />;
  else if (failed) body = <ErrorNotice error={failed} title={t('tools.groupsLoadError')} onRetry={() => void groups.refetch()} />;
  else if (placements.length === 0) body = <EmptyState title={t('tools.noGroupsTitle')} body={t('tools.noGroupsBody')} action={addButton} />;
  else
    body = (
      <div className="table-wrap">
        <table className="table table-compact">
          <TableHead columns={columns} actions={canWrite} />
          <tbody>
            {placements.map((placement) => (
              <tr key={placement.group.id}>
                <td>
                  <Link href={groupHref(placement.group)} className="cell-title cell-link">
                    {placement.group.name}
                  </Link>
                </td>
                <td>
                  <code>{placement.assignment.exposedName}</code>
                </td>
                <td className="cell-subtitle">{placement.assignment.description ?? t('tools.toolsOwnDescription')}</td>
                <td>
                  <span className={placement.assignment.enabled ? 'status status-on' : 'status status-off'}>
                    {placement.assignment.enabled ? t('common.enabled') : t('common.disabled')}
                  </span>
                </td>
                {canWrite && (
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button button-small button-secondary"
                      aria-label={t('tools.editInGroupLabel', { group: placement.group.name })}
                      onClick={() => setDialog({ kind: 'edit', placement })}
                    >
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      className="button button-small button-secondary button-danger-text"
                      aria-label={t('tools.removeFromGroupLabel', { group: placement.group.name })}
                      onClick={() => setDialog({ kind: 'remove', placement })}
                    >
                      {t('groups.removeTool')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <section className="section" aria-labelledby="tool-groups-heading">
      <div className="section-header">
        <div>
          <h2 id="tool-groups-heading">{t('tools.groupsTitle')}</h2>
          <p className="muted">{t('tools.groupsIntro')}</p>
        </div>
        {placements.length > 0 && addButton}
      </div>
      {body}

      <GroupToolDialog
        open={dialog?.kind === 'add'}
        title={t('tools.addToGroupTitle', { name: tool.name })}
        toolName={tool.name}
        toolDescription={tool.description}
        choices={{ label: t('tools.fieldGroup'), emptyText: t('tools.noGroupsToAdd'), items: available.map((group) => ({ id: group.id, label: group.name })) }}
        pending={assign.isPending}
        error={assign.error}
        onClose={close}
        onSubmit={(assignment, groupId) =>
          groupId &&
          assign.mutate(
            { groupId, toolId: tool.id, assignment },
            {
              onSuccess: (added) => {
                close();
                toast.success(t('tools.addedToGroup', { name: added.exposedName, group: available.find((g) => g.id === groupId)?.name ?? '' }));
              },
            },
          )
        }
      />
      {dialog?.kind === 'edit' && (
        <GroupToolDialog
          open
          title={t('tools.editInGroupTitle', { group: dialog.placement.group.name })}
          toolName={tool.name}
          toolDescription={tool.description}
          current={dialog.placement.assignment}
          pending={assign.isPending}
          error={assign.error}
          onClose={close}
          onSubmit={(assignment) =>
            assign.mutate(
              { groupId: dialog.placement.group.id, toolId: tool.id, assignment },
              {
                onSuccess: () => {
                  close();
                  toast.success(t('common.saved'));
                },
              },
            )
          }
        />
      )}
      <ConfirmDialog
        open={dialog?.kind === 'remove'}
        title={dialog?.kind === 'remove' ? t('groups.removeToolTitle', { name: dialog.placement.assignment.exposedName }) : ''}
        confirmLabel={t('groups.removeTool')}
        pending={unassign.isPending}
        error={unassign.error}
        onCancel={close}
        onConfirm={() =>
          dialog?.kind === 'remove' &&
          unassign.mutate(
            { groupId: dialog.placement.group.id, toolId: tool.id },
            {
              onSuccess: () => {
                toast.success(t('groups.toolRemoved', { name: dialog.placement.assignment.exposedName }));
                close();
              },
            },
          )
        }
      >
        {dialog?.kind === 'remove' && <p>{t('groups.removeToolBody', { group: dialog.placement.group.name })}</p>}
      </ConfirmDialog>
    </section>
  );
}
