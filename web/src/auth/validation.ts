import { collect, email, length, required } from '../ui/validate';
import type { FieldErrors } from '../api/error';

export interface SignUpValues {
  name: string;
  email: string;
  password: string;
  workspace_name: string;
}

export const PASSWORD_MIN = 10;

export function validateSignUp(v: SignUpValues): FieldErrors {
  return collect({
    name: length(v.name, 'Your name', 1, 100),
    email: email(v.email),
    password:
      v.password.length < PASSWORD_MIN
        ? `Password must be at least ${PASSWORD_MIN} characters.`
        : v.password.length > 200
          ? 'Password must be at most 200 characters.'
          : undefined,
    workspace_name: length(v.workspace_name, 'Workspace name', 3, 100),
  });
}

export interface SignInValues {
  email: string;
  password: string;
}

export function validateSignIn(v: SignInValues): FieldErrors {
  return collect({
    email: required(v.email, 'Email'),
    password: v.password === '' ? 'Password is required.' : undefined,
  });
}
