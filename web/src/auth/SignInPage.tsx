import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { useSessionApi } from '../session/SessionContext';
import { TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { useFormSubmit } from '../ui/useFormSubmit';
import { AuthLayout } from './AuthLayout';
import { validateSignIn } from './validation';
import { useDocumentTitle } from '../ui/dom';

const fields = ['email', 'password'] as const;

export function SignInPage() {
  useDocumentTitle('Sign in');
  const { adopt } = useSessionApi();
  const [values, setValues] = useState({ email: '', password: '' });
  const { errors, message, pending, submit: run } = useFormSubmit(fields);

  function submit(e: FormEvent) {
    return run(e, validateSignIn(values), async () => {
      // The guard around this page moves on once the session is adopted.
      adopt(await unwrap(api.POST('/auth/signin', { body: { email: values.email.trim(), password: values.password } })));
    });
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
