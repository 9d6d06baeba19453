import type { ContactSort, ContactSource, ContactStatus, SavedViewQuery } from '../api/client';
import { sourceOptions } from './labels';

/** A custom-field filter as the API names it: `cf.<key>` or `cf.<key>.<op>`, and its value. */
export type CustomFilter = readonly [param: string, value: string];

/** The contact list's filters and order, as the API names them; '' means "any" (status: active, sort: newest). */
export interface ContactFilters {
  q: string;
  stage_id: string;
  owner_id: string;
  source: '' | ContactSource;
  status: ContactStatus;
  /** Created from / to, as dates (YYYY-MM-DD) in the browser's time zone. */
  created_from: string;
  created_to: string;
  sort: '' | ContactSort;
  /** Custom-field filters, in parameter order. */
  custom: readonly CustomFilter[];
}

export const noFilters: ContactFilters = {
  q: '',
  stage_id: '',
  owner_id: '',
  source: '',
  status: 'active',
  created_from: '',
  created_to: '',
  sort: '',
  custom: [],
};

/** The orders the list offers, with how they read. */
export const sortOptions: { value: ContactSort; label: string }[] = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: 'name', label: 'Name A–Z' },
  { value: '-name', label: 'Name Z–A' },
  { value: '-updated_at', label: 'Recently updated' },
  { value: 'updated_at', label: 'Least recently updated' },
  { value: 'stage', label: 'Stage (pipeline order)' },
  { value: '-stage', label: 'Stage (reverse order)' },
];

const keys = ['q', 'stage_id', 'owner_id', 'source', 'status', 'created_from', 'created_to', 'sort'] as const;
const sources = new Set<string>(sourceOptions.map((o) => o.value));
const sorts = new Set<string>(sortOptions.map((o) => o.value));
const idPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const customPattern = /^cf\.[a-z][a-z0-9_]{0,63}(\.(eq|min|max|from|to))?$/;

/** The filters a page address carries (`?q=ada&status=archived&cf.plan=Pro`); malformed values are dropped. */
export function filtersFromSearch(params: URLSearchParams): ContactFilters {
  const get = (k: string) => (params.get(k) ?? '').trim();
  const source = get('source');
  const date = (k: string) => (datePattern.test(get(k)) ? get(k) : '');
  const custom: CustomFilter[] = [];
  for (const [param, value] of params) {
    if (customPattern.test(param) && value.trim() !== '') custom.push([param, value]);
  }
  custom.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    q: params.get('q') ?? '',
    stage_id: idPattern.test(get('stage_id')) ? get('stage_id') : '',
    owner_id: idPattern.test(get('owner_id')) ? get('owner_id') : '',
    source: sources.has(source) ? (source as ContactSource) : '',
    status: get('status') === 'archived' ? 'archived' : 'active',
    created_from: date('created_from'),
    created_to: date('created_to'),
    sort: sorts.has(get('sort')) && get('sort') !== '-created_at' ? (get('sort') as ContactSort) : '',
    custom,
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
  for (const [param, value] of filters.custom) {
    if (value.trim() !== '') params.append(param, value);
  }
  return params;
}

/** Whether any filter narrows the list (the empty state then says "no matches", not "no contacts"). */
export function isFiltered(filters: ContactFilters): boolean {
  return contactSearch({ ...filters, sort: '' }).toString() !== '';
}

/** The value of one custom-field filter parameter ('' when not set). */
export function customValue(filters: ContactFilters, param: string): string {
  return filters.custom.find(([p]) => p === param)?.[1] ?? '';
}

/** The filters with one custom-field parameter set to value ('' removes it). */
export function withCustom(filters: ContactFilters, param: string, value: string): ContactFilters {
  const custom = filters.custom.filter(([p]) => p !== param);
  if (value.trim() !== '') custom.push([param, value]);
  custom.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { ...filters, custom };
}

/** A date typed in the browser (YYYY-MM-DD) as the instant its day starts there; end: the next day's start. */
export function localDayStart(date: string, end = false): string {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(y, m - 1, d + (end ? 1 : 0)).toISOString();
}

export type ContactQuery = {
  q?: string;
  stage_id?: string;
  owner_id?: string;
  source?: ContactSource;
  status: ContactStatus;
  created_from?: string;
  created_to?: string;
  sort?: ContactSort;
  limit: number;
  cursor?: string;
} & { [param: `cf.${string}`]: string | string[] };

/**
 * The query for GET /agents/{agentId}/contacts. Created dates become the browser's day bounds;
 * a search keeps the newest-first order (the API ranks search results so).
 */
export function contactQuery(filters: ContactFilters, page: { limit: number; cursor?: string }): ContactQuery {
  const query: ContactQuery = { status: filters.status, limit: page.limit };
  if (filters.q.trim()) query.q = filters.q.trim();
  if (filters.stage_id) query.stage_id = filters.stage_id;
  if (filters.owner_id) query.owner_id = filters.owner_id;
  if (filters.source) query.source = filters.source;
  if (filters.created_from) query.created_from = localDayStart(filters.created_from);
  if (filters.created_to) query.created_to = localDayStart(filters.created_to, true);
  if (filters.sort && !query.q) query.sort = filters.sort;
  for (const [param, value] of filters.custom) {
    const key = param as `cf.${string}`;
    const had = query[key];
    query[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  if (page.cursor) query.cursor = page.cursor;
  return query;
}

/** The custom-field filters as a saved view keeps them. */
export function viewCustom(custom: readonly CustomFilter[]): NonNullable<SavedViewQuery['custom']> {
  const out: NonNullable<SavedViewQuery['custom']> = [];
  for (const [param, value] of custom) {
    const [, key = '', op] = param.split('.');
    const same = out.find((f) => f.key === key && (f.op ?? '') === (op ?? ''));
    if (same) same.values.push(value);
    else out.push(op ? { key, op: op as NonNullable<NonNullable<SavedViewQuery['custom']>[number]['op']>, values: [value] } : { key, values: [value] });
  }
  return out;
}
