'use client';

// A table of keys (the tenant's, or one group's) with what a key's owner needs
// to know at a glance, and the actions on it: edit, rotate, revoke.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { groupHref } from '@/features/tool-groups/components/group-links';
import { toolGroupListQueryOptions } from '@/features/tool-groups/queries';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { RateLimitSummary } from '@/features/ui/rate-limit-fields';
import { EmptyState } from '@/features/ui/empty-state';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import { maskedKey, type ApiKey } from '../api';
import { apiKeyListQueryOptions, useRevokeApiKey } from '../queries';
import { EditKeyDialog } from './edit-key-dialog';
import { KeyStatus } from './key-status';
import { RotateKeyDialog } from './rotate-key-dialog';
import { TableHead } from '@/features/ui/table-head';

const SOON_MS = 3 * 24 * 3600 * 1000;

export type KeyStatusFilter = 'all' | 'active' | 'inactive';

interface ApiKeysListProps {
  /** One group's keys; every key of the tenant otherwise (with a group column). */
  groupId?: string;
  status?: KeyStatusFilter;
  /** Shown when there are no keys at all, e.g. the "New key" button. */
  emptyAction?: ReactNode;
}

type Dialog = { kind: 'edit' | 'rotate' | 'revoke'; key: ApiKey } | null;

export function ApiKeysList({ groupId, status = 'all', emptyAction }: ApiKeysListProps) {
  const t = useT();
  const format = useFormat();
  const { can } = useAccess();
  const canWrite = can('writeConfig');
  const keys = useQuery(apiKeyListQueryOptions(groupId));
  const groups = useQuery(toolGroupListQueryOptions());
  const revoke = useRevokeApiKey();
  const [dialog, setDialog] = useState<Dialog>(null);
  const showGroup = groupId === undefined;
  const groupOf = (key: ApiKey) => groups.data?.items.find((group) => group.id === key.groupId);

  function close() {
    setDialog(null);
    revoke.reset();
  }

  const columns = [
    t('keys.colName'),
    t('keys.colKey'),
    t('keys.colStatus'),
    t('keys.colExpires'),
    t('keys.colLastUsed'),
  ];

  let body;
  if (keys.isPending) body = <TableSkeleton columns={columns} rows={3} label={t('keys.loading')} />;
  else if (keys.isError) body = <ErrorNotice error={keys.error} title={t('keys.loadError')} onRetry={() => void keys.refetch()} />;
  else {
    const items = keys.data.items.filter((key) => status === 'all' || (status === 'active') === (key.status === 'active'));
    if (keys.data.items.length === 0) body = <EmptyState title={t('keys.emptyTitle')} body={t('keys.emptyBody')} action={emptyAction} />;
    else if (items.length === 0) body = <EmptyState title={t('keys.noMatchTitle')} body={t('keys.noMatchBody')} />;
    else
      body = (
        <div className="table-wrap">
          <table className="table table-compact">
            <TableHead columns={columns} actions={canWrite} />
            <tbody>
              {items.map((key) => {
                const group = groupOf(key);
                return (
                  <tr key={key.id}>
                    <td>
                      <div className="cell-title">{key.name}</div>
                      <div className="cell-subtitle">
                        {showGroup && group && (
                          <>
                            <Link href={groupHref(group)} className="cell-link">
                              {group.name}
                            </Link>
                            {' · '}
                          </>
                        )}
                        {key.toolAllowlist === null ? t('keys.allTools') : t('keys.someTools', { count: key.toolAllowlist.length })}
                        {Boolean(key.rateLimit.perMinute || key.rateLimit.perDay) && (
                          <>
                            {' · '}
                            <RateLimitSummary limits={key.rateLimit} />
                          </>
                        )}
                      </div>
                    </td>
                    <td className="cell-nowrap">
                      <code>{maskedKey(key)}</code>
                      <div className="cell-subtitle">
                        <time dateTime={key.createdAt} title={format.dateTime(key.createdAt)}>
                          {t('keys.createdOn', { date: format.date(key.createdAt) })}
                        </time>
                      </div>
                    </td>
                    <td className="cell-nowrap">
                      <KeyStatus status={key.status} />
                      {key.revokedAt && (
                        <div className="cell-subtitle" title={format.dateTime(key.revokedAt)}>
                          {format.date(key.revokedAt)}
                        </div>
                      )}
                    </td>
                    <td className="cell-nowrap">
                      {key.revokedAt ? (
                        <span className="muted">—</span>
                      ) : key.expiresAt ? (
                        <time dateTime={key.expiresAt} title={format.dateTime(key.expiresAt)}>
                          {/* A key about to expire (e.g. rotated, in its overlap) needs the hour too. */}
                          {new Date(key.expiresAt).getTime() - Date.now() < SOON_MS ? format.dateTime(key.expiresAt) : format.date(key.expiresAt)}
                        </time>
                      ) : (
                        <span className="muted">{t('common.never')}</span>
                      )}
                    </td>
                    <td className="cell-nowrap">
                      {key.lastUsedAt ? (
                        <time dateTime={key.lastUsedAt} title={format.dateTime(key.lastUsedAt)}>
                          {format.relative(key.lastUsedAt)}
                        </time>
                      ) : (
                        <span className="muted">{t('common.never')}</span>
                      )}
                    </td>
                    {canWrite && (
                      <td className="cell-actions">
                        {key.status === 'active' && (
                          <>
                            <button type="button" className="button button-small button-secondary" aria-label={t('keys.editLabel', { name: key.name })} onClick={() => setDialog({ kind: 'edit', key })}>
                              {t('common.edit')}
                            </button>
                            <button type="button" className="button button-small button-secondary" aria-label={t('keys.rotateLabel', { name: key.name })} onClick={() => setDialog({ kind: 'rotate', key })}>
                              {t('keys.rotate')}
                            </button>
                            <button
                              type="button"
                              className="button button-small button-secondary button-danger-text"
                              aria-label={t('keys.revokeLabel', { name: key.name })}
                              onClick={() => setDialog({ kind: 'revoke', key })}
                            >
                              {t('keys.revoke')}
                            </button>
                          </>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      );
  }

  return (
    <>
      {body}
      <EditKeyDialog apiKey={dialog?.kind === 'edit' ? dialog.key : null} onClose={close} />
      <RotateKeyDialog
        apiKey={dialog?.kind === 'rotate' ? dialog.key : null}
        serverCode={dialog?.kind === 'rotate' ? groupOf(dialog.key)?.serverCode : undefined}
        onClose={close}
      />
      <ConfirmDialog
        open={dialog?.kind === 'revoke'}
        title={dialog ? t('keys.revokeTitle', { name: dialog.key.name }) : ''}
        confirmLabel={t('keys.revoke')}
        pendingLabel={t('keys.revoking')}
        pending={revoke.isPending}
        error={revoke.error}
        onCancel={close}
        onConfirm={() =>
          dialog &&
          revoke.mutate(dialog.key.id, {
            onSuccess: () => {
              toast.success(t('keys.revoked', { name: dialog.key.name }));
              close();
            },
          })
        }
      >
        {dialog && <p>{t('keys.revokeBody', { key: maskedKey(dialog.key) })}</p>}
      </ConfirmDialog>
    </>
  );
}
