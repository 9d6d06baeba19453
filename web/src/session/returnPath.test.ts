import { describe, expect, it } from 'vitest';
import { returnPath } from './returnPath';

describe('returnPath', () => {
  it('returns to the page that required sign-in', () => {
    expect(returnPath({ next: '/agents/123/settings' })).toBe('/agents/123/settings');
  });

  it('never leaves the app or loops back to sign-in', () => {
    expect(returnPath(null)).toBe('/agents');
    expect(returnPath({ next: 'https://evil.example' })).toBe('/agents');
    expect(returnPath({ next: '//evil.example' })).toBe('/agents');
    expect(returnPath({ next: '/signin' })).toBe('/agents');
    expect(returnPath({ next: 42 })).toBe('/agents');
  });
});
