import { useCallback, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, unwrap, type InvitationPreview } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { AuthLayout } from '../auth/AuthLayout';
import { PASSWORD_MIN } from '../auth/validation';
import { roleLabel } from '../session/capabilities';
import { useSessionApi } from '../session/SessionContext';
import { focusFirstInvalid, useDocumentTitle } from '../ui/dom';
import { TextField } from '../ui/Field';
import { Alert, Loading } from '../ui/feedback';
import { useResource } from '../ui/useResource';
import { problemsFrom } from '../ui/validate';
import { inviteToken } from './inviteToken';
import { validateAccept, type AcceptValues } from './validation';

const signInFooter = (
  <>
    Already a member? <Link to="/signin">Sign in</Link>
  </>
);

/**
 * `/invite#<token>`: what the invitation offers, then joining. A new person chooses a name and
 * a password; someone with an account gives its password. Either way they end up signed in,
 * in the new workspace.
 */
export function AcceptInvitePage() {
  useDocumentTitle('Invitation');
  const token = inviteToken(useLocation().hash);
  if (!token) {
    return (
      <AuthLayout
        title="This invitation link is incomplete"
        subtitle="The link has no invitation code. Open the link from the invitation email again, or copy all of it into the address bar."
        footer={signInFooter}
      >
        {null}
      </AuthLayout>
    );
  }
  return <InvitationScreen token={token} />;
}

function InvitationScreen({ token }: { token: string }) {
  const load = useCallback(() => unwrap(api.POST('/invitations/lookup', { body: { token } })), [token]);
  const preview = useResource(load, token);

  if (preview.status === 'loading') {
    return (
      <AuthLayout title="Invitation" subtitle="Checking your invitation…" footer={signInFooter}>
        <Loading label="Checking your invitation…" />
      </AuthLayout>
    );
  }
  if (preview.status === 'error') {
    if (preview.error.status === 404 || preview.error.status === 400) {
      return (
        <AuthLayout
          title="This invitation link does not work"
          subtitle="The link may be mistyped or cut short. Open it from the invitation email again, or ask for a new invitation."
          footer={signInFooter}
        >
          {null}
        </AuthLayout>
      );
    }
    return (
      <AuthLayout title="Invitation" subtitle="We could not check your invitation." footer={signInFooter}>
        <div className="form">
          <Alert>{preview.error.message}</Alert>
          <button type="button" className="btn btn--block" onClick={preview.reload}>
            Try again
          </button>
        </div>
      </AuthLayout>
    );
  }

  const invitation = preview.data;
  switch (invitation.state) {
    case 'expired':
      return (
        <AuthLayout
          title="This invitation has expired"
          subtitle={`Invitations are valid for 7 days. Ask someone at ${invitation.workspace_name} to send you a new one.`}
          footer={signInFooter}
        >
          {null}
        </AuthLayout>
      );
    case 'accepted':
      return (
        <AuthLayout
          title="This invitation has already been used"
          subtitle={`${invitation.email} is already a member of ${invitation.workspace_name}. Sign in to open it.`}
          footer={<>Not your account? Ask for a new invitation.</>}
        >
          <Link to="/signin" className="btn btn--primary btn--block">
            Sign in
          </Link>
        </AuthLayout>
      );
    case 'revoked':
      return (
        <AuthLayout
          title="This invitation was withdrawn"
          subtitle={`Someone at ${invitation.workspace_name} revoked it, so the link no longer works. If you still want to join, ask them for a new invitation.`}
          footer={signInFooter}
        >
          {null}
        </AuthLayout>
      );
    default:
      return <AcceptForm token={token} invitation={invitation} onStale={preview.reload} />;
  }
}

function AcceptForm({
  token,
  invitation,
  onStale,
}: {
  token: string;
  invitation: InvitationPreview;
  onStale: () => void;
}) {
  const { state, adopt } = useSessionApi();
  const navigate = useNavigate();
  const existing = invitation.account_exists;
  const [values, setValues] = useState<AcceptValues>({ name: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signedInAs = state.status === 'signed-in' ? state.session.user.email : null;
  const role = roleLabel(invitation.role).toLowerCase();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateAccept(values, existing);
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      const body = existing ? { token, password: values.password } : { token, name: values.name.trim(), password: values.password };
      const joined = await unwrap(api.POST('/invitations/accept', { body }));
      // The new session's current workspace is the one just joined. Read it back: when the
      // browser already had a session, the server answers with that older session's view.
      adopt(await unwrap(api.GET('/me')).catch(() => joined));
      navigate('/agents', { replace: true });
    } catch (err) {
      const error = asApiError(err);
      setPending(false);
      const tokenProblem = error.field('token');
      if (tokenProblem) {
        // Used, revoked or expired meanwhile: show what the link offers now.
        setMessage(tokenProblem);
        onStale();
        return;
      }
      const problems = problemsFrom(error, existing ? ['password'] : ['name', 'password']);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
    }
  }

  return (
    <AuthLayout
      title={existing ? `Sign in to join ${invitation.workspace_name}` : `Join ${invitation.workspace_name}`}
      subtitle={
        existing
          ? `You were invited as ${role}. Enter the password of your Guestlist account to join.`
          : `You were invited as ${role}. Choose your name and a password to create your account.`
      }
      footer={<>Not expecting this invitation? You can ignore it.</>}
    >
      <form onSubmit={submit} noValidate className="form">
        {message && <Alert>{message}</Alert>}
        {signedInAs && signedInAs.toLowerCase() !== invitation.email.toLowerCase() && (
          <Alert tone="info">
            You are signed in as {signedInAs}. Joining signs you in as {invitation.email} instead.
          </Alert>
        )}
        <dl className="facts facts--inline">
          <div>
            <dt>Email</dt>
            <dd>{invitation.email}</dd>
          </div>
        </dl>
        {/* For password managers: the account this password belongs to. */}
        <input type="email" name="email" value={invitation.email} autoComplete="username" readOnly hidden />
        {!existing && (
          <TextField
            label="Your name"
            name="name"
            autoComplete="name"
            autoFocus
            value={values.name}
            onChange={(name) => setValues((v) => ({ ...v, name }))}
            error={errors.name}
            maxLength={100}
          />
        )}
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete={existing ? 'current-password' : 'new-password'}
          autoFocus={existing}
          value={values.password}
          onChange={(password) => setValues((v) => ({ ...v, password }))}
          error={errors.password}
          hint={existing ? undefined : `At least ${PASSWORD_MIN} characters.`}
          maxLength={200}
        />
        <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
          {pending ? 'Joining…' : existing ? 'Sign in and join' : 'Create account and join'}
        </button>
      </form>
    </AuthLayout>
  );
}
