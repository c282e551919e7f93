'use client';

// Changes a source: its name, settings and (all at once) its secrets. Saving lists its tools again.
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { EmptyState } from '@/features/ui/empty-state';
import { PageHeader } from '@/features/ui/page-header';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import type { Source } from '../api';
import { sourceQueryOptions, useUpdateSource } from '../queries';
import { SourceForm } from './source-form';
import { valuesFromSource } from './source-form-model';
import { sourceHref } from './source-links';

export function EditSourcePage({ id }: { id: string }) {
  const t = useT();
  const source = useQuery(sourceQueryOptions(id));
  const back = { href: sourceHref(id), label: source.data?.name ?? t('sources.title') };

  if (source.isPending) {
    return (
      <>
        <PageHeader title={t('sources.editTitleLoading')} back={back} />
        <BlockSkeleton label={t('sources.loadingOne')} lines={6} />
      </>
    );
  }
  if (source.isError) {
    const notFound = source.error instanceof ApiError && (source.error.status === 404 || source.error.status === 400);
    return (
      <>
        <PageHeader title={t('sources.editTitleLoading')} back={{ href: '/sources', label: t('sources.title') }} />
        {notFound ? (
          <EmptyState title={t('sources.notFoundTitle')} body={t('sources.notFoundBody')} />
        ) : (
          <ErrorNotice error={source.error} title={t('sources.loadError')} onRetry={() => void source.refetch()} />
        )}
      </>
    );
  }
  return <EditSource source={source.data} />;
}

function EditSource({ source }: { source: Source }) {
  const t = useT();
  const router = useRouter();
  const { can } = useAccess();
  const update = useUpdateSource({ errorToast: false });
  // Taken once: a background refetch must not wipe what is being typed.
  const [initialValues] = useState(() => valuesFromSource(source));
  const back = { href: sourceHref(source.id), label: source.name };

  if (!can('writeConfig') || source.kind === 'builtin') {
    return (
      <>
        <PageHeader title={t('sources.editTitle', { name: source.name })} back={back} />
        <p className="notice notice-info">{source.kind === 'builtin' ? t('sources.builtinNotEditable') : t('common.readOnly')}</p>
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('sources.editTitle', { name: source.name })} description={t('sources.editIntro')} back={back} />
      <SourceForm
        mode="edit"
        source={source}
        initialValues={initialValues}
        pending={update.isPending}
        error={update.error}
        onCancel={() => router.push(sourceHref(source.id))}
        onSubmit={(result) =>
          update.mutate(
            { id: source.id, changes: { name: result.name, config: result.config, ...(result.secrets ? { secrets: result.secrets } : {}) } },
            {
              onSuccess: (saved) => {
                if (saved.enabled && saved.status === 'error') toast.info(saved.lastError ?? '', { titleKey: 'sources.savedWithError' });
                else toast.success(t('sources.saved', { name: saved.name }));
                router.push(sourceHref(saved.id));
              },
            },
          )
        }
      />
    </>
  );
}
