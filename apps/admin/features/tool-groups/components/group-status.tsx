'use client';

import { useT } from '@/i18n/locale-provider';

export function GroupStatus({ enabled }: { enabled: boolean }) {
  const t = useT();
  return <span className={enabled ? 'status status-on' : 'status status-off'}>{enabled ? t('groups.enabled') : t('groups.disabled')}</span>;
}
