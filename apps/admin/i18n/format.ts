'use client';

// Dates and numbers in the console's language (not the browser's), so a page
// reads in one language throughout.
import { useMemo } from 'react';
import { useLocale } from './locale-provider';

export interface Formatters {
  /** "Nov 21, 2026, 2:04 PM" / "2026年11月21日 14:04"; `fallback` for null. */
  dateTime(iso: string | null | undefined, fallback?: string): string;
  date(iso: string | null | undefined, fallback?: string): string;
  /** "3 minutes ago" / "3分钟前". */
  relative(iso: string | null | undefined, fallback?: string): string;
  number(value: number): string;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

export function useFormat(): Formatters {
  const { languageTag } = useLocale();
  return useMemo(() => {
    const dateTimeFormat = new Intl.DateTimeFormat(languageTag, { dateStyle: 'medium', timeStyle: 'short' });
    const dateFormat = new Intl.DateTimeFormat(languageTag, { dateStyle: 'medium' });
    const relativeFormat = new Intl.RelativeTimeFormat(languageTag, { numeric: 'auto' });
    const numberFormat = new Intl.NumberFormat(languageTag);
    return {
      dateTime: (iso, fallback = '') => (iso ? dateTimeFormat.format(new Date(iso)) : fallback),
      date: (iso, fallback = '') => (iso ? dateFormat.format(new Date(iso)) : fallback),
      relative: (iso, fallback = '') => {
        if (!iso) return fallback;
        const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
        const [unit, size] = UNITS.find(([, unitSeconds]) => Math.abs(seconds) >= unitSeconds) ?? UNITS[UNITS.length - 1];
        return relativeFormat.format(Math.round(seconds / size), unit);
      },
      number: (value) => numberFormat.format(value),
    };
  }, [languageTag]);
}
