'use client';

// A call's outcome in words, coloured by whether the call succeeded. Also used by the playground.
import type { CallOutcome } from '@toolgate/contracts';
import { useT } from '@/i18n/locale-provider';
import type { MessageKey } from '@/i18n/en';
import './outcome-badge.css';

export function outcomeKey(outcome: CallOutcome): MessageKey {
  return `logs.outcome.${outcome}`;
}

export function OutcomeBadge({ outcome }: { outcome: CallOutcome }) {
  const t = useT();
  const tone = outcome === 'ok' ? 'ok' : outcome === 'tool_error' || outcome === 'cancelled' ? 'warn' : 'bad';
  return <span className={`outcome outcome-${tone}`}>{t(outcomeKey(outcome))}</span>;
}
