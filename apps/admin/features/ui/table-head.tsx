'use client';

// A table's header row: one column header per label, and a visually hidden "Actions" header when rows have buttons
// (`actions`), or the last labelled column aligned as the actions column (`lastIsActions`).
import { useT } from '@/i18n/locale-provider';

export interface TableHeadProps {
  columns: readonly string[];
  actions?: boolean;
  lastIsActions?: boolean;
}

export function TableHead({ columns, actions = false, lastIsActions = false }: TableHeadProps) {
  const t = useT();
  return (
    <thead>
      <tr>
        {columns.map((column, index) => (
          <th key={column} scope="col" className={lastIsActions && index === columns.length - 1 ? 'cell-actions' : undefined}>
            {column}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span className="visually-hidden">{t('common.actions')}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
