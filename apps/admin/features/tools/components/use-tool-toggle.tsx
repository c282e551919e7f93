'use client';

// Enabling a tool is immediate; disabling takes it away from every group's
// agents, so it asks first. One implementation for the catalog and the detail page.
import { useState } from 'react';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import type { Tool } from '../api';
import { useUpdateTool } from '../queries';

export function useToolToggle() {
  const t = useT();
  const update = useUpdateTool();
  const [confirming, setConfirming] = useState<Tool | null>(null);

  function setEnabled(tool: Tool, enabled: boolean) {
    update.mutate(
      { id: tool.id, changes: { enabled } },
      {
        onSuccess: () => {
          setConfirming(null);
          toast.success(enabled ? t('tools.enabledToast', { name: tool.name }) : t('tools.disabledToast', { name: tool.name }));
        },
      },
    );
  }

  function toggle(tool: Tool) {
    if (tool.enabled) setConfirming(tool);
    else setEnabled(tool, true);
  }

  const dialog = (
    <ConfirmDialog
      open={confirming !== null}
      title={confirming ? t('tools.disableTitle', { name: confirming.name }) : ''}
      confirmLabel={t('common.disable')}
      pending={update.isPending}
      onCancel={() => setConfirming(null)}
      onConfirm={() => confirming && setEnabled(confirming, false)}
    >
      <p>{t('tools.disableBody')}</p>
    </ConfirmDialog>
  );

  return { toggle, pendingId: update.isPending ? update.variables?.id : undefined, dialog };
}
