import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import type { FieldErrors } from '../api/error';
import { useSessionApi } from '../session/SessionContext';
import { TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { problemsFrom } from '../ui/validate';
import { AuthLayout } from './AuthLayout';
import { PASSWORD_MIN, validateSignUp, type SignUpValues } from './validation';
import { focusFirstInvalid, useDocumentTitle } from '../ui/dom';

const fields = ['name', 'email', 'password', 'workspace_name'] as const;

export function SignUpPage() {
  useDocumentTitle('Create your account');
  const { adopt } = useSessionApi();
  const [values, setValues] = useState<SignUpValues>({ name: '', email: '', password: '', workspace_name: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const set = (field: keyof SignUpValues) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateSignUp(values);
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      const body = {
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        workspace_name: values.workspace_name.trim(),
      };
      adopt(await unwrap(api.POST('/auth/signup', { body })));
    } catch (err) {
      const problems = problemsFrom(err, fields);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
      setPending(false);
    }
  }

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Set up a workspace for your team and your first chat agent."
      footer={
        <>
          Already have an account? <Link to="/signin">Sign in</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        {message && <Alert>{message}</Alert>}
        <TextField label="Your name" name="name" autoComplete="name" autoFocus value={values.name} onChange={set('name')} error={errors.name} maxLength={100} />
        <TextField label="Email" name="email" type="email" autoComplete="email" value={values.email} onChange={set('email')} error={errors.email} maxLength={254} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={set('password')}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters.`}
          maxLength={200}
        />
        <TextField
          label="Workspace name"
          name="workspace_name"
          autoComplete="organization"
          value={values.workspace_name}
          onChange={set('workspace_name')}
          error={errors.workspace_name}
          hint="Usually your company or team. You can create more workspaces later."
          maxLength={100}
        />
        <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
          {pending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
