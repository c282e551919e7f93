'use client';

// Stand-in for console sections that a later issue builds.
import { useT } from '@/i18n/locale-provider';
import type { MessageKey } from '@/i18n/en';

export function ComingSoon({ titleKey }: { titleKey: MessageKey }) {
  const t = useT();
  return (
    <>
      <header className="page-header">
        <h1>{t(titleKey)}</h1>
      </header>
      <div className="empty-state">
        <p className="empty-state-title">{t('common.comingSoon')}</p>
        <p className="muted">{t('common.comingSoonBody')}</p>
      </div>
    </>
  );
}
