'use client';

// The frame around every console page: it loads the session, settles which
// tenant is active before any tenant-scoped query runs, and keeps each role
// on the sections it may use.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import type { Session } from '@/features/auth/api';
import { sessionQueryOptions } from '@/features/auth/queries';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { TenantSwitcher } from '@/features/tenants/components/tenant-switcher';
import { selectedTenant } from '@/features/tenants/selected-tenant';
import { LanguageSwitcher } from '@/i18n/language-switcher';
import { useT } from '@/i18n/locale-provider';
import { AccessProvider } from '../access';
import { isWithin, navItemsFor } from '../nav-items';
import { platformTenantsQueryOptions, tenantChoices } from '../tenant-access';
import { LogoutButton } from './logout-button';
import { SideNav } from './side-nav';

export function ConsoleShell({ children }: { children: ReactNode }) {
  const t = useT();
  const session = useQuery(sessionQueryOptions());

  if (session.isSuccess) return <ConsoleFrame session={session.data}>{children}</ConsoleFrame>;

  // A 401 is already on its way to /login (see api-client), so keep showing "loading".
  if (session.isError && !(session.error instanceof ApiError && session.error.status === 401)) {
    return (
      <div className="full-page-status">
        <ErrorNotice error={session.error} title={t('shell.sessionError')} onRetry={() => void session.refetch()} />
      </div>
    );
  }

  return (
    <div className="full-page-status" aria-busy="true">
      <p className="muted">{t('common.loading')}</p>
    </div>
  );
}

function ConsoleFrame({ session, children }: { session: Session; children: ReactNode }) {
  const t = useT();
  const router = useRouter();
  const pathname = usePathname();
  const storedTenantId = selectedTenant.useValue();
  const { isPlatformAdmin } = session.user;
  const platformTenants = useQuery({ ...platformTenantsQueryOptions(), enabled: isPlatformAdmin });
  // A platform admin's choices include tenants they are not a member of: wait for that list.
  const choicesLoading = isPlatformAdmin && platformTenants.isPending;
  const memberships = tenantChoices(session, platformTenants.data?.items);

  // A stored id the user no longer belongs to (or another user's) falls back to the first membership.
  const membership = choicesLoading
    ? null
    : (memberships.find((m) => m.tenantId === storedTenantId) ?? memberships[0] ?? null);
  const tenantSettled = membership !== null && membership.tenantId === storedTenantId;

  const navItems = membership ? navItemsFor({ role: membership.role, isPlatformAdmin }) : [];
  const canSeePage = navItems.some((item) => isWithin(pathname, item));
  const firstAllowedHref = navItems[0]?.href;

  useEffect(() => {
    if (membership && !tenantSettled) selectedTenant.set(membership.tenantId);
  }, [membership, tenantSettled]);

  useEffect(() => {
    // E.g. an auditor lands on /groups after login: send them to a section they can use.
    if (tenantSettled && !canSeePage && firstAllowedHref) router.replace(firstAllowedHref);
  }, [tenantSettled, canSeePage, firstAllowedHref, router]);

  let content: ReactNode;
  if (choicesLoading) {
    content = <p className="muted">{t('common.loading')}</p>;
  } else if (!membership) {
    content = (
      <div className="empty-state">
        <p className="empty-state-title">{t('shell.noTenantTitle')}</p>
        <p className="muted">{t('shell.noTenantBody')}</p>
      </div>
    );
  } else if (tenantSettled && canSeePage) {
    content = (
      <AccessProvider tenantId={membership.tenantId} role={membership.role} isPlatformAdmin={isPlatformAdmin}>
        {children}
      </AccessProvider>
    );
  } else {
    // Children wait: their queries would otherwise go out with the wrong tenant header.
    content = <p className="muted">{t('common.loading')}</p>;
  }

  return (
    <div className="console">
      <header className="console-header">
        <span className="brand">{t('app.name')}</span>
        <div className="console-header-actions">
          {membership && (
            <>
              <TenantSwitcher memberships={memberships} currentTenantId={membership.tenantId} />
              <span className="badge">{isPlatformAdmin ? t('shell.platformAdmin') : t(`role.${membership.role}`)}</span>
            </>
          )}
          <LanguageSwitcher />
          <span className="console-user" title={session.user.name}>
            {session.user.email}
          </span>
          <LogoutButton />
        </div>
      </header>
      <SideNav items={navItems} />
      <main className="console-main">{content}</main>
    </div>
  );
}
