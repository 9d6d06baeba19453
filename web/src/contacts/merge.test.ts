import { describe, expect, it } from 'vitest';
import type { Contact, CustomField } from '../api/client';
import { contact } from '../test/crm';
import { defaultChoices, mergeRows, takeFrom } from './merge';
import { confirmsErase, eraseConfirmations, exportUrl } from './privacy';

const size = {
  id: 'f1',
  key: 'company_size',
  label: 'Company size',
  type: 'single_select',
  options: [{ id: 'o1', label: 'Small' }, { id: 'o2', label: 'Large' }],
  archived_at: null,
} as unknown as CustomField;
const old = { ...size, id: 'f2', key: 'old', label: 'Old', archived_at: '2025-01-01T00:00:00Z' } as unknown as CustomField;

const mine = contact('c1', { phone: null, custom: { company_size: 'o1' } }) as unknown as Contact;
const theirs = contact('c2', {
  name: 'Ada King',
  email: 'ada.king@example.com',
  phone: '+44 20 7946 0000',
  stage: null,
  primary_owner: { id: 'u1', name: 'Grace' },
  secondary_owner: { id: 'u2', name: 'Alan' },
  external_id: 'crm-7',
  custom: { company_size: 'o2', old: 'x' },
}) as unknown as Contact;

describe('merge', () => {
  it('lines up both contacts’ values, built-in fields then active custom fields', () => {
    const rows = mergeRows(mine, theirs, [size, old]);
    expect(rows.map((r) => r.field)).toEqual(['name', 'email', 'phone', 'stage', 'owners', 'external_id', 'custom.company_size']);
    expect(rows.find((r) => r.field === 'phone')).toEqual({ field: 'phone', label: 'Phone', mine: '', theirs: '+44 20 7946 0000' });
    expect(rows.find((r) => r.field === 'owners')?.theirs).toBe('Grace + Alan');
    expect(rows.find((r) => r.field === 'stage')).toMatchObject({ mine: 'Lead', theirs: '' });
    expect(rows.find((r) => r.field === 'custom.company_size')).toMatchObject({ mine: 'Small', theirs: 'Large' });
  });

  it('keeps this contact’s values by default: nothing taken', () => {
    const rows = mergeRows(mine, theirs, [size]);
    expect(takeFrom(rows, defaultChoices(rows))).toEqual([]);
  });

  it('takes the rows where the other contact was chosen, in table order', () => {
    const rows = mergeRows(mine, theirs, [size]);
    const choices = { ...defaultChoices(rows), 'custom.company_size': 'other' as const, phone: 'other' as const, name: 'this' as const };
    expect(takeFrom(rows, choices)).toEqual(['phone', 'custom.company_size']);
  });
});

describe('privacy', () => {
  it('confirms an erase with the email or the name, whatever the case', () => {
    const ada = { name: 'Ada Lovelace', email: 'ada@example.com', phone: null };
    expect(eraseConfirmations(ada)).toEqual(['ada@example.com', 'Ada Lovelace']);
    expect(confirmsErase(ada, ' ADA@example.com ')).toBe(true);
    expect(confirmsErase(ada, 'ada lovelace')).toBe(true);
    expect(confirmsErase(ada, 'Ada')).toBe(false);
    expect(confirmsErase(ada, '')).toBe(false);
  });

  it('falls back to the phone for a contact with neither email nor name', () => {
    const anon = { name: ' ', email: null, phone: '+1 555 0100' };
    expect(eraseConfirmations(anon)).toEqual(['+1 555 0100']);
    expect(confirmsErase(anon, '+1 555 0100')).toBe(true);
  });

  it('downloads the export from the API', () => {
    expect(exportUrl('/api/v1', 'a1', 'c1')).toBe('/api/v1/agents/a1/contacts/c1/export');
  });
});
