import { describe, expect, it } from 'vitest';
import type { CustomField, Member, Stage } from '../api/client';
import {
  canUndo,
  formatTimeLeft,
  limitsText,
  mappingProblem,
  percentDone,
  previewColumns,
  resultNote,
  targetOptions,
  undoWarning,
  type Import,
  type PreviewRow,
} from './imports';

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
  it('states the limits from the API, in binary units', () => {
    expect(limitsText({ max_bytes: 512 << 20, max_rows: 1048576 })).toBe('CSV files up to 512 MiB and 1,048,576 rows.');
    expect(limitsText({ max_bytes: 2 * 1024 ** 3, max_rows: 50000 })).toBe('CSV files up to 2 GiB and 50,000 rows.');
  });
});

describe('preview columns', () => {
  const row: PreviewRow = {
    row: 1,
    name: 'Ada',
    email: 'ada@example.com',
    phone: '+15550100',
    external_id: 'x1',
    stage_id: 's1',
    owner_id: 'u1',
    custom: { plan: 'o1', tags: ['t1', 't2'], vip: true },
    outcome: 'create',
    reason: null,
    match_id: null,
  };
  const fields = [
    { key: 'plan', label: 'Plan', type: 'single_select', options: [{ id: 'o1', label: 'Pro', retired: false }] },
    { key: 'tags', label: 'Tags', type: 'multi_select', options: [{ id: 't1', label: 'A', retired: false }, { id: 't2', label: 'B', retired: false }] },
    { key: 'vip', label: 'VIP', type: 'checkbox', options: [] },
  ] as unknown as CustomField[];
  const lookups = {
    fields,
    stages: [{ id: 's1', name: 'Lead', position: 0, contact_count: 0 }] as Stage[],
    members: [{ user_id: 'u1', name: '', email: 'owner@example.com' }] as Member[],
  };

  it('has one column per mapped target, in the file order, none for ignored columns', () => {
    const cols = previewColumns(['custom:vip', 'last_name', 'ignore', 'first_name', 'owner', 'phone', 'custom:tags'], lookups);
    expect(cols.map((c) => c.label)).toEqual(['VIP', 'Name', 'Owner', 'Phone', 'Tags']);
    expect(cols.map((c) => c.cell(row))).toEqual(['Yes', 'Ada', 'owner@example.com', '+15550100', 'A, B']);
  });
  it('reads stages, select options and unknown fields for a person', () => {
    const cols = previewColumns(['email', 'stage', 'external_id', 'custom:plan', 'custom:gone'], lookups);
    expect(cols.map((c) => c.label)).toEqual(['Email', 'Stage', 'External id', 'Plan', 'gone']);
    expect(cols.map((c) => c.cell({ ...row, custom: { ...row.custom, gone: 3 } }))).toEqual(['ada@example.com', 'Lead', 'x1', 'Pro', '3']);
    expect(cols.map((c) => c.cell({ ...row, email: null, stage_id: null, external_id: null, custom: {} }))).toEqual(['', '', '', '', '']);
  });
});

describe('undo warning', () => {
  it('names everything deleted with the created contacts, and what updated ones get back', () => {
    const [created, updated] = undoWarning({ created: 3000, updated: 2 });
    expect(created).toBe(
      'The 3,000 contacts it created are deleted with their conversations, notes and files, edited or not since the import. Deleted contacts cannot be brought back.',
    );
    expect(updated).toBe(
      'The 2 contacts it updated get back the values they had before the import, unless they have changed since or a value to restore (external id, email, phone, a unique custom field) now belongs to another contact: those are kept as they are, and listed.',
    );
    expect(undoWarning({ created: 1, updated: 0 })).toEqual([
      'The 1 contact it created is deleted with its conversations, notes and files, edited or not since the import. Deleted contacts cannot be brought back.',
    ]);
    expect(undoWarning({ created: 0, updated: 0 })).toHaveLength(1);
  });
});

describe('after the run', () => {
  const progress: Import['progress'] = { rows_done: 0, total: 10, created: 0, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null };

  it('offers undo only for an ended run that wrote something', () => {
    for (const status of ['finished', 'cancelled', 'failed'] as const) {
      expect(canUndo({ status, progress })).toBe(false);
      expect(canUndo({ status, progress: { ...progress, rejected: 10 } })).toBe(false);
      expect(canUndo({ status, progress: { ...progress, created: 1 } })).toBe(true);
      expect(canUndo({ status, progress: { ...progress, updated: 1 } })).toBe(true);
    }
    for (const status of ['uploaded', 'queued', 'running', 'undoing', 'undone'] as const) {
      expect(canUndo({ status, progress: { ...progress, created: 1 } })).toBe(false);
    }
  });

  it('says what a cancel kept and what undo does with it', () => {
    const cancelled = (created: number, updated: number) => resultNote({ status: 'cancelled', progress: { ...progress, created, updated } });
    expect(cancelled(0, 0)).toBe('The import was cancelled before it created or updated any contact: nothing changed.');
    expect(cancelled(1, 0)).toBe('The import was cancelled. The rows imported before the cancel were kept: 1 contact created. Undo import deletes them.');
    expect(cancelled(0, 2)).toBe(
      'The import was cancelled. The rows imported before the cancel were kept: 2 contacts updated. Undo import gives them back their earlier values.',
    );
    expect(cancelled(1500, 3)).toBe(
      'The import was cancelled. The rows imported before the cancel were kept: 1,500 contacts created and 3 contacts updated. ' +
        'Undo import deletes the ones created and gives the updated ones back their earlier values.',
    );
  });

  it('says when a run changed nothing, and nothing when the counts say it', () => {
    expect(resultNote({ status: 'finished', progress: { ...progress, rejected: 10 } })).toMatch(/nothing to undo/);
    expect(resultNote({ status: 'finished', progress: { ...progress, created: 1 } })).toBeNull();
    expect(resultNote({ status: 'undone', progress })).toBeNull();
  });
});
