import { describe, expect, it } from 'vitest';
import { contactQuery, contactSearch, filtersFromSearch, isFiltered, noFilters } from './query';

const stage = '0190a1b2-0000-7000-8000-000000000001';

describe('contact filters', () => {
  it('reads the page address, dropping what the API would refuse', () => {
    expect(filtersFromSearch(new URLSearchParams(`q=ada&stage_id=${stage}&source=chat&status=archived`))).toEqual({
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
});
