import type { FieldErrors } from '../api/error';
import { PASSWORD_MIN } from '../auth/validation';
import { collect, email, length } from '../ui/validate';

export interface InviteValues {
  email: string;
  role: 'admin' | 'user';
}

export function validateInvite(v: InviteValues): FieldErrors {
  return collect({ email: email(v.email) });
}

export interface AcceptValues {
  name: string;
  password: string;
}

/** A new account chooses a name and a password; an existing one only gives its password. */
export function validateAccept(v: AcceptValues, accountExists: boolean): FieldErrors {
  if (accountExists) return collect({ password: v.password === '' ? 'Password is required.' : undefined });
  return collect({
    name: length(v.name, 'Your name', 1, 100),
    password:
      v.password.length < PASSWORD_MIN
        ? `Password must be at least ${PASSWORD_MIN} characters.`
        : v.password.length > 200
          ? 'Password must be at most 200 characters.'
          : undefined,
  });
}
