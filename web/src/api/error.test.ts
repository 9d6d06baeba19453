import { describe, expect, it } from 'vitest';
import { ApiError, asApiError, isApiError, networkError, sentence, toApiError } from './error';

describe('toApiError', () => {
  it('reads the one error shape with fields', () => {
    const err = toApiError(400, {
      error: { code: 'invalid', message: 'Some fields are invalid.', fields: { email: 'is taken', name: 'is required' } },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid');
    expect(err.message).toBe('Some fields are invalid.');
    expect(err.field('email')).toBe('Is taken.');
    expect(err.field('password')).toBeUndefined();
    expect(err.hasFieldErrors()).toBe(true);
  });

  it('shows the server\'s terse messages as sentences', () => {
    const err = toApiError(401, { error: { code: 'unauthenticated', message: 'the email or password is not right' } });
    expect(err.message).toBe('The email or password is not right.');
    expect(sentence('must be 1 to 100 characters')).toBe('Must be 1 to 100 characters.');
    expect(sentence('Already a sentence!')).toBe('Already a sentence!');
    expect(sentence('  ')).toBe('');
  });

  it('keeps the details a client acts on', () => {
    const err = toApiError(409, {
      error: {
        code: 'conflict',
        message: 'a contact with this email already exists: Ada',
        fields: { email: 'already belongs to Ada' },
        details: { existing_contact_id: 'c1', existing_contact_name: 'Ada', count: 2 },
      },
    });
    expect(err.detail('existing_contact_id')).toBe('c1');
    expect(err.detail('count')).toBeUndefined();
    expect(err.details.count).toBe(2);
    expect(toApiError(409, { error: { code: 'conflict', message: 'x', details: [1] } }).details).toEqual({});
    expect(toApiError(412, undefined).code).toBe('precondition_failed');
  });

  it('treats a missing fields object as no field errors', () => {
    const err = toApiError(401, { error: { code: 'unauthenticated', message: 'Wrong email or password.' } });
    expect(err.code).toBe('unauthenticated');
    expect(err.message).toBe('Wrong email or password.');
    expect(err.fields).toEqual({});
    expect(err.hasFieldErrors()).toBe(false);
  });

  it('ignores field values that are not strings', () => {
    const err = toApiError(400, { error: { code: 'invalid', message: 'x', fields: { a: 1, b: 'bad', c: null, d: '' } } });
    expect(err.fields).toEqual({ b: 'Bad.' });
  });

  it('derives code and message from the status when the body is not the error shape', () => {
    const html = toApiError(502, '<html>Bad Gateway</html>');
    expect(html.code).toBe('internal');
    expect(html.message).toMatch(/went wrong/);

    const empty = toApiError(429, undefined);
    expect(empty.code).toBe('rate_limited');
    expect(empty.message).toMatch(/Too many attempts/);

    const wrongShape = toApiError(404, { message: 'nope' });
    expect(wrongShape.code).toBe('not_found');
  });

  it('fills in a blank code or message', () => {
    const err = toApiError(409, { error: { code: '', message: '' } });
    expect(err.code).toBe('conflict');
    expect(err.message).not.toBe('');
  });
});

describe('networkError and asApiError', () => {
  it('marks a request without an answer', () => {
    const cause = new TypeError('Failed to fetch');
    const err = networkError(cause);
    expect(err.status).toBe(0);
    expect(err.code).toBe('network');
    expect(err.cause).toBe(cause);
  });

  it('keeps ApiErrors and wraps anything else', () => {
    const api = toApiError(403, { error: { code: 'forbidden', message: 'No.' } });
    expect(asApiError(api)).toBe(api);
    const wrapped = asApiError(new Error('boom'));
    expect(wrapped.code).toBe('internal');
    expect(isApiError(wrapped)).toBe(true);
    expect(isApiError(api, 'forbidden')).toBe(true);
    expect(isApiError(api, 'invalid')).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});
