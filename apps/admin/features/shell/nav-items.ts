// The console's sections and who may open them. The nav and the shell's route
// guard both read this list, so they cannot disagree. The roles come from the
// API's own permission sets (@toolgate/contracts PERMISSIONS); the API still
// enforces them, this only hides what would be refused.
import { PERMISSIONS, type Role } from '@toolgate/contracts';
import type { MessageKey } from '@/i18n/en';

export type NavSection = 'configure' | 'try' | 'observe' | 'administer';

export interface NavItem {
  href: string;
  labelKey: MessageKey;
  section: NavSection;
  /** Tenant roles that see the section; platform admins see every section. */
  roles: readonly Role[];
  /** Shown only to platform admins, whatever their tenant role. */
  platformAdminOnly?: boolean;
}

export const NAV_SECTIONS: readonly { id: NavSection; labelKey: MessageKey }[] = [
  { id: 'configure', labelKey: 'nav.sectionConfigure' },
  { id: 'try', labelKey: 'nav.sectionTry' },
  { id: 'observe', labelKey: 'nav.sectionObserve' },
  { id: 'administer', labelKey: 'nav.sectionAdminister' },
];

export const NAV_ITEMS: readonly NavItem[] = [
  // Configuration: viewers read it, owners and admins change it.
  { href: '/groups', labelKey: 'nav.groups', section: 'configure', roles: PERMISSIONS.readConfig },
  { href: '/keys', labelKey: 'nav.keys', section: 'configure', roles: PERMISSIONS.readConfig },
  { href: '/tools', labelKey: 'nav.tools', section: 'configure', roles: PERMISSIONS.readConfig },
  { href: '/sources', labelKey: 'nav.sources', section: 'configure', roles: PERMISSIONS.readConfig },
  // Calling tools acts on upstream systems: not for read-only roles.
  { href: '/playground', labelKey: 'nav.playground', section: 'try', roles: PERMISSIONS.writeConfig },
  // What happened: auditors see these and nothing else.
  { href: '/logs', labelKey: 'nav.logs', section: 'observe', roles: PERMISSIONS.readLogs },
  { href: '/dashboards', labelKey: 'nav.dashboards', section: 'observe', roles: PERMISSIONS.readLogs },
  // GET /usage is counted from the call log and checked like it (readLogs).
  { href: '/usage', labelKey: 'nav.usage', section: 'observe', roles: PERMISSIONS.readLogs },
  { href: '/audit', labelKey: 'nav.audit', section: 'observe', roles: PERMISSIONS.readLogs },
  { href: '/members', labelKey: 'nav.members', section: 'administer', roles: PERMISSIONS.manageTenant },
  { href: '/tenants', labelKey: 'nav.tenants', section: 'administer', roles: [], platformAdminOnly: true },
];

export interface Viewer {
  /** The role in the selected tenant. */
  role: Role;
  isPlatformAdmin: boolean;
}

export function navItemsFor({ role, isPlatformAdmin }: Viewer): NavItem[] {
  // The API lets platform admins through every permission check (as an owner in any tenant).
  if (isPlatformAdmin) return [...NAV_ITEMS];
  return NAV_ITEMS.filter((item) => !item.platformAdminOnly && item.roles.includes(role));
}

export function isWithin(pathname: string, item: NavItem): boolean {
  return pathname === item.href || pathname.startsWith(`${item.href}/`);
}
