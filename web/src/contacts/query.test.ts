import { describe, expect, it } from 'vitest';
import { contactQuery, contactSearch, customValue, filtersFromSearch, isFiltered, localDayStart, noFilters, withCustom } from './query';

const stage = '0190a1b2-0000-7000-8000-000000000001';

describe('contact filters', () => {
  it('reads the page address, dropping what the API would refuse', () => {
    expect(filtersFromSearch(new URLSearchParams(`q=ada&stage_id=${stage}&source=chat&status=archived`))).toEqual({
      ...noFilters,
      q: 'ada',
      stage_id: stage,
      owner_id: '',
      source: 'chat',
      status: 'archived',
    });
    expect(filtersFromSearch(new URLSearchParams('stage_id=nope&source=fax&status=gone'))).toEqual(noFilters);
  });

  it('writes only the filters that are set', () => {
    expect(contactSearch(noFilters).toString()).toBe('');
    expect(isFiltered(noFilters)).toBe(false);
    const filters = { ...noFilters, q: ' example.com ', source: 'manual' as const };
    expect(contactSearch(filters).toString()).toBe('q=example.com&source=manual');
    expect(isFiltered({ ...noFilters, status: 'archived' })).toBe(true);
  });

  it('builds the API query with the page', () => {
    expect(contactQuery(noFilters, { limit: 50 })).toEqual({ status: 'active', limit: 50 });
    expect(contactQuery({ ...noFilters, q: ' 555 ', stage_id: stage }, { limit: 50, cursor: 'c2' })).toEqual({
      q: '555',
      stage_id: stage,
      status: 'active',
      limit: 50,
      cursor: 'c2',
    });
  });

  it('carries created dates, the order and custom-field filters', () => {
    const params = new URLSearchParams('cf.seats.min=10&created_from=2025-01-02&sort=name&cf.plan=Pro&cf.plan=Team&cf.Bad=x&cf.plan.like=y&created_to=soon');
    const filters = filtersFromSearch(params);
    expect(filters).toEqual({
      ...noFilters,
      created_from: '2025-01-02',
      sort: 'name',
      custom: [
        ['cf.plan', 'Pro'],
        ['cf.plan', 'Team'],
        ['cf.seats.min', '10'],
      ],
    });
    expect(contactSearch(filters).toString()).toBe('created_from=2025-01-02&sort=name&cf.plan=Pro&cf.plan=Team&cf.seats.min=10');
    expect(isFiltered({ ...noFilters, sort: 'name' })).toBe(false);
    const query = contactQuery(filters, { limit: 50 });
    expect(query['cf.plan']).toEqual(['Pro', 'Team']);
    expect(query['cf.seats.min']).toBe('10');
    expect(query.sort).toBe('name');
    expect(query.created_from).toBe(new Date(2025, 0, 2).toISOString());
    // A search is ranked newest first: no sort with q.
    expect(contactQuery({ ...filters, q: 'ada' }, { limit: 50 }).sort).toBeUndefined();
  });

  it('sets and clears one custom-field filter', () => {
    const one = withCustom(noFilters, 'cf.vip', 'true');
    expect(customValue(one, 'cf.vip')).toBe('true');
    expect(withCustom(one, 'cf.vip', '').custom).toEqual([]);
    expect(localDayStart('2025-03-31', true)).toBe(new Date(2025, 3, 1).toISOString());
  });
});
