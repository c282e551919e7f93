'use client';

import { useLogoutMutation } from '@/features/auth/queries';
import { useT } from '@/i18n/locale-provider';

export function LogoutButton() {
  const t = useT();
  const logout = useLogoutMutation();

  return (
    <button
      type="button"
      className="button button-secondary"
      disabled={logout.isPending || logout.isSuccess}
      onClick={() => logout.mutate()}
    >
      {t('shell.logout')}
    </button>
  );
}
