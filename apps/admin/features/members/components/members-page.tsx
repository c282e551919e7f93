'use client';

// Owners: the tenant's settings, and who may sign in to it with which role. The API keeps at least
// one owner; its refusal is shown as it words it.
import { useQuery } from '@tanstack/react-query';
import { ROLES, type Role } from '@toolgate/contracts';
import { useState, type FormEvent } from 'react';
import { sessionQueryOptions } from '@/features/auth/queries';
import { ApiError } from '@/features/http/api-client';
import { ErrorNotice } from '@/features/http/components/error-notice';
import { TenantSettingsCard } from '@/features/tenants/components/tenant-settings-card';
import { ConfirmDialog } from '@/features/ui/confirm-dialog';
import { EmptyState } from '@/features/ui/empty-state';
import { SelectField, TextField } from '@/features/ui/form-fields';
import { Modal } from '@/features/ui/modal';
import { PageHeader } from '@/features/ui/page-header';
import { TableSkeleton } from '@/features/ui/skeleton';
import { toast } from '@/features/ui/toast';
import type { MessageKey } from '@/i18n/en';
import { useFormat } from '@/i18n/format';
import { useT } from '@/i18n/locale-provider';
import type { Member } from '../api';
import { memberListQueryOptions, useAddMember, useChangeMemberRole, useRemoveMember } from '../queries';
import styles from './members.module.css';
import { FormDialogFooter } from '@/features/ui/form-dialog-footer';
import { TableHead } from '@/features/ui/table-head';

const ROLE_HINTS: Record<Role, MessageKey> = {
  owner: 'members.roleOwnerHint',
  admin: 'members.roleAdminHint',
  auditor: 'members.roleAuditorHint',
  viewer: 'members.roleViewerHint',
};

const MIN_PASSWORD = 12;

export function MembersPage() {
  const t = useT();
  const members = useQuery(memberListQueryOptions());
  const [adding, setAdding] = useState(false);
  const columns = [t('members.colMember'), t('members.colRole'), t('members.colAdded'), t('common.actions')];
  const addButton = (
    <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
      {t('members.add')}
    </button>
  );

  let body;
  if (members.isPending) body = <TableSkeleton columns={columns} label={t('members.loading')} rows={3} />;
  else if (members.isError) body = <ErrorNotice error={members.error} title={t('members.loadError')} onRetry={() => void members.refetch()} />;
  // A tenant a platform admin just created has nobody yet.
  else if (members.data.items.length === 0) body = <EmptyState title={t('members.emptyTitle')} body={t('members.emptyBody')} action={addButton} />;
  else body = <MembersTable members={members.data.items} columns={columns} />;

  return (
    <>
      <PageHeader title={t('members.title')} description={t('members.intro')} />
      <TenantSettingsCard />
      <section className="section" aria-labelledby="members-heading">
        <div className="section-header">
          <h2 id="members-heading">{t('members.listTitle')}</h2>
          {members.data?.items.length ? addButton : null}
        </div>
        {body}
      </section>
      {adding && <AddMemberDialog onClose={() => setAdding(false)} />}
    </>
  );
}

function MembersTable({ members, columns }: { members: Member[]; columns: string[] }) {
  const t = useT();
  const format = useFormat();
  const session = useQuery(sessionQueryOptions());
  const changeRole = useChangeMemberRole();
  const remove = useRemoveMember();
  const [removing, setRemoving] = useState<Member | null>(null);
  const [demotingSelf, setDemotingSelf] = useState<{ member: Member; role: Role } | null>(null);
  const myUserId = session.data?.user.id;

  function applyRole(member: Member, role: Role) {
    changeRole.mutate(
      { id: member.id, role },
      {
        onSuccess: (saved) => toast.success(t('members.roleChanged', { email: saved.email, role: t(`role.${saved.role}`) })),
        onSettled: () => setDemotingSelf(null),
      },
    );
  }

  function closeRemove() {
    setRemoving(null);
    remove.reset();
  }

  return (
    <div className="table-wrap">
      <table className="table">
        <TableHead columns={columns} lastIsActions />
        <tbody>
          {members.map((member) => {
            const changing = changeRole.isPending && changeRole.variables?.id === member.id;
            return (
              <tr key={member.id}>
                <td>
                  <div className="cell-title">
                    {member.name} {member.userId === myUserId && <span className="badge">{t('members.you')}</span>}
                  </div>
                  <div className="cell-subtitle">{member.email}</div>
                </td>
                <td>
                  <select
                    className={`select ${styles.roleSelect}`}
                    aria-label={t('members.roleOf', { email: member.email })}
                    value={changing ? changeRole.variables!.role : member.role}
                    disabled={changing}
                    onChange={(event) => {
                      const role = event.target.value as Role;
                      if (member.userId === myUserId && member.role === 'owner' && role !== 'owner') setDemotingSelf({ member, role });
                      else applyRole(member, role);
                    }}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {t(`role.${role}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="cell-nowrap">
                  <time dateTime={member.createdAt}>{format.date(member.createdAt)}</time>
                </td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="button button-secondary button-small button-danger-text"
                    aria-label={t('members.removeLabel', { email: member.email })}
                    onClick={() => setRemoving(member)}
                  >
                    {t('members.remove')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ConfirmDialog
        open={demotingSelf !== null}
        title={t('members.demoteSelfTitle')}
        confirmLabel={t('members.demoteSelfConfirm', { role: demotingSelf ? t(`role.${demotingSelf.role}`) : '' })}
        pending={changeRole.isPending}
        onCancel={() => setDemotingSelf(null)}
        onConfirm={() => demotingSelf && applyRole(demotingSelf.member, demotingSelf.role)}
      >
        <p>{t('members.demoteSelfBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={removing !== null}
        title={t('members.removeTitle', { email: removing?.email ?? '' })}
        confirmLabel={t('members.remove')}
        pendingLabel={t('members.removing')}
        pending={remove.isPending}
        error={remove.error}
        onCancel={closeRemove}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.id, {
            onSuccess: () => {
              toast.success(t('members.removed', { email: removing.email }));
              closeRemove();
            },
          })
        }
      >
        <p>{removing?.userId === myUserId ? t('members.removeSelfBody') : t('members.removeBody')}</p>
      </ConfirmDialog>
    </div>
  );
}

function AddMemberDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const add = useAddMember();
  const [values, setValues] = useState({ email: '', name: '', role: 'viewer' as Role, password: '' });
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const set = (key: keyof typeof values, value: string) => setValues((current) => ({ ...current, [key]: value }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) found.email = t('members.emailInvalid');
    if (values.password && values.password.length < MIN_PASSWORD) found.password = t('members.passwordShort', { min: MIN_PASSWORD });
    setErrors(found);
    if (found.email || found.password) return;
    add.mutate(
      {
        email: values.email.trim(),
        role: values.role,
        ...(values.name.trim() ? { name: values.name.trim() } : {}),
        ...(values.password ? { password: values.password } : {}),
      },
      {
        onSuccess: (member) => {
          toast.success(t('members.added', { email: member.email, role: t(`role.${member.role}`) }));
          onClose();
        },
      },
    );
  }

  const apiError = add.error instanceof ApiError ? add.error : null;
  const emailError = errors.email ?? (apiError?.code === 'MEMBER_EXISTS' ? apiError.message : undefined);

  return (
    <Modal
      open
      onClose={onClose}
      title={t('members.addTitle')}
      description={t('members.addIntro')}
      onSubmit={submit}
      dismissible={!add.isPending}
      footer={<FormDialogFooter onCancel={onClose} pending={add.isPending} submitLabel={add.isPending ? t('members.adding') : t('members.addSubmit')} />}
    >
      <div className="field-row">
        <TextField label={t('members.email')} type="email" autoComplete="off" value={values.email} onChange={(e) => set('email', e.target.value)} error={emailError} required maxLength={254} />
        <TextField label={t('members.name')} value={values.name} onChange={(e) => set('name', e.target.value)} optional maxLength={200} />
      </div>
      <SelectField
        label={t('members.role')}
        value={values.role}
        onChange={(e) => set('role', e.target.value)}
        options={ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }))}
        hint={t(ROLE_HINTS[values.role])}
      />
      <TextField
        label={t('members.password')}
        type="password"
        autoComplete="new-password"
        value={values.password}
        onChange={(e) => set('password', e.target.value)}
        error={errors.password}
        hint={t('members.passwordHint', { min: MIN_PASSWORD })}
        optional
      />
      {add.isError && apiError?.code !== 'MEMBER_EXISTS' && <ErrorNotice error={add.error} title={t('members.addError')} />}
    </Modal>
  );
}
