import { useState, type FormEvent } from 'react';
import { api, unwrap, type Invitation, type InvitableRole, type Role } from '../api/client';
import type { FieldErrors } from '../api/error';
import { invitableRoles, roleLabels } from '../session/capabilities';
import { focusFirstInvalid } from '../ui/dom';
import { SelectField, TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { problemsFrom } from '../ui/validate';
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
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateInvite(values);
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      const invitation = await unwrap(api.POST('/invitations', { body: { email: values.email.trim(), role: values.role } }));
      setValues((v) => ({ ...v, email: '' }));
      onInvited(invitation);
      report({
        notice: `Invitation sent to ${invitation.email}. The link works until ${formatDate(invitation.expires_at)}.`,
      });
    } catch (err) {
      const problems = problemsFrom(err, fields);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
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
