'use client';

// The tools a group serves: the name agents see, overrides, on/off in this group;
// add a tool, change its overrides, take it out.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { toolListQueryOptions } from '@/features/tools/queries';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { EmptyState } from '@/features/ui/empty-state';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import type { GroupTool, ToolGroup } from '../api';
import { groupToolsQueryOptions, useAssignGroupTool, useUnassignGroupTool } from '../queries';
import { GroupToolDialog } from './group-tool-dialog';
import { TableHead } from '@/features/ui/table-head';

type Dialog = { kind: 'add' } | { kind: 'edit'; tool: GroupTool } | { kind: 'remove'; tool: GroupTool } | null;

export function GroupToolsSection({ group }: { group: ToolGroup }) {
  const t = useT();
  const { can } = useAccess();
  const canWrite = can('writeConfig');
  const tools = useQuery(groupToolsQueryOptions(group.id));
  const [dialog, setDialog] = useState<Dialog>(null);
  const assign = useAssignGroupTool({ errorToast: false });
  const unassign = useUnassignGroupTool();
  // The catalog, to pick from when adding (and to name each tool's description).
  const catalog = useQuery({ ...toolListQueryOptions({}), enabled: dialog?.kind === 'add' || dialog?.kind === 'edit' });

  function close() {
    setDialog(null);
    assign.reset();
    unassign.reset();
  }

  const columns = [t('groups.colExposedName'), t('groups.colTool'), t('groups.colOverrides'), t('groups.colInGroup')];
  const addButton = canWrite ? (
    <button type="button" className="button button-secondary" onClick={() => setDialog({ kind: 'add' })}>
      {t('groups.addTool')}
    </button>
  ) : null;

  let body;
  if (tools.isPending) body = <TableSkeleton columns={columns} rows={3} label={t('groups.toolsLoading')} />;
  else if (tools.isError) body = <ErrorNotice error={tools.error} title={t('groups.toolsLoadError')} onRetry={() => void tools.refetch()} />;
  else if (tools.data.items.length === 0) body = <EmptyState title={t('groups.toolsEmptyTitle')} body={t('groups.toolsEmptyBody')} action={addButton} />;
  else
    body = (
      <div className="table-wrap">
        <table className="table">
          <TableHead columns={columns} actions={canWrite} />
          <tbody>
            {tools.data.items.map((item) => (
              <tr key={item.toolId}>
                <td>
                  <code className="cell-title">{item.exposedName}</code>
                </td>
                <td>
                  <Link href={`/tools/${item.toolId}`} className="cell-link">
                    {item.toolName}
                  </Link>
                </td>
                <td className="cell-subtitle">
                  <Overrides tool={item} />
                </td>
                <td>
                  <span className={item.enabled ? 'status status-on' : 'status status-off'}>
                    {item.enabled ? t('common.enabled') : t('common.disabled')}
                  </span>
                </td>
                {canWrite && (
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button button-small button-secondary"
                      aria-label={t('groups.editToolLabel', { name: item.exposedName })}
                      onClick={() => setDialog({ kind: 'edit', tool: item })}
                    >
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      className="button button-small button-secondary button-danger-text"
                      aria-label={t('groups.removeToolLabel', { name: item.exposedName })}
                      onClick={() => setDialog({ kind: 'remove', tool: item })}
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

  const inGroup = new Set(tools.data?.items.map((item) => item.toolId));
  const addable = (catalog.data?.items ?? []).filter((tool) => !inGroup.has(tool.id) && tool.status === 'active');
  const editingTool = dialog?.kind === 'edit' ? catalog.data?.items.find((tool) => tool.id === dialog.tool.toolId) : undefined;

  return (
    <section className="section" aria-labelledby="group-tools-heading">
      <div className="section-header">
        <div>
          <h2 id="group-tools-heading">{t('groups.toolsTitle')}</h2>
          <p className="muted">{t('groups.toolsIntro')}</p>
        </div>
        {tools.data?.items.length ? addButton : null}
      </div>
      {body}

      <GroupToolDialog
        open={dialog?.kind === 'add' && catalog.isSuccess}
        title={t('groups.addToolTitle', { name: group.name })}
        choices={{
          label: t('groups.fieldTool'),
          emptyText: t('groups.noToolsToAdd'),
          items: addable.map((tool) => ({ id: tool.id, label: tool.enabled ? tool.name : `${tool.name} (${t('common.disabled')})` })),
        }}
        pending={assign.isPending}
        error={assign.error}
        onClose={close}
        onSubmit={(assignment, toolId) =>
          toolId &&
          assign.mutate(
            { groupId: group.id, toolId, assignment },
            {
              onSuccess: (added) => {
                close();
                toast.success(t('groups.toolAdded', { name: added.exposedName }));
              },
            },
          )
        }
      />
      {dialog?.kind === 'edit' && (
        <GroupToolDialog
          open
          title={t('groups.editToolTitle', { name: dialog.tool.exposedName })}
          toolName={dialog.tool.toolName}
          toolDescription={editingTool?.description}
          current={dialog.tool}
          pending={assign.isPending}
          error={assign.error}
          onClose={close}
          onSubmit={(assignment) =>
            assign.mutate(
              { groupId: group.id, toolId: dialog.tool.toolId, assignment },
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
        title={dialog?.kind === 'remove' ? t('groups.removeToolTitle', { name: dialog.tool.exposedName }) : ''}
        confirmLabel={t('groups.removeTool')}
        pending={unassign.isPending}
        error={unassign.error}
        onCancel={close}
        onConfirm={() =>
          dialog?.kind === 'remove' &&
          unassign.mutate(
            { groupId: group.id, toolId: dialog.tool.toolId },
            {
              onSuccess: () => {
                toast.success(t('groups.toolRemoved', { name: dialog.tool.exposedName }));
                close();
              },
            },
          )
        }
      >
        <p>{t('groups.removeToolBody', { group: group.name })}</p>
      </ConfirmDialog>
    </section>
  );
}

function Overrides({ tool }: { tool: GroupTool }) {
  const t = useT();
  const parts = [
    tool.alias ? t('groups.overrideAlias') : null,
    tool.description ? t('groups.overrideDescription') : null,
    tool.timeoutSeconds ? t('groups.overrideTimeout', { seconds: tool.timeoutSeconds }) : null,
  ].filter(Boolean);
  return <>{parts.length ? parts.join(' · ') : t('common.none')}</>;
}
