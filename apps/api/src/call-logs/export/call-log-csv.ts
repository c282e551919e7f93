// CSV rows of the call-log export: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.
import { CALL_LOG_CSV_COLUMNS, CallLogDto } from '@toolgate/contracts';

/** A text cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Sheets. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: a leading `'` neutralizes a formula; quoted when it holds a quote, comma or line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = `${CALL_LOG_CSV_COLUMNS.join(',')}\r\n`;

export function csvRow(log: CallLogDto): string {
  return `${CALL_LOG_CSV_COLUMNS.map((column) => csvCell(log[column])).join(',')}\r\n`;
}
