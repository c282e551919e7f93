'use client';

// The selected tenant's settings, for its owners: the name, the quota on calls across all its groups and keys,
// the platform's ceiling on them (read-only: platform admins set it on the tenants page), and the network allowlist that lets its sources reach private addresses (the SSRF guard refuses them otherwise).
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { TextAreaField, TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { parseRateLimits, RateLimitFields, RateLimitSummary, rateLimitValues, type RateLimitErrors } from '@/features/ui/rate-limit-fields';
import { BlockSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useT } from '@/i18n/locale-provider';
import type { Tenant } from '../api';
import { currentTenantQueryOptions, useUpdateCurrentTenant } from '../queries';
import styles from './tenants.module.css';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';

export function TenantSettingsCard() {
  const t = useT();
  const tenant = useQuery(currentTenantQueryOptions());
  const [editing, setEditing] = useState(false);

  let body;
  if (tenant.isPending) body = <BlockSkeleton label={t('tenants.settingsLoading')} lines={3} />;
  else if (tenant.isError) body = <ErrorNotice error={tenant.error} title={t('tenants.settingsLoadError')} onRetry={() => void tenant.refetch()} />;
  else
    body = (
      <dl className="kv">
        <dt>{t('tenants.fieldName')}</dt>
        <dd>{tenant.data.name}</dd>
        <dt>{t('tenants.fieldSlug')}</dt>
        <dd>
          <code>{tenant.data.slug}</code>
        </dd>
        <dt>{t('tenants.quota')}</dt>
        <dd>
          <RateLimitSummary limits={tenant.data.rateLimit} />
        </dd>
        {hasLimit(tenant.data.platformRateLimit) && (
          <>
            <dt>{t('tenants.platformQuota')}</dt>
            <dd>
              <RateLimitSummary limits={tenant.data.platformRateLimit} /> <span className="muted">{t('tenants.platformQuotaReadOnly')}</span>
            </dd>
          </>
        )}
        <dt>{t('tenants.allowlist')}</dt>
        <dd>
          {tenant.data.networkAllowlist.length === 0 ? (
            <span className="muted">{t('tenants.allowlistEmpty')}</span>
          ) : (
            <ul className={styles.entries} aria-label={t('tenants.allowlist')}>
              {tenant.data.networkAllowlist.map((entry) => (
                <li key={entry}>
                  <code>{entry}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    );

  return (
    <section className="card" aria-labelledby="tenant-settings">
      <div className="section-header">
        <h2 id="tenant-settings">{t('tenants.settingsTitle')}</h2>
        {tenant.isSuccess && (
          <button type="button" className="button button-secondary button-small" onClick={() => setEditing(true)}>
            {t('tenants.editSettings')}
          </button>
        )}
      </div>
      {body}
      {editing && tenant.data && <TenantSettingsDialog tenant={tenant.data} onClose={() => setEditing(false)} />}
    </section>
  );
}

/** Whether the platform set any ceiling (an empty or all-null quota is none). */
function hasLimit(limits: Tenant['platformRateLimit']): boolean {
  return Boolean(limits.perMinute || limits.perDay);
}

function TenantSettingsDialog({ tenant, onClose }: { tenant: Tenant; onClose: () => void }) {
  const t = useT();
  const update = useUpdateCurrentTenant();
  const [name, setName] = useState(tenant.name);
  const [allowlist, setAllowlist] = useState(tenant.networkAllowlist.join('\n'));
  const [quota, setQuota] = useState(() => rateLimitValues(tenant.rateLimit));
  const [nameError, setNameError] = useState<string | null>(null);
  const [quotaErrors, setQuotaErrors] = useState<RateLimitErrors>({});

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseRateLimits(quota, t);
    setNameError(name.trim() ? null : t('tenants.nameRequired'));
    setQuotaErrors(parsed.errors);
    if (!name.trim() || Object.keys(parsed.errors).length > 0) return;
    const entries = [...new Set(allowlist.split(/[\n,]/).map((entry) => entry.trim()).filter(Boolean))];
    update.mutate(
      { name: name.trim(), networkAllowlist: entries, rateLimit: parsed.limits },
      {
        onSuccess: () => {
          toast.success(t('tenants.settingsSaved'));
          onClose();
        },
      },
    );
  }

  return (
    <Modal
      open
      onClose={onClose}
      title={t('tenants.editSettingsTitle')}
      onSubmit={submit}
      dismissible={!update.isPending}
      footer={<FormDialogFooter onCancel={onClose} pending={update.isPending} submitLabel={update.isPending ? t('common.saving') : t('common.save')} />}
    >
      <TextField label={t('tenants.fieldName')} value={name} onChange={(e) => setName(e.target.value)} error={nameError} required maxLength={200} />
      <RateLimitFields
        legend={t('tenants.quota')}
        hint={t('tenants.quotaHint')}
        values={quota}
        errors={quotaErrors}
        onChange={setQuota}
        labels={{ perMinute: t('tenants.quotaPerMinute'), perDay: t('tenants.quotaPerDay') }}
      />
      <TextAreaField
        label={t('tenants.allowlist')}
        value={allowlist}
        onChange={(e) => setAllowlist(e.target.value)}
        hint={t('tenants.allowlistHint')}
        monospace
        rows={5}
        spellCheck={false}
        placeholder={'10.0.0.0/8\ncrm.internal\n*.corp.example'}
      />
      <p className="notice notice-warning">{t('tenants.allowlistWarning')}</p>
      {update.isError && <ErrorNotice error={update.error} title={t('tenants.settingsSaveError')} />}
    </Modal>
  );
}
