import type { ContactStatus } from '../api/client';

/** The most contacts one bulk request takes (the contract's maxItems). */
export const BULK_LIMIT = 500;

export type BulkAction = 'assign' | 'stage' | 'archive' | 'restore' | 'delete';

/** How much of the page is selected: drives the "select all on this page" box (checked, mixed, clear). */
export type PageSelection = 'none' | 'some' | 'all';

export function pageSelection(selected: ReadonlySet<string>, pageIds: readonly string[]): PageSelection {
  const chosen = pageIds.filter((id) => selected.has(id)).length;
  if (chosen === 0) return 'none';
  return chosen === pageIds.length ? 'all' : 'some';
}

/** One contact chosen or not. */
export function toggleOne(selected: ReadonlySet<string>, id: string, on: boolean): Set<string> {
  const next = new Set(selected);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** "Select all on this page": every contact listed, or none of them. */
export function togglePage(selected: ReadonlySet<string>, pageIds: readonly string[], on: boolean): Set<string> {
  const next = new Set(selected);
  for (const id of pageIds) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** The selection, keeping only contacts still listed (after a reload, a filter, "Load more"), in list order. */
export function selectedIn(selected: ReadonlySet<string>, pageIds: readonly string[]): string[] {
  return pageIds.filter((id) => selected.has(id));
}

/** The status action the bar offers: archive what is active, restore what is archived. */
export function statusAction(viewing: ContactStatus): 'archive' | 'restore' {
  return viewing === 'archived' ? 'restore' : 'archive';
}

/** What the bar says and allows for a selection of `count` contacts. */
export interface BulkBarState {
  /** "2 selected". */
  label: string;
  /** Whether the bar shows at all. */
  open: boolean;
  /** Whether the actions can run (something selected, not too many, nothing running). */
  enabled: boolean;
  /** Why the actions cannot run, when there is a reason to tell. */
  problem: string | null;
}

export function bulkBarState(count: number, pending: boolean): BulkBarState {
  const tooMany = count > BULK_LIMIT;
  return {
    label: `${count} selected`,
    open: count > 0,
    enabled: count > 0 && !tooMany && !pending,
    problem: tooMany ? `Select at most ${BULK_LIMIT} contacts at once.` : null,
  };
}

/** A count of contacts in words: "1 contact", "3 contacts". */
export function contactCount(n: number): string {
  return `${n} ${n === 1 ? 'contact' : 'contacts'}`;
}

/** The toast after a bulk action. */
export function bulkDoneMessage(done: number): string {
  return `${contactCount(done)} updated`;
}

export interface BulkBody {
  contact_ids: string[];
  action: BulkAction;
  primary_owner_id?: string | null;
  stage_id?: string;
}

/** The body of POST /contacts/bulk. For assign, '' means "no owner" (null); stage needs a stage. */
export function bulkBody(ids: readonly string[], action: BulkAction, choice = ''): BulkBody {
  const body: BulkBody = { contact_ids: [...ids], action };
  if (action === 'assign') body.primary_owner_id = choice || null;
  if (action === 'stage') body.stage_id = choice;
  return body;
}
