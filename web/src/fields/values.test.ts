import { describe, expect, it } from 'vitest';
import type { CustomField } from '../api/client';
import {
  canBeUnique,
  customOf,
  emptyInput,
  formatDay,
  formatValue,
  fromLocalDateTime,
  inputOf,
  isEmptyInput,
  sameInput,
  toLocalDateTime,
  valueOf,
} from './values';

const options = [
  { id: 'o1', label: 'Small', retired: false },
  { id: 'o2', label: 'Large', retired: true },
];
const f = (type: CustomField['type']) => ({ type, options });

describe('custom field values', () => {
  it('starts empty by type', () => {
    expect(emptyInput(f('checkbox'))).toBe(false);
    expect(emptyInput(f('multi_select'))).toEqual([]);
    expect(emptyInput(f('text'))).toBe('');
    expect(isEmptyInput('  ')).toBe(true);
    expect(isEmptyInput([])).toBe(true);
    expect(isEmptyInput(false)).toBe(false);
  });

  it('turns stored values into input and back', () => {
    expect(inputOf(f('number'), 12.5)).toBe('12.5');
    expect(valueOf(f('number'), ' 12.5 ')).toBe(12.5);
    expect(valueOf(f('number'), 'twelve')).toBe('twelve');
    expect(valueOf(f('number'), '')).toBe('');
    expect(inputOf(f('checkbox'), true)).toBe(true);
    expect(valueOf(f('checkbox'), false)).toBe(false);
    expect(inputOf(f('multi_select'), ['o1', 'o2'])).toEqual(['o1', 'o2']);
    expect(valueOf(f('multi_select'), [])).toEqual([]);
    expect(inputOf(f('text'), null)).toBe('');
    expect(valueOf(f('text'), ' hi ')).toBe('hi');
    expect(inputOf(f('date'), '2025-03-04')).toBe('2025-03-04');
  });

  it('reads datetimes in the browser’s zone and sends them in UTC', () => {
    const iso = '2025-03-04T10:30:00Z';
    const local = toLocalDateTime(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalDateTime(local)).toBe(iso);
    expect(valueOf(f('datetime'), local)).toBe(iso);
    expect(toLocalDateTime('nonsense')).toBe('');
  });

  it('compares input regardless of order and spaces', () => {
    expect(sameInput(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameInput(['a'], ['a', 'b'])).toBe(false);
    expect(sameInput(' x ', 'x')).toBe(true);
    expect(sameInput(true, false)).toBe(false);
  });

  it('formats values for reading', () => {
    expect(formatValue(f('checkbox'), true)).toBe('Yes');
    expect(formatValue(f('single_select'), 'o1')).toBe('Small');
    expect(formatValue(f('multi_select'), ['o1', 'o2'])).toBe('Small, Large');
    expect(formatValue(f('single_select'), 'unknown')).toBe('unknown');
    expect(formatValue(f('text'), null)).toBe('');
    expect(formatValue(f('text'), '')).toBe('');
    expect(formatDay('2025-01-01')).toMatch(/2025/);
    expect(formatDay('2025-01-01')).not.toMatch(/2024/);
  });

  it('knows which types can be unique', () => {
    expect(canBeUnique('email')).toBe(true);
    expect(canBeUnique('checkbox')).toBe(false);
    expect(canBeUnique('multi_select')).toBe(false);
  });

  it('reads a contact’s custom values', () => {
    expect(customOf({ custom: { a: 1 } })).toEqual({ a: 1 });
    expect(customOf({})).toEqual({});
    expect(customOf({ custom: null })).toEqual({});
  });
});
