import { describe, expect, it } from 'vitest';
import type { Contact, Stage } from '../api/client';
import { boardReducer, emptyBoard, findCard, moveCard, type BoardState } from './board';

function stage(id: string, contact_count = 0, position = 0): Stage {
  return { id, name: id.toUpperCase(), position, contact_count };
}

function contact(id: string, stageId: string): Contact {
  return {
    id,
    agent_id: 'a',
    name: id,
    email: `${id}@example.com`,
    phone: null,
    status: 'active',
    stage: { id: stageId, name: stageId.toUpperCase() },
    primary_owner: null,
    secondary_owner: null,
    source: 'manual',
    source_label: 'via Manual',
    external_id: null,
    custom: {},
    created_by: null,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    version: 1,
  };
}

function board(): BoardState {
  let s = boardReducer(emptyBoard, { type: 'stages', stages: [stage('lead', 2), stage('won', 1)] });
  s = boardReducer(s, { type: 'loaded', stageId: 'lead', items: [contact('ada', 'lead'), contact('bob', 'lead')], append: false, nextCursor: 'c1' });
  s = boardReducer(s, { type: 'loaded', stageId: 'won', items: [contact('cy', 'won')], append: false });
  return s;
}

const names = (s: BoardState, id: string) => s.columns[id]!.items.map((c) => c.id);

describe('board', () => {
  it('lays out the stages in order, loading', () => {
    const s = boardReducer(emptyBoard, { type: 'stages', stages: [stage('b'), stage('a')] });
    expect(s.order).toEqual(['b', 'a']);
    expect(s.columns.a!.status).toBe('loading');
    expect(board().columns.lead!).toMatchObject({ status: 'ready', count: 2, nextCursor: 'c1' });
  });

  it('moves a card to the top of another column and shifts the counts', () => {
    const s = moveCard(board(), 'bob', 'won');
    expect(names(s, 'lead')).toEqual(['ada']);
    expect(names(s, 'won')).toEqual(['bob', 'cy']);
    expect(s.columns.lead!.count).toBe(1);
    expect(s.columns.won!.count).toBe(2);
    expect(findCard(s, 'bob')).toMatchObject({ stageId: 'won', index: 0 });
    expect(findCard(s, 'bob')!.contact.stage).toEqual({ id: 'won', name: 'WON' });
  });

  it('rolls a failed move back to where the card was', () => {
    const before = board();
    const was = findCard(before, 'bob')!;
    const moved = boardReducer(before, { type: 'move', contactId: 'bob', to: 'won' });
    const back = boardReducer(moved, { type: 'move', contactId: 'bob', to: was.stageId, index: was.index });
    expect(names(back, 'lead')).toEqual(['ada', 'bob']);
    expect(names(back, 'won')).toEqual(['cy']);
    expect(back.columns.lead!.count).toBe(2);
    expect(back.columns.won!.count).toBe(1);
  });

  it('ignores moves to the same column or of unknown cards', () => {
    const s = board();
    expect(moveCard(s, 'ada', 'lead')).toBe(s);
    expect(moveCard(s, 'nobody', 'won')).toBe(s);
    expect(moveCard(s, 'ada', 'nowhere')).toBe(s);
  });

  it('takes the server’s version of a moved contact', () => {
    const s = boardReducer(moveCard(board(), 'ada', 'won'), { type: 'replace', contact: { ...contact('ada', 'won'), version: 2 } });
    expect(findCard(s, 'ada')!.contact.version).toBe(2);
  });

  it('appends the next page without duplicating a card moved in meanwhile', () => {
    let s = moveCard(board(), 'cy', 'lead');
    s = boardReducer(s, { type: 'loading-more', stageId: 'lead' });
    expect(s.columns.lead!.loadingMore).toBe(true);
    s = boardReducer(s, { type: 'loaded', stageId: 'lead', items: [contact('cy', 'lead'), contact('dee', 'lead')], append: true });
    expect(names(s, 'lead')).toEqual(['cy', 'ada', 'bob', 'dee']);
    expect(s.columns.lead!.nextCursor).toBeUndefined();
  });

  it('marks a column that failed to load, but keeps a loaded one usable', () => {
    let s = boardReducer(emptyBoard, { type: 'stages', stages: [stage('lead')] });
    s = boardReducer(s, { type: 'failed', stageId: 'lead', error: 'Offline.' });
    expect(s.columns.lead).toMatchObject({ status: 'error', error: 'Offline.' });
    const more = boardReducer(board(), { type: 'failed', stageId: 'lead', error: 'Offline.' });
    expect(more.columns.lead).toMatchObject({ status: 'ready', error: 'Offline.' });
  });

  it('keeps loaded cards when the stages are read again', () => {
    const s = boardReducer(board(), { type: 'stages', stages: [stage('won', 5), stage('lead', 2)] });
    expect(s.order).toEqual(['won', 'lead']);
    expect(names(s, 'lead')).toEqual(['ada', 'bob']);
    expect(s.columns.won!.count).toBe(5);
  });
});
