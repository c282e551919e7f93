'use client';

// Adds a source. Saving also lists the upstream's tools, so the answer says how discovery went: the
// status, the error if it failed (the source is kept; fix it and refresh) and how many tools it found.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useAccess } from '@/features/shell/access';
import { PageHeader } from '@/features/ui/page-header';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import type { Source } from '../api';
import { useCreateSource } from '../queries';
import { SourceForm } from './source-form';
import { emptyValues } from './source-form-model';
import { sourceHref } from './source-links';
import { DiscoveryStatus } from './source-status';
import styles from './sources.module.css';

export function NewSourcePage() {
  const t = useT();
  const router = useRouter();
  const { can } = useAccess();
  const create = useCreateSource();
  const [created, setCreated] = useState<Source | null>(null);
  const [initialValues] = useState(() => emptyValues());
  const back = { href: '/sources', label: t('sources.title') };

  if (!can('writeConfig')) {
    return (
      <>
        <PageHeader title={t('sources.newTitle')} back={back} />
        <p className="notice notice-info">{t('common.readOnly')}</p>
      </>
    );
  }

  if (created) {
    return (
      <>
        <PageHeader title={t('sources.createdTitle', { name: created.name })} back={back} />
        <DiscoveryResult source={created} />
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('sources.newTitle')} description={t('sources.newIntro')} back={back} />
      <SourceForm
        mode="create"
        initialValues={initialValues}
        pending={create.isPending}
        error={create.error}
        onCancel={() => router.push('/sources')}
        onSubmit={(result) =>
          create.mutate(
            { kind: result.kind, name: result.name, namespace: result.namespace, enabled: result.enabled, config: result.config, secrets: result.secrets ?? {} },
            {
              onSuccess: (source) => {
                toast.success(t('sources.created', { name: source.name }));
                setCreated(source);
                window.scrollTo({ top: 0 });
              },
            },
          )
        }
      />
    </>
  );
}

function DiscoveryResult({ source }: { source: Source }) {
  const t = useT();
  const failed = source.enabled && source.status === 'error';
  return (
    <section className="card" aria-labelledby="discovery-result" role="status">
      <h2 id="discovery-result" className="card-title">
        {t('sources.discoveryResult')}
      </h2>
      <dl className="kv">
        <dt>{t('sources.colStatus')}</dt>
        <dd>
          <DiscoveryStatus source={source} />
        </dd>
        <dt>{t('sources.toolsFound')}</dt>
        <dd>{source.toolCount}</dd>
      </dl>
      {failed && source.lastError && <pre className={styles.lastError}>{source.lastError}</pre>}
      <p className="muted">
        {!source.enabled ? t('sources.createdDisabled') : failed ? t('sources.createdFailed') : t('sources.createdOk', { count: source.toolCount })}
      </p>
      <div className={styles.formActions}>
        <Link href="/sources" className={`button button-secondary ${styles.buttonLink}`}>
          {t('sources.backToList')}
        </Link>
        <Link href={sourceHref(source.id)} className={`button button-primary ${styles.buttonLink}`}>
          {t('sources.openSource')}
        </Link>
      </div>
    </section>
  );
}
