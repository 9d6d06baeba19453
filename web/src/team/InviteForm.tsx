import { useState, type FormEvent } from 'react';
import { api, unwrap, type Invitation, type InvitableRole, type Role } from '../api/client';
import { invitableRoles, roleLabels } from '../session/capabilities';
import { SelectField, TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { useFormSubmit } from '../ui/useFormSubmit';
import type { Report } from './TeamPage';
import { validateInvite, type InviteValues } from './validation';

const fields = ['email', 'role'] as const;

const roleHints: Record<InvitableRole, string> = {
  admin: 'Manages agents, their CRM and users, and sees the whole audit log.',
  user: 'Works only in the agents you share with them.',
};

/** Invite by email; the owner invites admins and users, an admin users only. */
export function InviteForm({
  actorRole,
  onInvited,
  report,
}: {
  actorRole: Role | null;
  onInvited: (invitation: Invitation) => void;
  report: Report;
}) {
  const roles = invitableRoles(actorRole);
  const [values, setValues] = useState<InviteValues>({ email: '', role: 'user' });
  const { errors, message, pending, submit: run } = useFormSubmit(fields);

  function submit(e: FormEvent) {
    return run(e, validateInvite(values), async () => {
      const invitation = await unwrap(api.POST('/invitations', { body: { email: values.email.trim(), role: values.role } }));
      setValues((v) => ({ ...v, email: '' }));
      onInvited(invitation);
      report({
        notice: `Invitation sent to ${invitation.email}. The link works until ${formatDate(invitation.expires_at)}.`,
      });
    });
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      {message && <Alert>{message}</Alert>}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="off"
        value={values.email}
        onChange={(email) => setValues((v) => ({ ...v, email }))}
        error={errors.email}
        maxLength={254}
        placeholder="name@example.com"
      />
      <SelectField
        label="Role"
        name="role"
        value={values.role}
        onChange={(role) => setValues((v) => ({ ...v, role }))}
        options={roles.map((r) => ({ value: r, label: roleLabels[r] }))}
        error={errors.role}
        hint={
          actorRole === 'owner'
            ? roleHints[values.role]
            : `${roleHints[values.role]} Only the owner invites admins.`
        }
      />
      <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
        {pending ? 'Sending…' : 'Send invitation'}
      </button>
    </form>
  );
}
