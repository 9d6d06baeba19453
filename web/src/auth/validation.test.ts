import { describe, expect, it } from 'vitest';
import { validateSignIn, validateSignUp } from './validation';

describe('validateSignUp', () => {
  const good = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse', workspace_name: 'Analytical' };

  it('accepts a complete sign-up', () => {
    expect(validateSignUp(good)).toEqual({});
  });

  it('names every field that breaks the contract', () => {
    expect(validateSignUp({ name: ' ', email: 'nope', password: 'short', workspace_name: 'ab' })).toEqual({
      name: 'Your name is required.',
      email: 'Enter an email address like name@example.com.',
      password: 'Password must be at least 10 characters.',
      workspace_name: 'Workspace name must be at least 3 characters.',
    });
  });

  it('does not trim passwords', () => {
    expect(validateSignUp({ ...good, password: ' '.repeat(10) })).toEqual({});
    expect(validateSignUp({ ...good, password: 'x'.repeat(201) }).password).toMatch(/at most 200/);
  });
});

describe('validateSignIn', () => {
  it('requires both fields but leaves the rest to the server', () => {
    expect(validateSignIn({ email: '', password: '' })).toEqual({
      email: 'Email is required.',
      password: 'Password is required.',
    });
    expect(validateSignIn({ email: 'not-an-email', password: 'x' })).toEqual({});
  });
});
