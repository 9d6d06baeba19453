import { describe, expect, it } from 'vitest';
import { toApiError } from '../api/error';
import { collect, email, length, problemsFrom, required } from './validate';

describe('field checks', () => {
  it('checks presence and length on trimmed values', () => {
    expect(required('  ', 'Name')).toBe('Name is required.');
    expect(required(' a ', 'Name')).toBeUndefined();
    expect(length('ab', 'Workspace name', 3, 100)).toBe('Workspace name must be at least 3 characters.');
    expect(length('  abc  ', 'Workspace name', 3, 100)).toBeUndefined();
    expect(length('x'.repeat(101), 'Name', 1, 100)).toBe('Name must be at most 100 characters.');
    expect(length('', 'Name', 1, 100)).toBe('Name is required.');
  });

  it('catches obvious email typos only', () => {
    expect(email('')).toBe('Email is required.');
    expect(email('ada')).toMatch(/email address/);
    expect(email('ada@example')).toMatch(/email address/);
    expect(email(' ada@example.com ')).toBeUndefined();
    expect(email('a+b@sub.example.co')).toBeUndefined();
  });

  it('collects only the problems', () => {
    expect(collect({ a: undefined, b: 'bad' })).toEqual({ b: 'bad' });
  });
});

describe('problemsFrom', () => {
  it('puts field errors next to the fields and drops the generic message', () => {
    const err = toApiError(400, { error: { code: 'invalid', message: 'Invalid input.', fields: { name: 'is taken' } } });
    expect(problemsFrom(err, ['name', 'visibility'])).toEqual({ fields: { name: 'Is taken.' }, message: null });
  });

  it('keeps errors for fields the form does not show in the message', () => {
    const err = toApiError(400, {
      error: { code: 'invalid', message: 'Invalid input.', fields: { name: 'is taken', agent_name: 'too long' } },
    });
    expect(problemsFrom(err, ['name'])).toEqual({
      fields: { name: 'Is taken.' },
      message: 'Invalid input. (agent_name: Too long.)',
    });
  });

  it('shows the message of errors without fields', () => {
    const err = toApiError(401, { error: { code: 'unauthenticated', message: 'Wrong email or password.' } });
    expect(problemsFrom(err, ['email', 'password'])).toEqual({ fields: {}, message: 'Wrong email or password.' });
  });

  it('keeps the message of a non-validation error that names a field', () => {
    const err = toApiError(409, { error: { code: 'conflict', message: 'Email already registered.', fields: { email: 'taken' } } });
    expect(problemsFrom(err, ['email'])).toEqual({ fields: { email: 'Taken.' }, message: 'Email already registered.' });
  });

  it('handles errors that are not ApiErrors', () => {
    expect(problemsFrom(new Error('boom'), ['x']).message).toMatch(/went wrong/);
  });
});
