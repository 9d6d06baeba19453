import { describe, expect, it } from 'vitest';
import type { Contact, CustomField, Member } from '../api/client';
import { blankContact, contactChanges, createBody, ownerOptions, validateContact, valuesOf } from './form';

function field(key: string, type: CustomField['type'], extra: Partial<CustomField> = {}): CustomField {
  return {
    id: key,
    agent_id: 'a',
    key,
    label: key[0]!.toUpperCase() + key.slice(1),
    type,
    help_text: '',
    required: false,
    unique: false,
    default_value: null,
    options: [],
    position: 0,
    ai_policy: 'off',
    ai_hint: '',
    archived_at: null,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    version: 1,
    ...extra,
  };
}

const fields = [field('company', 'text', { required: true }), field('budget', 'number', { default_value: 10 }), field('old', 'text', { archived_at: '2025-01-01T00:00:00Z' })];

const contact: Contact & { custom: Record<string, unknown> } = {
  id: 'c1',
  agent_id: 'a',
  name: 'Ada',
  email: 'ada@example.com',
  phone: null,
  status: 'active',
  stage: { id: 's1', name: 'Lead' },
  primary_owner: { id: 'u1', name: 'Una' },
  secondary_owner: null,
  source: 'manual',
  source_label: 'via Manual',
  external_id: null,
  created_by: null,
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  version: 3,
  custom: { company: 'Analytical', budget: 5 },
};

function member(user_id: string, role: Member['role'], agent_ids: string[] = []): Member {
  return { user_id, role, name: user_id.toUpperCase(), email: `${user_id}@x.com`, since: '2025-01-01T00:00:00Z', agent_ids };
}

describe('contact form', () => {
  it('starts with the first stage and the fields’ defaults', () => {
    expect(blankContact('s1', fields)).toEqual({
      name: '',
      email: '',
      phone: '',
      stage_id: 's1',
      primary_owner_id: '',
      secondary_owner_id: '',
      custom: { company: '', budget: '10' },
    });
  });

  it('validates like the server', () => {
    const v = blankContact('s1', fields);
    expect(validateContact(v, fields)).toEqual({ email: 'Add an email or a phone.', 'custom.company': 'Company is required.' });
    expect(validateContact({ ...v, phone: '+44 20 7946 0958', custom: { company: 'X' } }, fields)).toEqual({});
    expect(validateContact({ ...v, email: 'nope', custom: { company: 'X' } }, fields)).toEqual({
      email: 'Enter an email address like name@example.com.',
    });
    expect(validateContact({ ...v, email: 'a@b.co', secondary_owner_id: 'u1', custom: { company: 'X' } }, fields)).toEqual({
      secondary_owner_id: 'Choose a primary owner first.',
    });
    expect(
      validateContact({ ...v, email: 'a@b.co', primary_owner_id: 'u1', secondary_owner_id: 'u1', custom: { company: 'X' } }, fields)
        .secondary_owner_id,
    ).toMatch(/someone else/);
  });

  it('creates with what is filled in', () => {
    const v = { ...blankContact('s1', fields), name: ' Ada ', email: 'ada@example.com', custom: { company: 'Analytical', budget: '' } };
    expect(createBody(v, fields)).toEqual({ name: 'Ada', email: 'ada@example.com', stage_id: 's1', custom: { company: 'Analytical' } });
    expect(createBody({ ...v, secondary_owner_id: 'u2' }, []).secondary_owner_id).toBeUndefined();
  });

  it('patches only what changed, clearing with null', () => {
    const before = valuesOf(contact, fields);
    expect(before.custom).toEqual({ company: 'Analytical', budget: '5' });
    expect(contactChanges(before, before, fields)).toEqual({});
    const after = { ...before, email: '', phone: '+15550100', primary_owner_id: '', secondary_owner_id: 'u2', custom: { ...before.custom, budget: '7' } };
    expect(contactChanges(before, after, fields)).toEqual({
      email: null,
      phone: '+15550100',
      primary_owner_id: null,
      custom: { budget: 7 },
    });
  });

  it('offers the members who work in the agent as owners, greying out the primary', () => {
    const members = [member('o', 'owner'), member('u1', 'user', ['a']), member('u2', 'user', ['b'])];
    expect(ownerOptions(members, 'a', null)).toEqual([
      { value: '', label: 'No owner' },
      { value: 'o', label: 'O', disabled: false },
      { value: 'u1', label: 'U1', disabled: false },
    ]);
    const secondary = ownerOptions(members, 'a', { id: 'u2', name: 'Ursula' }, 'o');
    expect(secondary.find((o) => o.value === 'o')?.disabled).toBe(true);
    expect(secondary.at(-1)).toEqual({ value: 'u2', label: 'Ursula (no longer in this agent)', disabled: false });
  });
});
