'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useT } from '@/i18n/locale-provider';
import { isWithin, type NavItem } from '../nav-items';

export function SideNav({ items }: { items: NavItem[] }) {
  const t = useT();
  const pathname = usePathname();

  return (
    <nav className="side-nav" aria-label={t('shell.mainNav')}>
      <ul>
        {items.map((item) => {
          const active = isWithin(pathname, item);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                className={active ? 'side-nav-link side-nav-link-active' : 'side-nav-link'}
                aria-current={active ? 'page' : undefined}
              >
                {t(item.labelKey)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
