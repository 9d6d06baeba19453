import { API_BASE } from '../api/client';
import { contactQuery, type ContactFilters } from '../contacts/query';

/**
 * Where the contact list's current view downloads from as CSV: the list's own query (filters,
 * search, sort) without paging, the custom-field columns shown, and the BOM Excel needs.
 */
export function exportHref(agentId: string, filters: ContactFilters, columns: readonly string[], excel: boolean): string {
  const params = new URLSearchParams();
  const { limit: _limit, cursor: _cursor, ...query } = contactQuery(filters, { limit: 1 });
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, String(v));
  }
  params.set('columns', columns.join(','));
  if (excel) params.set('bom', 'true');
  return `${API_BASE}/agents/${agentId}/contacts/export?${params.toString()}`;
}
