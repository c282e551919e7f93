'use client';

// A JSON value shown as indented text with a copy button; a truncated value (the log keeps large values as a
// `{ truncated, originalBytes, preview }` marker) says so first.
import { CodeBlock } from '@/features/ui/code-block';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';

interface Truncated {
  truncated: true;
  originalBytes: number;
  preview: string;
}

function isTruncated(value: unknown): value is Truncated {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Truncated).truncated === true &&
    typeof (value as Truncated).originalBytes === 'number' &&
    typeof (value as Truncated).preview === 'string'
  );
}

export function JsonBlock({ value, copyLabel }: { value: unknown; copyLabel: string }) {
  const t = useT();
  const format = useFormat();
  if (value === null || value === undefined) return <p className="muted">{t('common.none')}</p>;
  if (isTruncated(value)) {
    return (
      <>
        <p className="field-hint">{t('logs.truncated', { bytes: format.number(value.originalBytes) })}</p>
        <CodeBlock code={value.preview} copyLabel={copyLabel} />
      </>
    );
  }
  return <CodeBlock code={JSON.stringify(value, null, 2)} copyLabel={copyLabel} />;
}

/** One line of a JSON value for a table cell. */
export function jsonPreview(value: unknown, max = 160): string {
  if (value === null || value === undefined) return '';
  const text = isTruncated(value) ? value.preview : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
