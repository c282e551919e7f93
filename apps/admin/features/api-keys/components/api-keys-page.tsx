'use client';

// Every API key of the tenant, filterable by group and status.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useAccess } from '@/features/shell/access';
import { toolGroupListQueryOptions } from '@/features/tool-groups/queries';
import { SelectField } from '@/features/ui/form-fields';
import { PageHeader } from '@/features/ui/page-header';
import { useT } from '@/i18n/locale-provider';
import { ApiKeysList, type KeyStatusFilter } from './api-keys-list';
import { CreateKeyDialog } from './create-key-dialog';

export function ApiKeysPage() {
  const t = useT();
  const { can } = useAccess();
  const groups = useQuery(toolGroupListQueryOptions());
  const [groupId, setGroupId] = useState('');
  const [status, setStatus] = useState<KeyStatusFilter>('all');
  const [creating, setCreating] = useState(false);
  const newButton = can('writeConfig') ? (
    <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
      {t('keys.new')}
    </button>
  ) : null;

  return (
    <>
      <PageHeader title={t('keys.title')} description={t('keys.intro')} actions={newButton} />
      <div className="filters" role="search" aria-label={t('keys.filters')}>
        <SelectField
          label={t('keys.fieldGroup')}
          value={groupId}
          onChange={(e) => setGroupId(e.target.value)}
          options={[{ value: '', label: t('keys.allGroups') }, ...(groups.data?.items ?? []).map((group) => ({ value: group.id, label: group.name }))]}
        />
        <SelectField
          label={t('keys.colStatus')}
          value={status}
          onChange={(e) => setStatus(e.target.value as KeyStatusFilter)}
          options={[
            { value: 'all', label: t('common.all') },
            { value: 'active', label: t('keys.status.active') },
            { value: 'inactive', label: t('keys.filterInactive') },
          ]}
        />
      </div>
      <ApiKeysList groupId={groupId || undefined} status={status} />
      <CreateKeyDialog open={creating} defaultGroupId={groupId || undefined} onClose={() => setCreating(false)} />
    </>
  );
}
