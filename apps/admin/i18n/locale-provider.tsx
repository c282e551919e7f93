'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { createLocalStorageStore } from '@/features/storage/local-storage-store';
import { en, type MessageKey, type Messages } from './en';
import { zh } from './zh';

export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];

const DICTIONARIES: Record<Locale, Messages> = { en, zh };
// BCP 47 tags for <html lang> and Intl formatting.
const LANGUAGE_TAGS: Record<Locale, string> = { en: 'en', zh: 'zh-CN' };
const DEFAULT_LOCALE: Locale = 'en';

const localeStore = createLocalStorageStore('toolgate.locale');

function isLocale(value: string | null): value is Locale {
  return value !== null && (LOCALES as readonly string[]).includes(value);
}

function browserLocale(): Locale {
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : DEFAULT_LOCALE;
}

const subscribeToNothing = () => () => {};

export type TranslateParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: TranslateParams) => string;

interface LocaleContextValue {
  locale: Locale;
  languageTag: string;
  setLocale: (locale: Locale) => void;
  t: Translate;
}

const LocaleContext = createContext<LocaleContextValue | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const stored = localeStore.useValue();
  // The server cannot see navigator or localStorage, so it and the hydration
  // pass render the default; the browser's choice applies right after.
  const detected = useSyncExternalStore(subscribeToNothing, browserLocale, () => DEFAULT_LOCALE);
  const locale: Locale = isLocale(stored) ? stored : detected;

  useEffect(() => {
    document.documentElement.lang = LANGUAGE_TAGS[locale];
  }, [locale]);

  const setLocale = useCallback((next: Locale) => localeStore.set(next), []);

  const value = useMemo<LocaleContextValue>(() => {
    const dictionary = DICTIONARIES[locale];
    const t: Translate = (key, params) => {
      const template = dictionary[key];
      if (!params) return template;
      return template.replace(/\{(\w+)\}/g, (match, name: string) =>
        name in params ? String(params[name]) : match,
      );
    };
    return { locale, languageTag: LANGUAGE_TAGS[locale], setLocale, t };
  }, [locale, setLocale]);

  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleContextValue {
  const value = useContext(LocaleContext);
  if (!value) throw new Error('useLocale must be used inside <LocaleProvider>');
  return value;
}

export function useT(): Translate {
  return useLocale().t;
}
