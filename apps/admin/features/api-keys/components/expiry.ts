// Key expiry as the forms edit it: a calendar day, the key working through its end (local time).

/** "2026-12-31" → the ISO instant at the end of that local day. */
export function endOfDayIso(day: string): string {
  return new Date(`${day}T23:59:59`).toISOString();
}

/** ISO instant → "2026-12-31" in local time, for <input type="date">. */
export function toDayInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Today plus `days`, as "YYYY-MM-DD". */
export function dayInDays(days: number): string {
  return toDayInput(new Date(Date.now() + days * 24 * 3600 * 1000).toISOString());
}
