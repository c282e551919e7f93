// The console's sections and which tenant roles may open them. The nav and
// the shell's route guard both read this list, so they cannot disagree.
// The API still enforces roles; this only hides what would be refused.
import type { Role } from '@/features/auth/api';
import type { MessageKey } from '@/i18n/en';

export interface NavItem {
  href: string;
  labelKey: MessageKey;
  roles: readonly Role[];
}

const MANAGERS = ['owner', 'admin'] as const;

export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/groups', labelKey: 'nav.groups', roles: [...MANAGERS, 'viewer'] },
  { href: '/keys', labelKey: 'nav.keys', roles: [...MANAGERS, 'viewer'] },
  { href: '/tools', labelKey: 'nav.tools', roles: [...MANAGERS, 'viewer'] },
  { href: '/logs', labelKey: 'nav.logs', roles: [...MANAGERS, 'auditor'] },
  { href: '/audit', labelKey: 'nav.audit', roles: [...MANAGERS, 'auditor'] },
];

export function navItemsFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role));
}

export function isWithin(pathname: string, item: NavItem): boolean {
  return pathname === item.href || pathname.startsWith(`${item.href}/`);
}
