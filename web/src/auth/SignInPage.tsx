import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import type { FieldErrors } from '../api/error';
import { useSessionApi } from '../session/SessionContext';
import { TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { problemsFrom } from '../ui/validate';
import { AuthLayout } from './AuthLayout';
import { validateSignIn } from './validation';
import { focusFirstInvalid, useDocumentTitle } from '../ui/dom';

const fields = ['email', 'password'] as const;

export function SignInPage() {
  useDocumentTitle('Sign in');
  const { adopt } = useSessionApi();
  const [values, setValues] = useState({ email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateSignIn(values);
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      // The guard around this page moves on once the session is adopted.
      adopt(await unwrap(api.POST('/auth/signin', { body: { email: values.email.trim(), password: values.password } })));
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
      title="Sign in"
      subtitle="Welcome back. Sign in to manage your agents and their contacts."
      footer={
        <>
          New to Guestlist? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        {message && <Alert>{message}</Alert>}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoFocus
          value={values.email}
          onChange={(email) => setValues({ ...values, email })}
          error={errors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={values.password}
          onChange={(password) => setValues({ ...values, password })}
          error={errors.password}
        />
        <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
