import type { SavedView, SavedViewQuery } from '../api/client';
import { contactSearch, filtersFromSearch, viewCustom, type ContactFilters } from './query';

/** The page address's key for the saved view the list shows (`?view=<id>`), next to the filters. */
export const viewParam = 'view';

const idPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The saved view a page address names, or '' (a malformed id is dropped). */
export function viewIdFromSearch(params: URLSearchParams): string {
  const id = (params.get(viewParam) ?? '').trim();
  return idPattern.test(id) ? id : '';
}

/** The page address for the filters and, when one is chosen, the saved view (last). */
export function listSearch(filters: ContactFilters, viewId: string): URLSearchParams {
  const params = contactSearch(filters);
  if (viewId) params.set(viewParam, viewId);
  return params;
}

/** What a view saves: the filters that are set (status only when archived) and the chosen columns. */
export function viewQueryOf(filters: ContactFilters, columns: readonly string[]): SavedViewQuery {
  const query: SavedViewQuery = {};
  const q = filters.q.trim();
  if (q) query.q = q;
  if (filters.status === 'archived') query.status = 'archived';
  if (filters.stage_id) query.stage_id = filters.stage_id;
  if (filters.owner_id) query.owner_id = filters.owner_id;
  if (filters.source) query.source = filters.source;
  if (filters.created_from) query.created_from = filters.created_from;
  if (filters.created_to) query.created_to = filters.created_to;
  if (filters.sort) query.sort = filters.sort;
  if (filters.custom.length > 0) query.custom = viewCustom(filters.custom);
  query.columns = [...columns];
  return query;
}

/** The list's filters a view restores; unknown or malformed values are dropped, as from an address. */
export function filtersOfView(query: SavedViewQuery): ContactFilters {
  const params = new URLSearchParams();
  for (const key of ['q', 'stage_id', 'owner_id', 'source', 'status', 'created_from', 'created_to', 'sort'] as const) {
    const value = query[key];
    if (typeof value === 'string' && value !== '') params.set(key, value);
  }
  for (const f of Array.isArray(query.custom) ? query.custom : []) {
    const param = f.op ? `cf.${f.key}.${f.op}` : `cf.${f.key}`;
    for (const value of f.values) params.append(param, value);
  }
  return filtersFromSearch(params);
}

/** The columns a view restores, or null when it saved none (the current choice then stays). */
export function columnsOfView(query: SavedViewQuery): string[] | null {
  return Array.isArray(query.columns) ? query.columns.filter((k): k is string => typeof k === 'string') : null;
}

/** Whether the list shows exactly what the view saved (otherwise the view can be updated). */
export function viewMatches(view: SavedView, filters: ContactFilters, columns: readonly string[]): boolean {
  if (contactSearch(filtersOfView(view.query)).toString() !== contactSearch(filters).toString()) return false;
  const saved = columnsOfView(view.query);
  if (saved === null) return true;
  return sameSet(saved, columns);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/** The views by group, each by name: the team's shared ones, then the member's own. */
export function groupViews(views: readonly SavedView[]): { shared: SavedView[]; mine: SavedView[] } {
  const byName = (a: SavedView, b: SavedView) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
  return {
    shared: views.filter((v) => v.shared).sort(byName),
    mine: views.filter((v) => !v.shared).sort(byName),
  };
}

/** Whether the member may rename, update or delete a view: their own, or a shared one as owner or admin. */
export function canChangeView(view: SavedView, userId: string, shareViews: boolean): boolean {
  return view.shared ? shareViews : view.owner_id === userId;
}

/** A view's name as typed: trimmed, 1 to 60 characters. */
export function validateViewName(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Name the view.';
  if (trimmed.length > 60) return 'A view name has at most 60 characters.';
  return undefined;
}

/** What a view left out: its filters on custom fields archived or deleted since it was saved. */
export function droppedNote(view: SavedView): string {
  const n = view.dropped_filters?.length ?? 0;
  if (n === 0) return '';
  return `${n === 1 ? 'One filter' : `${n} filters`} left out: ${n === 1 ? 'its field was' : 'their fields were'} archived or deleted since the view was saved.`;
}
