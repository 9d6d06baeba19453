import { describe, expect, it } from 'vitest';
import type { CustomField } from '../api/client';
import { blankField, deriveKey, fieldChanges, fieldCreateBody, validateField, valuesOfField } from './form';

function field(extra: Partial<CustomField> = {}): CustomField {
  return {
    id: 'f1',
    agent_id: 'a',
    key: 'size',
    label: 'Size',
    type: 'single_select',
    help_text: '',
    required: false,
    unique: false,
    default_value: null,
    options: [
      { id: 'o1', label: 'Small', retired: false },
      { id: 'o2', label: 'Large', retired: false },
    ],
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

describe('field form', () => {
  it('derives keys like the server', () => {
    expect(deriveKey('Lead score')).toBe('lead_score');
    expect(deriveKey('Café-Größe')).toBe('cafe_grosse');
    expect(deriveKey("Customer's budget")).toBe('customers_budget');
    expect(deriveKey('2nd phone')).toBe('field_2nd_phone');
    expect(deriveKey('日本')).toBe('field');
  });

  it('validates', () => {
    expect(validateField(blankField(), true)).toEqual({ label: 'Label is required.' });
    expect(validateField({ ...blankField(), label: 'X', key: 'Bad key' }, true).key).toBeDefined();
    const select = { ...blankField(), label: 'Size', type: 'single_select' as const };
    expect(validateField(select, true).options).toBe('Add at least one option.');
    expect(
      validateField({ ...select, options: [{ ref: 'a', label: 'S', retired: false }, { ref: 'b', label: 's ', retired: false }] }, true).options,
    ).toBe('Two options have the same label.');
  });

  it('creates with AI off unless allowed, and a new option as default by label', () => {
    const values = {
      ...blankField(),
      label: ' Size ',
      type: 'single_select' as const,
      options: [{ ref: 'r1', label: 'Small', retired: false }],
      default_value: 'r1',
    };
    expect(fieldCreateBody(values)).toEqual({
      label: 'Size',
      type: 'single_select',
      help_text: '',
      required: false,
      unique: false,
      ai_policy: 'off',
      ai_hint: '',
      options: [{ label: 'Small', retired: false }],
      default_value: 'Small',
    });
    const ai = fieldCreateBody({ ...blankField(), label: 'Budget', type: 'number', ai: true, ai_policy: 'overwrite', ai_hint: 'in EUR', default_value: '5' });
    expect(ai).toMatchObject({ ai_policy: 'overwrite', ai_hint: 'in EUR', default_value: 5 });
    expect(fieldCreateBody({ ...blankField(), label: 'Email', type: 'email', unique: true, default_value: 'x@y.z' }).default_value).toBeUndefined();
  });

  it('patches only what changed', () => {
    const f = field();
    const v = valuesOfField(f);
    expect(fieldChanges(f, v)).toEqual({});
    const renamed = { ...v, options: [{ ...v.options[0]!, label: 'Tiny' }, { ...v.options[1]!, retired: true }, { ref: 'n', label: 'Huge', retired: false }] };
    expect(fieldChanges(f, renamed)).toEqual({
      options: [
        { id: 'o1', label: 'Tiny', retired: false },
        { id: 'o2', label: 'Large', retired: true },
        { label: 'Huge', retired: false },
      ],
    });
    expect(fieldChanges(f, { ...v, default_value: 'o2', ai: true })).toEqual({ default_value: 'o2', ai_policy: 'fill_empty' });
    expect(fieldChanges(field({ default_value: 'o1' }), { ...valuesOfField(field({ default_value: 'o1' })), default_value: '' })).toEqual({
      default_value: null,
    });
    const text = field({ type: 'text', options: [], default_value: 'hi' });
    expect(fieldChanges(text, valuesOfField(text))).toEqual({});
    expect(fieldChanges(text, { ...valuesOfField(text), default_value: 'ho' })).toEqual({ default_value: 'ho' });
  });
});
