'use client';

import { useT } from '@/i18n/locale-provider';
import type { ApiKey } from '../api';

const CLASS: Record<ApiKey['status'], string> = {
  active: 'status status-on',
  revoked: 'status status-danger',
  expired: 'status status-off',
};

export function KeyStatus({ status }: { status: ApiKey['status'] }) {
  const t = useT();
  return <span className={CLASS[status]}>{t(`keys.status.${status}`)}</span>;
}
