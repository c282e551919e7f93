'use client';

// A group's keys, as a section of the group's page.
import { useState } from 'react';
import { useAccess } from '@/features/shell/access';
import { useT } from '@/i18n/locale-provider';
import { ApiKeysList } from './api-keys-list';
import { CreateKeyDialog } from './create-key-dialog';

export function ApiKeysPanel({ groupId, headingId }: { groupId: string; headingId: string }) {
  const t = useT();
  const { can } = useAccess();
  const [creating, setCreating] = useState(false);
  const newButton = can('writeConfig') ? (
    <button type="button" className="button button-secondary" onClick={() => setCreating(true)}>
      {t('keys.new')}
    </button>
  ) : null;

  return (
    <>
      <div className="section-header">
        <div>
          <h2 id={headingId}>{t('keys.title')}</h2>
          <p className="muted">{t('keys.groupIntro')}</p>
        </div>
        {newButton}
      </div>
      <ApiKeysList groupId={groupId} />
      <CreateKeyDialog open={creating} groupId={groupId} onClose={() => setCreating(false)} />
    </>
  );
}
