// Months as the usage API counts them: calendar months in UTC, written YYYY-MM.
import { UsageMonthSchema } from '@toolgate/contracts';

export function currentMonth(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month in a URL parameter when it is one, else the current month. */
export function monthFromParam(value: string | null, now = new Date()): string {
  return value && UsageMonthSchema.safeParse(value).success ? value : currentMonth(now);
}
