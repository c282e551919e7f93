'use client';

// Two versions of a text side by side, removed lines red on the left, added lines green on the right,
// long unchanged stretches folded. Used by drift reviews and by the audit log's before/after.
import { useMemo, useState } from 'react';
import { useT } from '@/i18n/locale-provider';
import { diffLines, splitLines, toSideBySide, type DiffLine, type SideBySideRow } from '../diff';
import styles from './diff-view.module.css';

/** Unchanged lines kept around each change; longer unchanged stretches are folded. */
const CONTEXT_LINES = 3;

interface DiffViewProps {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
  /** Names the table for screen readers, e.g. "Input schema: live and proposed". */
  caption: string;
}

type Item = { kind: 'row'; row: SideBySideRow; at: number } | { kind: 'gap'; hidden: number; at: number };

export function DiffView({ before, after, beforeLabel, afterLabel, caption }: DiffViewProps) {
  const t = useT();
  const [expanded, setExpanded] = useState(false);
  const rows = useMemo(() => toSideBySide(diffLines(splitLines(before), splitLines(after))), [before, after]);
  const items = useMemo(() => (expanded ? rows.map((row, at): Item => ({ kind: 'row', row, at })) : fold(rows)), [rows, expanded]);

  return (
    <div className={styles.wrap}>
      <table className={styles.table}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{beforeLabel}</th>
            <th scope="col">{afterLabel}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) =>
            item.kind === 'gap' ? (
              <tr key={`gap-${item.at}`} className={styles.gap}>
                <td colSpan={2}>
                  <button type="button" className={styles.gapButton} onClick={() => setExpanded(true)}>
                    {t('sources.diffUnchangedLines', { count: item.hidden })}
                  </button>
                </td>
              </tr>
            ) : (
              <DiffRow key={item.at} row={item.row} />
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

function DiffRow({ row }: { row: SideBySideRow }) {
  return (
    <tr>
      <DiffCell line={row.left} />
      <DiffCell line={row.right} />
    </tr>
  );
}

function DiffCell({ line }: { line: DiffLine | null }) {
  const t = useT();
  if (!line) return <td className={styles.empty} />;
  const className = line.change === 'removed' ? styles.removed : line.change === 'added' ? styles.added : undefined;
  const marker = line.change === 'removed' ? '−' : line.change === 'added' ? '+' : ' ';
  return (
    <td className={className} data-change={line.change}>
      <span className={styles.marker} aria-hidden="true">
        {marker}
      </span>
      {line.change !== 'same' && <span className="visually-hidden">{line.change === 'removed' ? t('sources.diffRemoved') : t('sources.diffAdded')} </span>}
      {line.text}
    </td>
  );
}

/** Keeps changed rows and CONTEXT_LINES around them; each longer unchanged stretch becomes one gap. */
function fold(rows: readonly SideBySideRow[]): Item[] {
  const changed = rows.map((row) => row.left?.change !== 'same' || row.right?.change !== 'same');
  const keep = rows.map((_, index) => {
    for (let k = Math.max(0, index - CONTEXT_LINES); k <= Math.min(rows.length - 1, index + CONTEXT_LINES); k++) if (changed[k]) return true;
    return false;
  });
  const items: Item[] = [];
  let index = 0;
  while (index < rows.length) {
    if (keep[index]) {
      items.push({ kind: 'row', row: rows[index], at: index });
      index++;
      continue;
    }
    const start = index;
    while (index < rows.length && !keep[index]) index++;
    // Folding one line saves nothing.
    if (index - start === 1) items.push({ kind: 'row', row: rows[start], at: start });
    else items.push({ kind: 'gap', hidden: index - start, at: start });
  }
  return items;
}
