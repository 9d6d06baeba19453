import type { ContactSource, ContactStatus } from '../api/client';
import { sourceOptions } from './labels';

/** The contact list's filters, as the API names them; '' means "any" (status: active). */
export interface ContactFilters {
  q: string;
  stage_id: string;
  owner_id: string;
  source: '' | ContactSource;
  status: ContactStatus;
}

export const noFilters: ContactFilters = { q: '', stage_id: '', owner_id: '', source: '', status: 'active' };

const keys = ['q', 'stage_id', 'owner_id', 'source', 'status'] as const satisfies readonly (keyof ContactFilters)[];
const sources = new Set<string>(sourceOptions.map((o) => o.value));
const idPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters a page address carries (`?q=ada&status=archived`); malformed values are dropped. */
export function filtersFromSearch(params: URLSearchParams): ContactFilters {
  const get = (k: string) => (params.get(k) ?? '').trim();
  const source = get('source');
  return {
    q: params.get('q') ?? '',
    stage_id: idPattern.test(get('stage_id')) ? get('stage_id') : '',
    owner_id: idPattern.test(get('owner_id')) ? get('owner_id') : '',
    source: sources.has(source) ? (source as ContactSource) : '',
    status: get('status') === 'archived' ? 'archived' : 'active',
  };
}

/** The filters that are set, in a fixed order, for the page address (status only when archived). */
export function contactSearch(filters: ContactFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = filters[key].trim();
    if (value === '' || (key === 'status' && value === 'active')) continue;
    params.set(key, value);
  }
  return params;
}

/** Whether any filter narrows the list (the empty state then says "no matches", not "no contacts"). */
export function isFiltered(filters: ContactFilters): boolean {
  return contactSearch(filters).toString() !== '';
}

export interface ContactQuery {
  q?: string;
  stage_id?: string;
  owner_id?: string;
  source?: ContactSource;
  status: ContactStatus;
  limit: number;
  cursor?: string;
}

/** The query for GET /agents/{agentId}/contacts. */
export function contactQuery(filters: ContactFilters, page: { limit: number; cursor?: string }): ContactQuery {
  const query: ContactQuery = { status: filters.status, limit: page.limit };
  if (filters.q.trim()) query.q = filters.q.trim();
  if (filters.stage_id) query.stage_id = filters.stage_id;
  if (filters.owner_id) query.owner_id = filters.owner_id;
  if (filters.source) query.source = filters.source;
  if (page.cursor) query.cursor = page.cursor;
  return query;
}
