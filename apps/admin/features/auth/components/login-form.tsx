'use client';

import { useRouter } from 'next/navigation';
import { useId, type FormEvent } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { LanguageSwitcher } from '@/i18n/language-switcher';
import { useT } from '@/i18n/locale-provider';
import { useLoginMutation } from '../queries';

// The console's home; the shell sends roles that cannot see it to their first page.
const AFTER_LOGIN_PATH = '/groups';

export function LoginForm() {
  const t = useT();
  const router = useRouter();
  const login = useLoginMutation();
  const emailId = useId();
  const passwordId = useId();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    login.mutate(
      { email: String(form.get('email') ?? '').trim(), password: String(form.get('password') ?? '') },
      { onSuccess: () => router.replace(AFTER_LOGIN_PATH) },
    );
  }

  // Keep the button disabled until navigation starts so a second Enter cannot resubmit.
  const busy = login.isPending || login.isSuccess;

  return (
    <main className="login-page">
      <div className="login-toolbar">
        <LanguageSwitcher />
      </div>
      <section className="login-card" aria-labelledby="login-heading">
        <p className="brand brand-large">{t('app.name')}</p>
        <p className="muted">{t('app.tagline')}</p>
        <h1 id="login-heading" className="login-heading">
          {t('login.title')}
        </h1>

        <form className="form" onSubmit={handleSubmit} aria-busy={busy}>
          <div className="field">
            <label htmlFor={emailId}>{t('login.email')}</label>
            <input
              id={emailId}
              name="email"
              type="email"
              className="input"
              autoComplete="username"
              autoFocus
              required
            />
          </div>
          <div className="field">
            <label htmlFor={passwordId}>{t('login.password')}</label>
            <input
              id={passwordId}
              name="password"
              type="password"
              className="input"
              autoComplete="current-password"
              required
            />
          </div>

          {login.isError && <ErrorNotice error={login.error} />}

          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
      </section>
    </main>
  );
}
