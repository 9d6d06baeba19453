import { describe, expect, it } from 'vitest';
import { accessModeLabel, agentChanges, validateAgent, visibilityLabel } from './options';

describe('agent options', () => {
  it('labels the enums', () => {
    expect(visibilityLabel('public')).toBe('Public');
    expect(accessModeLabel('restricted')).toBe('Restricted');
  });

  it('validates the name', () => {
    expect(validateAgent({ name: '', visibility: 'private', access_mode: 'free' })).toEqual({ name: 'Name is required.' });
    expect(validateAgent({ name: 'Support', visibility: 'private', access_mode: 'free' })).toEqual({});
  });

  it('patches only what changed', () => {
    const before = { name: 'Support', visibility: 'private', access_mode: 'free' } as const;
    expect(agentChanges(before, { ...before })).toEqual({});
    expect(agentChanges(before, { ...before, name: ' Support ' })).toEqual({});
    expect(agentChanges(before, { ...before, name: 'Sales', access_mode: 'paid' })).toEqual({
      name: 'Sales',
      access_mode: 'paid',
    });
    expect(agentChanges(before, { ...before, visibility: 'public' })).toEqual({ visibility: 'public' });
  });
});
