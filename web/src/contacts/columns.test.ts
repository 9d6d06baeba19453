import { describe, expect, it } from 'vitest';
import type { CustomField } from '../api/client';
import { columnsKey, loadColumns, saveColumns, toggleColumn, visibleColumns } from './columns';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

function field(key: string, archived = false): CustomField {
  return {
    id: key,
    agent_id: 'a',
    key,
    label: key,
    type: 'text',
    help_text: '',
    required: false,
    unique: false,
    default_value: null,
    options: [],
    position: 0,
    ai_policy: 'off',
    ai_hint: '',
    archived_at: archived ? '2025-01-01T00:00:00Z' : null,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    version: 1,
  };
}

describe('column picker', () => {
  it('remembers the choice per agent', () => {
    const storage = memoryStorage();
    saveColumns('agent-1', ['company', 'budget'], storage);
    expect(storage.data.get(columnsKey('agent-1'))).toBe('["company","budget"]');
    expect(loadColumns('agent-1', storage)).toEqual(['company', 'budget']);
    expect(loadColumns('agent-2', storage)).toEqual([]);
  });

  it('survives garbage and missing storage', () => {
    const storage = memoryStorage();
    storage.data.set(columnsKey('a'), '{not json');
    expect(loadColumns('a', storage)).toEqual([]);
    storage.data.set(columnsKey('a'), '["ok", 3, null]');
    expect(loadColumns('a', storage)).toEqual(['ok']);
    expect(loadColumns('a', undefined)).toEqual([]);
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceeded'); } };
    expect(() => saveColumns('a', ['x'], full)).not.toThrow();
  });

  it('shows chosen active fields in the fields’ order', () => {
    const fields = [field('company'), field('budget'), field('old', true)];
    expect(visibleColumns(fields, ['budget', 'company', 'old', 'gone']).map((f) => f.key)).toEqual(['company', 'budget']);
  });

  it('toggles a column', () => {
    expect(toggleColumn(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(toggleColumn(['a', 'b'], 'a', false)).toEqual(['b']);
    expect(toggleColumn(['a'], 'a', true)).toEqual(['a']);
  });
});
