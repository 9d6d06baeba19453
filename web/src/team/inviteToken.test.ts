import { describe, expect, it } from 'vitest';
import { inviteToken } from './inviteToken';

describe('inviteToken', () => {
  it('reads the token from the fragment', () => {
    expect(inviteToken('#abc_DEF-123')).toBe('abc_DEF-123');
    expect(inviteToken('abc')).toBe('abc');
  });

  it('accepts token= and percent-encoding, and trims', () => {
    expect(inviteToken('#token=abc')).toBe('abc');
    expect(inviteToken('#a%2Bb%3D')).toBe('a+b=');
    expect(inviteToken('#  abc \n')).toBe('abc');
  });

  it('keeps malformed percent-encoding as it is', () => {
    expect(inviteToken('#abc%E0%A4%A')).toBe('abc%E0%A4%A');
  });

  it('says when there is no token', () => {
    expect(inviteToken('')).toBeNull();
    expect(inviteToken('#')).toBeNull();
    expect(inviteToken('#token=')).toBeNull();
    expect(inviteToken('#   ')).toBeNull();
  });
});
