'use client';

// Placeholders with the shape of the content that is loading, so the page does
// not jump when it arrives. Each announces itself once to screen readers.
import type { ReactNode } from 'react';

type SkeletonShape = 'text' | 'short' | 'wide' | 'pill' | 'block';

export function Skeleton({ shape = 'text' }: { shape?: SkeletonShape }) {
  const extra = shape === 'text' ? '' : ` skeleton-${shape}`;
  return <div className={`skeleton skeleton-text${extra}`} aria-hidden="true" />;
}

interface TableSkeletonProps {
  /** Column headers (the real table's, so columns keep their width) or a column count. */
  columns: readonly ReactNode[] | number;
  rows?: number;
  /** Announced to screen readers, e.g. "Loading tool groups". */
  label: string;
}

export function TableSkeleton({ columns, rows = 4, label }: TableSkeletonProps) {
  const headers = typeof columns === 'number' ? null : columns;
  const count = typeof columns === 'number' ? columns : columns.length;
  return (
    <div className="table-wrap" aria-busy="true">
      <span className="visually-hidden" role="status">
        {label}
      </span>
      <table className="table" aria-hidden="true">
        {headers && (
          <thead>
            <tr>
              {headers.map((header, index) => (
                <th key={index} scope="col">
                  {header}
                </th>
              ))}
            </tr>
          </thead>
        )}
        <tbody>
          {Array.from({ length: rows }, (_, row) => (
            <tr key={row}>
              {Array.from({ length: count }, (_, column) => (
                <td key={column}>
                  <Skeleton shape={column === 0 ? 'text' : 'short'} />
                  {column === 0 && <Skeleton shape="short" />}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Loading placeholder for a card or detail section: a few lines of text. */
export function BlockSkeleton({ label, lines = 3 }: { label: string; lines?: number }) {
  return (
    <div className="card" aria-busy="true">
      <span className="visually-hidden" role="status">
        {label}
      </span>
      <Skeleton shape="wide" />
      {Array.from({ length: lines - 1 }, (_, index) => (
        <Skeleton key={index} shape={index % 2 ? 'short' : 'text'} />
      ))}
    </div>
  );
}
