'use client';

import { useT } from '@/i18n/locale-provider';
import type { Tool } from '../api';

/** Enabled / disabled, or removed (gone upstream: kept so old call logs still resolve). */
export function ToolStatus({ tool }: { tool: Pick<Tool, 'enabled' | 'status'> }) {
  const t = useT();
  if (tool.status === 'removed') return <span className="status status-danger">{t('tools.removed')}</span>;
  return <span className={tool.enabled ? 'status status-on' : 'status status-off'}>{tool.enabled ? t('common.enabled') : t('common.disabled')}</span>;
}
