'use client';

// Platform admins: every tenant, and a new one. A new tenant has no members; open it (which selects
// it) to add its first owner on the members page. Each tenant's platform quota is set here: a ceiling on its
// calls that its own owners can see but not raise.
import { useQuery } from '@tanstack/react-query';
import { SLUG_PATTERN } from '@toolgate/contracts';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { platformTenantsQueryOptions } from '@/features/shell/tenant-access';
import { EmptyState } from '@/features/ui/empty-state';
import { TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { parseRateLimits, RateLimitFields, RateLimitSummary, rateLimitValues, type RateLimitErrors } from '@/features/ui/rate-limit-fields';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { Tenant } from '../api';
import { useCreateTenant, useUpdatePlatformQuota } from '../queries';
import { useSwitchTenant } from '../use-switch-tenant';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';
import { TableHead } from '@/features/ui/table-head';

export function TenantsPage() {
  const t = useT();
  const { isPlatformAdmin } = useAccess();
  const tenants = useQuery({ ...platformTenantsQueryOptions(), enabled: isPlatformAdmin });
  const [creating, setCreating] = useState(false);

  if (!isPlatformAdmin) {
    return (
      <>
        <PageHeader title={t('tenants.title')} />
        <p className="notice notice-info">{t('tenants.platformOnly')}</p>
      </>
    );
  }

  const columns = [t('tenants.colName'), t('tenants.colSlug'), t('tenants.colAllowlist'), t('tenants.colPlatformQuota'), t('tenants.colCreated'), t('common.actions')];
  const newButton = (
    <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
      {t('tenants.new')}
    </button>
  );

  let body;
  if (tenants.isPending) body = <TableSkeleton columns={columns} label={t('tenants.loading')} />;
  else if (tenants.isError) body = <ErrorNotice error={tenants.error} title={t('tenants.loadError')} onRetry={() => void tenants.refetch()} />;
  else if (tenants.data.items.length === 0) body = <EmptyState title={t('tenants.emptyTitle')} body={t('tenants.emptyBody')} action={newButton} />;
  else body = <TenantsTable tenants={tenants.data.items} columns={columns} />;

  return (
    <>
      <PageHeader title={t('tenants.title')} description={t('tenants.intro')} actions={tenants.data?.items.length ? newButton : null} />
      {body}
      {creating && <CreateTenantDialog onClose={() => setCreating(false)} />}
    </>
  );
}

function TenantsTable({ tenants, columns }: { tenants: Tenant[]; columns: string[] }) {
  const t = useT();
  const format = useFormat();
  const router = useRouter();
  const { tenantId } = useAccess();
  const switchTo = useSwitchTenant();
  const [quotaOf, setQuotaOf] = useState<Tenant | null>(null);

  return (
    <div className="table-wrap">
      <table className="table">
        <TableHead columns={columns} lastIsActions />
        <tbody>
          {tenants.map((tenant) => (
            <tr key={tenant.id}>
              <td>
                <span className="cell-title">{tenant.name}</span>{' '}
                {tenant.id === tenantId && <span className="badge">{t('tenants.current')}</span>}
              </td>
              <td>
                <code>{tenant.slug}</code>
              </td>
              <td>
                {tenant.networkAllowlist.length === 0 ? (
                  <span className="muted">{t('common.none')}</span>
                ) : (
                  <code className="cell-subtitle">{tenant.networkAllowlist.join(', ')}</code>
                )}
              </td>
              <td>
                <RateLimitSummary limits={tenant.platformRateLimit} />
              </td>
              <td className="cell-nowrap">
                <time dateTime={tenant.createdAt}>{format.date(tenant.createdAt)}</time>
              </td>
              <td className="cell-actions">
                <button
                  type="button"
                  className="button button-secondary button-small"
                  aria-label={t('tenants.platformQuotaLabel', { name: tenant.name })}
                  onClick={() => setQuotaOf(tenant)}
                >
                  {t('tenants.platformQuotaAction')}
                </button>{' '}
                <button
                  type="button"
                  className="button button-secondary button-small"
                  aria-label={t('tenants.openLabel', { name: tenant.name })}
                  onClick={() => {
                    if (tenant.id !== tenantId) switchTo(tenant.id);
                    router.push('/members');
                  }}
                >
                  {t('tenants.open')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {quotaOf && <PlatformQuotaDialog tenant={quotaOf} onClose={() => setQuotaOf(null)} />}
    </div>
  );
}

function PlatformQuotaDialog({ tenant, onClose }: { tenant: Tenant; onClose: () => void }) {
  const t = useT();
  const update = useUpdatePlatformQuota();
  const [quota, setQuota] = useState(() => rateLimitValues(tenant.platformRateLimit));
  const [errors, setErrors] = useState<RateLimitErrors>({});

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseRateLimits(quota, t);
    setErrors(parsed.errors);
    if (Object.keys(parsed.errors).length > 0) return;
    update.mutate(
      { tenantId: tenant.id, platformRateLimit: parsed.limits },
      {
        onSuccess: (saved) => {
          toast.success(t('tenants.platformQuotaSaved', { name: saved.name }));
          onClose();
        },
      },
    );
  }

  return (
    <Modal
      open
      onClose={onClose}
      title={t('tenants.platformQuotaTitle', { name: tenant.name })}
      description={t('tenants.platformQuotaIntro')}
      onSubmit={submit}
      dismissible={!update.isPending}
      footer={<FormDialogFooter onCancel={onClose} pending={update.isPending} submitLabel={update.isPending ? t('common.saving') : t('common.save')} />}
    >
      <RateLimitFields
        legend={t('tenants.platformQuota')}
        hint={t('tenants.platformQuotaHint')}
        values={quota}
        errors={errors}
        onChange={setQuota}
        labels={{ perMinute: t('tenants.quotaPerMinute'), perDay: t('tenants.quotaPerDay') }}
      />
      {update.isError && <ErrorNotice error={update.error} title={t('tenants.platformQuotaSaveError')} />}
    </Modal>
  );
}

/** "Acme Retail" → "acme-retail": a slug to start from. */
function suggestSlug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

function CreateTenantDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const create = useCreateTenant();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const [errors, setErrors] = useState<{ name?: string; slug?: string }>({});

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!name.trim()) found.name = t('tenants.nameRequired');
    if (slug.length < 2 || !SLUG_PATTERN.test(slug)) found.slug = t('tenants.slugInvalid');
    setErrors(found);
    if (found.name || found.slug) return;
    create.mutate(
      { name: name.trim(), slug },
      {
        onSuccess: (tenant) => {
          toast.success(t('tenants.created', { name: tenant.name }));
          onClose();
        },
      },
    );
  }

  const apiError = create.error instanceof ApiError ? create.error : null;
  const slugTaken = apiError?.code === 'TENANT_SLUG_TAKEN';

  return (
    <Modal
      open
      onClose={onClose}
      title={t('tenants.createTitle')}
      description={t('tenants.createIntro')}
      onSubmit={submit}
      dismissible={!create.isPending}
      footer={<FormDialogFooter onCancel={onClose} pending={create.isPending} submitLabel={create.isPending ? t('common.creating') : t('tenants.createSubmit')} />}
    >
      <TextField
        label={t('tenants.fieldName')}
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          if (!slugTouched) setSlug(suggestSlug(e.target.value));
        }}
        error={errors.name}
        required
        maxLength={200}
      />
      <TextField
        label={t('tenants.fieldSlug')}
        value={slug}
        onChange={(e) => {
          setSlugTouched(true);
          setSlug(e.target.value);
        }}
        error={errors.slug ?? (slugTaken ? apiError?.message : undefined)}
        hint={t('tenants.slugHint')}
        required
        maxLength={64}
        spellCheck={false}
        autoCapitalize="off"
      />
      {create.isError && !slugTaken && <ErrorNotice error={create.error} title={t('tenants.createError')} />}
    </Modal>
  );
}
