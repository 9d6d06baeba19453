import { describe, expect, it } from 'vitest';
import type { SavedView } from '../api/client';
import { noFilters } from './query';
import {
  canChangeView,
  columnsOfView,
  droppedNote,
  filtersOfView,
  groupViews,
  listSearch,
  validateViewName,
  viewIdFromSearch,
  viewMatches,
  viewQueryOf,
} from './views';

const stage = '0190a1b2-0000-7000-8000-000000000001';
const owner = '0190a1b2-0000-7000-8000-000000000002';
const viewId = '0190a1b2-0000-7000-8000-0000000000f1';

function view(over: Partial<SavedView>): SavedView {
  return {
    id: viewId,
    name: 'View',
    shared: false,
    query: {},
    owner_id: owner,
    created_at: '2025-01-01T10:00:00Z',
    updated_at: '2025-01-01T10:00:00Z',
    ...over,
  };
}

describe('saved view queries', () => {
  it('saves the filters that are set and the columns', () => {
    expect(viewQueryOf(noFilters, [])).toEqual({ columns: [] });
    expect(
      viewQueryOf({ ...noFilters, q: ' ada ', status: 'archived', stage_id: stage, owner_id: owner, source: 'form' }, ['plan', 'size']),
    ).toEqual({ q: 'ada', status: 'archived', stage_id: stage, owner_id: owner, source: 'form', columns: ['plan', 'size'] });
    // Active is the list's default: not saved.
    expect(viewQueryOf({ ...noFilters, status: 'active' }, ['plan'])).toEqual({ columns: ['plan'] });
  });

  it('restores the list from a view, dropping what the list would not accept', () => {
    expect(filtersOfView({})).toEqual(noFilters);
    expect(filtersOfView({ q: 'ada', status: 'archived', stage_id: stage, source: 'chat' })).toEqual({
      ...noFilters,
      q: 'ada',
      status: 'archived',
      stage_id: stage,
      source: 'chat',
    });
    expect(filtersOfView({ stage_id: 'nope', owner_id: '', source: 'fax' as never })).toEqual(noFilters);
    expect(columnsOfView({ columns: ['plan'] })).toEqual(['plan']);
    expect(columnsOfView({})).toBeNull();
  });

  it('round-trips the list state', () => {
    const filters = { ...noFilters, q: 'grace', status: 'archived' as const, stage_id: stage, owner_id: owner, source: 'manual' as const };
    const query = viewQueryOf(filters, ['plan']);
    expect(filtersOfView(query)).toEqual(filters);
    expect(columnsOfView(query)).toEqual(['plan']);
  });

  it('keeps the order, created dates and custom-field filters', () => {
    const filters = {
      ...noFilters,
      created_from: '2025-01-01',
      created_to: '2025-01-31',
      sort: '-name' as const,
      custom: [
        ['cf.plan', 'Pro'],
        ['cf.plan', 'Team'],
        ['cf.seats.min', '10'],
      ] as const,
    };
    const query = viewQueryOf(filters, []);
    expect(query).toEqual({
      created_from: '2025-01-01',
      created_to: '2025-01-31',
      sort: '-name',
      custom: [
        { key: 'plan', values: ['Pro', 'Team'] },
        { key: 'seats', op: 'min', values: ['10'] },
      ],
      columns: [],
    });
    expect(filtersOfView(query)).toEqual(filters);
  });

  it('tells whether the list still shows what the view saved', () => {
    const saved = view({ query: { q: 'ada', columns: ['plan', 'size'] } });
    expect(viewMatches(saved, { ...noFilters, q: 'ada ' }, ['size', 'plan'])).toBe(true);
    expect(viewMatches(saved, { ...noFilters, q: 'ada', status: 'archived' }, ['plan', 'size'])).toBe(false);
    expect(viewMatches(saved, { ...noFilters, q: 'ada' }, ['plan'])).toBe(false);
    // A view without columns leaves the columns alone, so any choice matches.
    expect(viewMatches(view({ query: { q: 'ada' } }), { ...noFilters, q: 'ada' }, ['x'])).toBe(true);
  });
});

describe('the active view in the page address', () => {
  it('reads and writes ?view= next to the filters', () => {
    expect(viewIdFromSearch(new URLSearchParams(`q=ada&view=${viewId}`))).toBe(viewId);
    expect(viewIdFromSearch(new URLSearchParams('view=nope'))).toBe('');
    expect(listSearch({ ...noFilters, q: 'ada', status: 'archived' }, viewId).toString()).toBe(
      `q=ada&status=archived&view=${viewId}`,
    );
    expect(listSearch(noFilters, '').toString()).toBe('');
  });
});

describe('views', () => {
  it('groups shared views and the member’s own, each by name', () => {
    const views = [
      view({ id: '1', name: 'zeta', shared: false }),
      view({ id: '2', name: 'Beta', shared: true, owner_id: null }),
      view({ id: '3', name: 'alpha', shared: false }),
      view({ id: '4', name: 'Alpha team', shared: true, owner_id: null }),
    ];
    const { shared, mine } = groupViews(views);
    expect(shared.map((v) => v.id)).toEqual(['4', '2']);
    expect(mine.map((v) => v.id)).toEqual(['3', '1']);
  });

  it('lets members change their own views, and owners and admins the shared ones', () => {
    expect(canChangeView(view({}), owner, false)).toBe(true);
    expect(canChangeView(view({}), 'someone-else', true)).toBe(false);
    expect(canChangeView(view({ shared: true, owner_id: null }), owner, false)).toBe(false);
    expect(canChangeView(view({ shared: true, owner_id: null }), owner, true)).toBe(true);
  });

  it('checks a name', () => {
    expect(validateViewName('  ')).toBe('Name the view.');
    expect(validateViewName('x'.repeat(61))).toMatch(/at most 60/);
    expect(validateViewName(' My search ')).toBeUndefined();
  });
});

describe('droppedNote', () => {
  it('says nothing when the view lost no filter', () => {
    expect(droppedNote(view({}))).toBe('');
    expect(droppedNote(view({ dropped_filters: [] }))).toBe('');
  });
  it('says how many filters a gone field took with it', () => {
    expect(droppedNote(view({ dropped_filters: ['cf.plan'] }))).toBe(
      'One filter left out: its field was archived or deleted since the view was saved.',
    );
    expect(droppedNote(view({ dropped_filters: ['cf.plan', 'cf.seats.gte'] }))).toBe(
      '2 filters left out: their fields were archived or deleted since the view was saved.',
    );
  });
});
