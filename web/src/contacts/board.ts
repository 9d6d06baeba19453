import type { Contact, Stage } from '../api/client';

/** One stage of the board with the contacts loaded so far. */
export interface Column {
  stage: Stage;
  items: Contact[];
  /** The stage's number of active contacts (the server's count, kept up to date by moves). */
  count: number;
  nextCursor?: string;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  loadingMore?: boolean;
}

export interface BoardState {
  /** Stage ids in pipeline order. */
  order: string[];
  columns: Record<string, Column>;
}

export type BoardAction =
  | { type: 'stages'; stages: Stage[] }
  | { type: 'loading-more'; stageId: string }
  | { type: 'loaded'; stageId: string; items: Contact[]; nextCursor?: string; append: boolean }
  | { type: 'failed'; stageId: string; error: string }
  | { type: 'move'; contactId: string; to: string; index?: number }
  | { type: 'replace'; contact: Contact };

export const emptyBoard: BoardState = { order: [], columns: {} };

/** Where a card is: its column and its place in it. */
export function findCard(state: BoardState, contactId: string): { stageId: string; index: number; contact: Contact } | null {
  for (const stageId of state.order) {
    const items = state.columns[stageId]?.items ?? [];
    const index = items.findIndex((c) => c.id === contactId);
    if (index >= 0) return { stageId, index, contact: items[index]! };
  }
  return null;
}

/**
 * Moves a card to another column (at `index`, the top by default) and shifts the counts: the
 * optimistic half of a drag. Moving it back to where findCard said it was undoes it.
 */
export function moveCard(state: BoardState, contactId: string, to: string, index = 0): BoardState {
  const from = findCard(state, contactId);
  const target = state.columns[to];
  if (!from || !target || from.stageId === to) return state;
  const source = state.columns[from.stageId]!;
  const moved: Contact = { ...from.contact, stage: { id: to, name: target.stage.name } };
  const targetItems = [...target.items];
  targetItems.splice(Math.max(0, Math.min(index, targetItems.length)), 0, moved);
  return {
    ...state,
    columns: {
      ...state.columns,
      [from.stageId]: { ...source, items: source.items.filter((c) => c.id !== contactId), count: Math.max(0, source.count - 1) },
      [to]: { ...target, items: targetItems, count: target.count + 1 },
    },
  };
}

export function boardReducer(state: BoardState, action: BoardAction): BoardState {
  switch (action.type) {
    case 'stages': {
      const columns: Record<string, Column> = {};
      for (const stage of action.stages) {
        const had = state.columns[stage.id];
        columns[stage.id] = had
          ? { ...had, stage, count: stage.contact_count }
          : { stage, items: [], count: stage.contact_count, status: 'loading' };
      }
      return { order: action.stages.map((s) => s.id), columns };
    }
    case 'loading-more': {
      const column = state.columns[action.stageId];
      if (!column) return state;
      return { ...state, columns: { ...state.columns, [action.stageId]: { ...column, loadingMore: true, error: undefined } } };
    }
    case 'loaded': {
      const column = state.columns[action.stageId];
      if (!column) return state;
      // A card moved here meanwhile may also come in the next page: keep one of each.
      const base = action.append ? column.items : [];
      const seen = new Set(base.map((c) => c.id));
      const items = [...base, ...action.items.filter((c) => !seen.has(c.id))];
      return {
        ...state,
        columns: {
          ...state.columns,
          [action.stageId]: { ...column, items, nextCursor: action.nextCursor, status: 'ready', error: undefined, loadingMore: false },
        },
      };
    }
    case 'failed': {
      const column = state.columns[action.stageId];
      if (!column) return state;
      const status = column.status === 'loading' ? 'error' : column.status;
      return {
        ...state,
        columns: { ...state.columns, [action.stageId]: { ...column, status, error: action.error, loadingMore: false } },
      };
    }
    case 'move':
      return moveCard(state, action.contactId, action.to, action.index);
    case 'replace': {
      const at = findCard(state, action.contact.id);
      if (!at) return state;
      const column = state.columns[at.stageId]!;
      const items = column.items.map((c) => (c.id === action.contact.id ? action.contact : c));
      return { ...state, columns: { ...state.columns, [at.stageId]: { ...column, items } } };
    }
  }
}
