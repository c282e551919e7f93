'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useT } from '@/i18n/locale-provider';
import { isWithin, NAV_SECTIONS, type NavItem } from '../nav-items';

export function SideNav({ items }: { items: NavItem[] }) {
  const t = useT();
  const pathname = usePathname();
  const sections = NAV_SECTIONS.map((section) => ({ ...section, items: items.filter((item) => item.section === section.id) })).filter(
    (section) => section.items.length > 0,
  );

  return (
    <nav className="side-nav" aria-label={t('shell.mainNav')}>
      {sections.map((section) => (
        <div key={section.id} className="side-nav-section">
          <p className="side-nav-heading" id={`nav-${section.id}`}>
            {t(section.labelKey)}
          </p>
          <ul aria-labelledby={`nav-${section.id}`}>
            {section.items.map((item) => {
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
        </div>
      ))}
    </nav>
  );
}
