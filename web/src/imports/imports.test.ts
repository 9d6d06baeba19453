import { describe, expect, it } from 'vitest';
import { formatTimeLeft, limitsText, mappingProblem, percentDone, targetOptions } from './imports';

describe('mappingProblem', () => {
  it('needs a column that tells contacts apart', () => {
    expect(mappingProblem(['name', 'ignore'])).toMatch(/Email, Phone or External id/);
    expect(mappingProblem(['name', 'email'])).toBeNull();
    expect(mappingProblem(['external_id'])).toBeNull();
  });
  it('refuses a target chosen twice and name with first or last name', () => {
    expect(mappingProblem(['email', 'email'])).toMatch(/two columns/);
    expect(mappingProblem(['name', 'first_name', 'email'])).toMatch(/not both/);
    expect(mappingProblem(['first_name', 'last_name', 'phone', 'ignore', 'ignore'])).toBeNull();
  });
});

describe('progress', () => {
  it('is a whole percentage', () => {
    const p = { rows_done: 1, total: 3, created: 0, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null };
    expect(percentDone(p)).toBe(33);
    expect(percentDone({ ...p, total: 0 })).toBe(0);
    expect(percentDone({ ...p, rows_done: 3 })).toBe(100);
  });
  it('says the time left in words', () => {
    expect(formatTimeLeft(null)).toBe('');
    expect(formatTimeLeft(0.2)).toBe('less than a second');
    expect(formatTimeLeft(42.4)).toBe('42 s');
    expect(formatTimeLeft(600)).toBe('about 10 min');
  });
});

describe('targets and limits', () => {
  it('offers the active custom fields after the built-in ones', () => {
    const fields = [
      { key: 'plan', label: 'Plan', archived_at: null },
      { key: 'old', label: 'Old', archived_at: '2025-01-01T00:00:00Z' },
    ] as Parameters<typeof targetOptions>[0];
    const values = targetOptions(fields).map((o) => o.value);
    expect(values[0]).toBe('ignore');
    expect(values).toContain('custom:plan');
    expect(values).not.toContain('custom:old');
  });
  it('states the limits', () => {
    expect(limitsText({ max_bytes: 512 << 20, max_rows: 1048576 })).toBe('CSV files up to 512 MB and 1,048,576 rows.');
  });
});
