'use client';

// Small status pieces shared by the sources list and a source's page.
import { useT } from '@/i18n/locale-provider';
import type { Source } from '../api';
import { discoveryLabelKey, KIND_LABEL_KEYS, stateLabelKey, stateTone } from './source-labels';

export function KindBadge({ kind }: { kind: Source['kind'] }) {
  const t = useT();
  return <span className="badge">{t(KIND_LABEL_KEYS[kind])}</span>;
}

/** Discovery's verdict, or "Disabled". */
export function DiscoveryStatus({ source }: { source: Pick<Source, 'enabled' | 'status'> }) {
  const t = useT();
  if (!source.enabled) return <span className="status status-off">{t('common.disabled')}</span>;
  const key = discoveryLabelKey(source.status);
  return <span className={`status ${stateTone(source.status)}`}>{key ? t(key) : source.status}</span>;
}

/** The connection state (idle, ready, open-circuit…). */
export function ConnectionState({ state }: { state: string }) {
  const t = useT();
  const key = stateLabelKey(state);
  return <span className={`status ${stateTone(state)}`}>{key ? t(key) : state}</span>;
}
