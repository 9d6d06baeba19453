import { describe, expect, it } from 'vitest';
import { BULK_LIMIT, bulkBarState, bulkBody, bulkDoneMessage, pageSelection, selectedIn, statusAction, toggleOne, togglePage } from './bulk';

describe('bulk selection', () => {
  const page = ['a', 'b', 'c'];

  it('tells whether none, some or all of the page is selected', () => {
    expect(pageSelection(new Set(), page)).toBe('none');
    expect(pageSelection(new Set(['b']), page)).toBe('some');
    expect(pageSelection(new Set(page), page)).toBe('all');
    expect(pageSelection(new Set(['x']), page)).toBe('none'); // not on this page
    expect(pageSelection(new Set(), [])).toBe('none');
  });

  it('toggles one contact and the whole page without touching the rest', () => {
    const one = toggleOne(new Set(['x']), 'a', true);
    expect([...one].sort()).toEqual(['a', 'x']);
    expect([...toggleOne(one, 'a', false)]).toEqual(['x']);
    const all = togglePage(new Set(['x', 'b']), page, true);
    expect([...all].sort()).toEqual(['a', 'b', 'c', 'x']);
    expect([...togglePage(all, page, false)]).toEqual(['x']);
  });

  it('sends only contacts still listed, in list order', () => {
    expect(selectedIn(new Set(['c', 'gone', 'a']), page)).toEqual(['a', 'c']);
  });
});

describe('bulk bar', () => {
  it('opens with a selection and runs while nothing is pending', () => {
    expect(bulkBarState(0, false)).toEqual({ label: '0 selected', open: false, enabled: false, problem: null });
    expect(bulkBarState(2, false)).toEqual({ label: '2 selected', open: true, enabled: true, problem: null });
    expect(bulkBarState(2, true).enabled).toBe(false);
  });

  it('refuses more contacts than one request takes', () => {
    expect(bulkBarState(BULK_LIMIT, false).enabled).toBe(true);
    const over = bulkBarState(BULK_LIMIT + 1, false);
    expect(over.enabled).toBe(false);
    expect(over.problem).toBe('Select at most 500 contacts at once.');
  });

  it('archives active contacts and restores archived ones', () => {
    expect(statusAction('active')).toBe('archive');
    expect(statusAction('archived')).toBe('restore');
  });

  it('builds the request body for each action', () => {
    expect(bulkBody(['a'], 'archive')).toEqual({ contact_ids: ['a'], action: 'archive' });
    expect(bulkBody(['a', 'b'], 'assign', 'u1')).toEqual({ contact_ids: ['a', 'b'], action: 'assign', primary_owner_id: 'u1' });
    expect(bulkBody(['a'], 'assign', '')).toEqual({ contact_ids: ['a'], action: 'assign', primary_owner_id: null });
    expect(bulkBody(['a'], 'stage', 's1')).toEqual({ contact_ids: ['a'], action: 'stage', stage_id: 's1' });
  });

  it('counts in words', () => {
    expect(bulkDoneMessage(1)).toBe('1 contact updated');
    expect(bulkDoneMessage(3)).toBe('3 contacts updated');
  });
});
