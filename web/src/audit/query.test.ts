import { describe, expect, it } from 'vitest';
import { auditExportHref, auditQuery, auditSearch, filtersFromSearch, noFilters, prettyJson, validateFilters } from './query';

describe('audit query', () => {
  it('keeps only the filters that are set, trimmed, in a fixed order', () => {
    const search = auditSearch({ ...noFilters, to: '2025-02-01', action: '  invitations.create ', actor_id: 'u1' });
    expect(search.toString()).toBe('actor_id=u1&action=invitations.create&to=2025-02-01');
    expect(auditSearch(noFilters).toString()).toBe('');
  });

  it('encodes what needs encoding', () => {
    expect(auditSearch({ ...noFilters, action: 'a&b=c d' }).toString()).toBe('action=a%26b%3Dc+d');
  });

  it('builds the API query with the page', () => {
    expect(auditQuery({ ...noFilters, resource: 'agents' }, { limit: 50 })).toEqual({ limit: 50, resource: 'agents' });
    expect(auditQuery(noFilters, { limit: 50, cursor: 'c2' })).toEqual({ limit: 50, cursor: 'c2' });
  });

  it('links the CSV export with the same filters', () => {
    expect(auditExportHref(noFilters)).toBe('/api/v1/audit/export');
    expect(auditExportHref({ ...noFilters, resource: 'invitations', from: '2025-01-01' })).toBe(
      '/api/v1/audit/export?resource=invitations&from=2025-01-01',
    );
  });

  it('reads the filters back from the page address and drops malformed dates', () => {
    const params = new URLSearchParams('resource=members&from=2025-01-01&to=yesterday&cursor=x&other=1');
    expect(filtersFromSearch(params)).toEqual({ ...noFilters, resource: 'members', from: '2025-01-01' });
    const filters = { actor_id: 'u1', action: 'members.update', resource: 'members', from: '2025-01-01', to: '2025-01-31' };
    expect(filtersFromSearch(auditSearch(filters))).toEqual(filters);
  });

  it('refuses a range that ends before it starts', () => {
    expect(validateFilters({ ...noFilters, from: '2025-02-01', to: '2025-01-31' })).toEqual({
      to: '“To” must be on or after “From”.',
    });
    expect(validateFilters({ ...noFilters, from: '2025-02-01', to: '2025-02-01' })).toEqual({});
    expect(validateFilters({ ...noFilters, to: '2025-02-01' })).toEqual({});
  });

  it('pretty-prints before and after', () => {
    expect(prettyJson({ name: 'A', n: [1] })).toBe('{\n  "name": "A",\n  "n": [\n    1\n  ]\n}');
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('plain text')).toBe('plain text');
    expect(prettyJson(null)).toBeNull();
    expect(prettyJson(undefined)).toBeNull();
    expect(prettyJson(false)).toBe('false');
  });
});
