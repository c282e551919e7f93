// What a list shows when it has nothing: what would be here, and how to add it.
import type { ReactNode } from 'react';

interface EmptyStateProps {
  title: string;
  body?: ReactNode;
  /** E.g. the button that creates the first item. */
  action?: ReactNode;
}

export function EmptyState({ title, body, action }: EmptyStateProps) {
  return (
    <div className="empty-state">
      <p className="empty-state-title">{title}</p>
      {body && <p className="muted">{body}</p>}
      {action && <div className="empty-state-action">{action}</div>}
    </div>
  );
}
