import { describe, expect, it } from 'vitest';
import { noFilters } from '../contacts/query';
import { exportHref } from './exportHref';

describe('exportHref', () => {
  it('carries the list query without paging, the columns and the BOM', () => {
    const href = exportHref('a1', { ...noFilters, q: ' ada ', source: 'import', custom: [['cf.plan', 'Pro'], ['cf.plan', 'Free']] }, ['plan', 'seats'], true);
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/api/v1/agents/a1/contacts/export');
    expect(url.searchParams.get('q')).toBe('ada');
    expect(url.searchParams.get('source')).toBe('import');
    expect(url.searchParams.getAll('cf.plan')).toEqual(['Pro', 'Free']);
    expect(url.searchParams.get('columns')).toBe('plan,seats');
    expect(url.searchParams.get('bom')).toBe('true');
    expect(url.searchParams.has('limit')).toBe(false);
  });
  it('sends no BOM unless asked', () => {
    expect(new URL(exportHref('a1', noFilters, [], false), 'http://x').searchParams.has('bom')).toBe(false);
  });
});
