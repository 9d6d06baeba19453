import { describe, expect, it } from 'vitest';
import { validateAccept, validateInvite } from './validation';

describe('team validation', () => {
  it('needs an email to invite', () => {
    expect(validateInvite({ email: '', role: 'user' })).toEqual({ email: 'Email is required.' });
    expect(validateInvite({ email: 'not-an-email', role: 'user' }).email).toMatch(/name@example.com/);
    expect(validateInvite({ email: ' ada@example.com ', role: 'admin' })).toEqual({});
  });

  it('asks a new account for a name and a 10 to 200 character password', () => {
    expect(validateAccept({ name: '', password: 'short' }, false)).toEqual({
      name: 'Your name is required.',
      password: 'Password must be at least 10 characters.',
    });
    expect(validateAccept({ name: 'Ada', password: 'x'.repeat(201) }, false)).toEqual({
      password: 'Password must be at most 200 characters.',
    });
    expect(validateAccept({ name: 'Ada', password: 'x'.repeat(10) }, false)).toEqual({});
  });

  it('asks an existing account only for its password, whatever its length', () => {
    expect(validateAccept({ name: '', password: '' }, true)).toEqual({ password: 'Password is required.' });
    expect(validateAccept({ name: '', password: 'old' }, true)).toEqual({});
  });
});
