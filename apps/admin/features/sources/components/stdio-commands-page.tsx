'use client';

// Platform admins only: the commands stdio sources may run, in every tenant. Taking one off the list
// stops the sources that use it too.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { useAccess } from '@/features/shell/access';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { EmptyState } from '@/features/ui/empty-state';
import { TextField } from '@/features/ui/form-fields';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { StdioCommandDto } from '../api';
import { stdioCommandsQueryOptions, useAddStdioCommand, useRemoveStdioCommand } from '../queries';
import styles from './sources.module.css';
import { TableHead } from '@/features/ui/table-head';

export function StdioCommandsPage() {
  const t = useT();
  const { isPlatformAdmin } = useAccess();
  const back = { href: '/sources', label: t('sources.title') };

  if (!isPlatformAdmin) {
    return (
      <>
        <PageHeader title={t('sources.stdioTitle')} back={back} />
        <p className="notice notice-info">{t('sources.stdioPlatformOnly')}</p>
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('sources.stdioTitle')} description={t('sources.stdioIntro')} back={back} />
      <AddCommandForm />
      <CommandList />
    </>
  );
}

function AddCommandForm() {
  const t = useT();
  const add = useAddStdioCommand();
  const [command, setCommand] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!command.trim()) {
      setError(t('sources.errCommandRequired'));
      return;
    }
    setError(null);
    add.mutate(
      { command: command.trim(), description: description.trim() },
      {
        onSuccess: (saved) => {
          toast.success(t('sources.stdioAdded', { command: saved.command }));
          setCommand('');
          setDescription('');
        },
      },
    );
  }

  return (
    <section className="card" aria-labelledby="add-command">
      <h2 id="add-command" className="card-title">
        {t('sources.stdioAddTitle')}
      </h2>
      <form className={styles.inlineForm} onSubmit={submit} noValidate>
        <TextField
          label={t('sources.command')}
          placeholder="npx"
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          error={error}
          required
          maxLength={500}
          spellCheck={false}
          autoCapitalize="off"
          className={styles.monoField}
        />
        <TextField label={t('sources.stdioDescription')} value={description} onChange={(e) => setDescription(e.target.value)} optional maxLength={500} />
        <button type="submit" className="button button-primary" disabled={add.isPending}>
          {add.isPending ? t('sources.adding') : t('sources.stdioAdd')}
        </button>
      </form>
      <p className="field-hint">{t('sources.stdioAddHint')}</p>
      {add.isError && <ErrorNotice error={add.error} />}
    </section>
  );
}

function CommandList() {
  const t = useT();
  const format = useFormat();
  const commands = useQuery(stdioCommandsQueryOptions());
  const remove = useRemoveStdioCommand();
  const [removing, setRemoving] = useState<StdioCommandDto | null>(null);
  const columns = [t('sources.command'), t('sources.stdioDescription'), t('sources.stdioAddedAt'), t('common.actions')];

  function close() {
    setRemoving(null);
    remove.reset();
  }

  let body;
  if (commands.isPending) body = <TableSkeleton columns={columns} label={t('sources.stdioLoading')} rows={3} />;
  else if (commands.isError) body = <ErrorNotice error={commands.error} title={t('sources.commandsLoadError')} onRetry={() => void commands.refetch()} />;
  else if (commands.data.items.length === 0) body = <EmptyState title={t('sources.stdioEmptyTitle')} body={t('sources.stdioEmptyBody')} />;
  else
    body = (
      <div className="table-wrap">
        <table className="table">
          <TableHead columns={columns} lastIsActions />
          <tbody>
            {commands.data.items.map((item) => (
              <tr key={item.command}>
                <td>
                  <code>{item.command}</code>
                </td>
                <td>{item.description || <span className="muted">—</span>}</td>
                <td className="cell-nowrap">
                  <time dateTime={item.createdAt}>{format.dateTime(item.createdAt)}</time>
                </td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="button button-secondary button-small button-danger-text"
                    aria-label={t('sources.stdioRemoveLabel', { command: item.command })}
                    onClick={() => setRemoving(item)}
                  >
                    {t('sources.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <section className="section" aria-labelledby="commands-heading">
      <div className="section-header">
        <h2 id="commands-heading">{t('sources.stdioListTitle')}</h2>
      </div>
      {body}
      <ConfirmDialog
        open={removing !== null}
        title={t('sources.stdioRemoveTitle', { command: removing?.command ?? '' })}
        confirmLabel={t('sources.remove')}
        pending={remove.isPending}
        error={remove.error}
        onCancel={close}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.command, {
            onSuccess: () => {
              toast.success(t('sources.stdioRemoved', { command: removing.command }));
              close();
            },
          })
        }
      >
        <p>{t('sources.stdioRemoveBody')}</p>
      </ConfirmDialog>
    </section>
  );
}
