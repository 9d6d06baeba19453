import { describe, expect, it } from 'vitest';
import {
  describeSlot,
  draftOf,
  editedFields,
  memberChoices,
  normalize,
  parseSimulateCount,
  partOfTab,
  poolChoices,
  ruleFieldNames,
  secondaryStrategyDisabled,
  strategiesFor,
  tabDirty,
  toRuleInput,
  validateDraft,
  withoutErrors,
  withSameAsChat,
  workspaceOwnerId,
  type AutomationRule,
  type Person,
  type RuleDraft,
} from './rules';

const ann: Person = { id: 'u-ann', name: 'Ann', email: 'ann@example.com', role: 'owner' };
const bob: Person = { id: 'u-bob', name: 'Bob', email: 'bob@example.com', role: 'admin' };
const cy: Person = { id: 'u-cy', name: 'Cy', email: 'cy@example.com', role: 'user' };
const members = [ann, bob, cy];

function rule(extra: Partial<AutomationRule> = {}): AutomationRule {
  return {
    source: 'chat',
    same_as_chat: false,
    primary: { strategy: 'workspace_owner', member_id: null, pool: [], pool_too_small: false, member_gone: false },
    secondary: { strategy: 'none', member_id: null, pool: [], pool_too_small: false, member_gone: false },
    stage_id: null,
    notify: false,
    customized: false,
    ...extra,
  };
}

function draft(extra: Partial<RuleDraft> = {}): RuleDraft {
  return { ...draftOf(rule()), ...extra };
}

describe('strategiesFor', () => {
  it('offers the creator for manually created contacts only', () => {
    expect(strategiesFor('manual')).toEqual(['creator', 'workspace_owner', 'member', 'round_robin', 'least_loaded', 'none']);
    for (const source of ['chat', 'form', 'import', 'api'] as const) {
      expect(strategiesFor(source)).toEqual(['workspace_owner', 'member', 'round_robin', 'least_loaded', 'none']);
    }
  });
});

describe('toRuleInput', () => {
  it('sends the member only for the member strategy and the pool only for rotations', () => {
    const d = draft({
      primary: { strategy: 'round_robin', member_id: 'u-ann', pool: ['u-bob', 'u-cy'] },
      secondary: { strategy: 'member', member_id: 'u-ann', pool: ['u-bob'] },
      stage_id: '',
      notify: true,
    });
    expect(toRuleInput('chat', d)).toEqual({
      same_as_chat: false,
      primary: { strategy: 'round_robin', member_id: null, pool: ['u-bob', 'u-cy'] },
      secondary: { strategy: 'member', member_id: 'u-ann', pool: [] },
      stage_id: null,
      notify: true,
    });
  });

  it('never says chat or manual follow chat, and sends a chosen stage', () => {
    expect(toRuleInput('manual', draft({ same_as_chat: true, stage_id: 's1' }))).toMatchObject({ same_as_chat: false, stage_id: 's1' });
    expect(toRuleInput('form', draft({ same_as_chat: true }))).toMatchObject({ same_as_chat: true });
  });

  it('sends no owners from the stage tab, so the server keeps them as saved', () => {
    const d = draft({ same_as_chat: true, primary: { strategy: 'member', member_id: '', pool: [] }, stage_id: 's3', notify: true });
    expect(toRuleInput('form', d, 'stage')).toEqual({ same_as_chat: true, stage_id: 's3' });
    expect(toRuleInput('chat', draft({ stage_id: '' }), 'stage')).toEqual({ same_as_chat: false, stage_id: null });
  });

  it('round-trips a saved rule unchanged', () => {
    const saved = rule({
      source: 'api',
      same_as_chat: false,
      primary: { strategy: 'least_loaded', member_id: null, pool: ['u-cy', 'u-ann'], pool_too_small: false, member_gone: false },
      secondary: { strategy: 'member', member_id: 'u-bob', pool: [], pool_too_small: false, member_gone: false },
      stage_id: 's2',
      notify: true,
    });
    expect(toRuleInput('api', draftOf(saved))).toEqual({
      same_as_chat: false,
      primary: { strategy: 'least_loaded', member_id: null, pool: ['u-cy', 'u-ann'] },
      secondary: { strategy: 'member', member_id: 'u-bob', pool: [] },
      stage_id: 's2',
      notify: true,
    });
  });
});

describe('the primary and the secondary never name the same person', () => {
  it('greys the other slot’s selected member out of the member choices, both ways', () => {
    const d = draft({
      primary: { strategy: 'member', member_id: 'u-bob', pool: [] },
      secondary: { strategy: 'member', member_id: 'u-cy', pool: [] },
    });
    expect(memberChoices(members, d, 'secondary')).toEqual([
      { value: 'u-ann', label: 'Ann', disabled: false },
      { value: 'u-bob', label: 'Bob (the primary owner)', disabled: true },
      { value: 'u-cy', label: 'Cy', disabled: false },
    ]);
    expect(memberChoices(members, d, 'primary').filter((c) => c.disabled).map((c) => c.value)).toEqual(['u-cy']);
  });

  it('greys the primary’s member out of the secondary’s pool, and leaves out who is in the pool', () => {
    const d = draft({
      primary: { strategy: 'member', member_id: 'u-bob', pool: [] },
      secondary: { strategy: 'round_robin', member_id: '', pool: ['u-cy'] },
    });
    expect(poolChoices(members, d, 'secondary')).toEqual([
      { value: 'u-ann', label: 'Ann', disabled: false },
      { value: 'u-bob', label: 'Bob (the primary owner)', disabled: true },
    ]);
    expect(poolChoices(members, { ...d, primary: { strategy: 'round_robin', member_id: '', pool: ['u-ann'] } }, 'primary')).toEqual([
      { value: 'u-bob', label: 'Bob', disabled: false },
      { value: 'u-cy', label: 'Cy', disabled: false },
    ]);
  });

  it('rules out a secondary that would be the primary again, or any secondary without a primary', () => {
    const primary = (strategy: RuleDraft['primary']['strategy'], member_id = '') => ({ strategy, member_id, pool: [] });
    expect(secondaryStrategyDisabled(primary('workspace_owner'), 'workspace_owner', 'u-ann')).toBe(true);
    expect(secondaryStrategyDisabled(primary('creator'), 'creator', 'u-ann')).toBe(true);
    expect(secondaryStrategyDisabled(primary('round_robin'), 'round_robin', 'u-ann')).toBe(false);
    expect(secondaryStrategyDisabled(primary('creator'), 'workspace_owner', 'u-ann')).toBe(false);
    expect(secondaryStrategyDisabled(primary('none'), 'member', 'u-ann')).toBe(true);
    expect(secondaryStrategyDisabled(primary('none'), 'none', 'u-ann')).toBe(false);
    // The workspace owner chosen as the selected primary member: "Owner of the workspace" would be them again.
    expect(secondaryStrategyDisabled(primary('member', 'u-ann'), 'workspace_owner', 'u-ann')).toBe(true);
    expect(secondaryStrategyDisabled(primary('member', 'u-bob'), 'workspace_owner', 'u-ann')).toBe(false);
  });

  it('resolves the workspace owner on both sides: by role in one slot, by name in the other', () => {
    const ownerPrimary = draft({
      primary: { strategy: 'workspace_owner', member_id: '', pool: [] },
      secondary: { strategy: 'member', member_id: '', pool: [] },
    });
    expect(workspaceOwnerId(members)).toBe('u-ann');
    expect(memberChoices(members, ownerPrimary, 'secondary').filter((c) => c.disabled)).toEqual([
      { value: 'u-ann', label: 'Ann (the primary owner)', disabled: true },
    ]);
    const ownerSecondary = draft({
      primary: { strategy: 'member', member_id: '', pool: [] },
      secondary: { strategy: 'workspace_owner', member_id: '', pool: [] },
    });
    expect(memberChoices(members, ownerSecondary, 'primary').filter((c) => c.disabled).map((c) => c.value)).toEqual(['u-ann']);
    const pool = draft({
      primary: { strategy: 'workspace_owner', member_id: '', pool: [] },
      secondary: { strategy: 'round_robin', member_id: '', pool: [] },
    });
    expect(poolChoices(members, pool, 'secondary').filter((c) => c.disabled).map((c) => c.value)).toEqual(['u-ann']);
  });

  it('normalizes a change that would clash', () => {
    const clash = normalize(
      draft({
        primary: { strategy: 'member', member_id: 'u-bob', pool: [] },
        secondary: { strategy: 'member', member_id: 'u-bob', pool: [] },
      }),
      'u-ann',
    );
    expect(clash.secondary).toEqual({ strategy: 'member', member_id: '', pool: [] });
    const noPrimary = normalize(
      draft({ primary: { strategy: 'none', member_id: '', pool: [] }, secondary: { strategy: 'member', member_id: 'u-cy', pool: [] } }),
      'u-ann',
    );
    expect(noPrimary.secondary.strategy).toBe('none');
    const ownerTwice = normalize(draft({ secondary: { strategy: 'workspace_owner', member_id: '', pool: [] } }), 'u-ann');
    expect(ownerTwice.secondary.strategy).toBe('none');
    // The owner picked by name as primary while the secondary is "Owner of the workspace", and the other way round.
    const byName = normalize(
      draft({ primary: { strategy: 'member', member_id: 'u-ann', pool: [] }, secondary: { strategy: 'workspace_owner', member_id: '', pool: [] } }),
      'u-ann',
    );
    expect(byName.secondary.strategy).toBe('none');
    const byRole = normalize(
      draft({ primary: { strategy: 'workspace_owner', member_id: '', pool: [] }, secondary: { strategy: 'member', member_id: 'u-ann', pool: [] } }),
      'u-ann',
    );
    expect(byRole.secondary).toEqual({ strategy: 'member', member_id: '', pool: [] });
  });
});

describe('validateDraft', () => {
  it('names each problem by the field the server would name', () => {
    const d = draft({
      primary: { strategy: 'round_robin', member_id: '', pool: ['u-ann'] },
      secondary: { strategy: 'member', member_id: '', pool: [] },
    });
    expect(validateDraft('chat', d)).toEqual({ 'primary.pool': 'Add at least 2 members.', 'secondary.member_id': 'Choose a member.' });
    expect(validateDraft('chat', draft({ primary: { strategy: 'creator', member_id: '', pool: [] } }))).toEqual({
      'primary.strategy': 'Only a manually created contact has a creator.',
    });
    expect(validateDraft('chat', draft({ primary: { strategy: 'round_robin', member_id: '', pool: ['u-ann', 'u-bob'] } }))).toEqual({});
  });

  it('checks nothing of a method that follows agent captured', () => {
    expect(validateDraft('form', draft({ same_as_chat: true, primary: { strategy: 'member', member_id: '', pool: [] } }))).toEqual({});
  });
});

describe('editedFields', () => {
  const rr = draft({ primary: { strategy: 'round_robin', member_id: '', pool: ['u-ann'] } });

  it('names the fields an edit changed, keyed like the errors', () => {
    expect(editedFields(rr, rr)).toEqual([]);
    expect(editedFields(rr, { ...rr, primary: { ...rr.primary, pool: ['u-ann', 'u-bob'] } })).toEqual(['primary.pool']);
    // A reorder is an edit of the pool too.
    const two = { ...rr, primary: { ...rr.primary, pool: ['u-ann', 'u-bob'] } };
    expect(editedFields(two, { ...two, primary: { ...two.primary, pool: ['u-bob', 'u-ann'] } })).toEqual(['primary.pool']);
    expect(editedFields(rr, { ...rr, secondary: { strategy: 'none', member_id: 'u-cy', pool: [] } })).toEqual(['secondary.member_id']);
    expect(editedFields(rr, { ...rr, stage_id: 's2', notify: true })).toEqual(['stage_id', 'notify']);
  });

  it('takes a new strategy for an edit of its whole slot, and following agent captured for one of the whole rule', () => {
    expect(editedFields(rr, { ...rr, primary: { ...rr.primary, strategy: 'least_loaded' } })).toEqual([
      'primary.strategy',
      'primary.member_id',
      'primary.pool',
    ]);
    expect(editedFields(rr, { ...rr, same_as_chat: true })).toEqual([...ruleFieldNames]);
  });

  it('drops the edited fields’ errors and keeps the others', () => {
    const errors = { 'primary.pool': 'Add at least 2 members.', 'secondary.member_id': 'Choose a member.' };
    expect(withoutErrors(errors, ['primary.pool'])).toEqual({ 'secondary.member_id': 'Choose a member.' });
    expect(withoutErrors(errors, ['notify'])).toBe(errors);
  });
});

describe('tabs', () => {
  const saved = draft({ stage_id: 's1' });
  const edited = draft({ primary: { strategy: 'round_robin', member_id: '', pool: ['u-ann', 'u-bob'] }, stage_id: 's2' });

  it('saves the owners from the owner tab and the stage from the stage tab, the rest as saved', () => {
    expect(partOfTab('owners', edited, saved)).toEqual({ ...edited, stage_id: 's1' });
    expect(partOfTab('stage', edited, saved)).toEqual({ ...saved, stage_id: 's2' });
  });

  it('is dirty only where the tab shows a change', () => {
    expect(tabDirty('owners', { ...saved, stage_id: 's9' }, saved)).toBe(false);
    expect(tabDirty('stage', { ...saved, stage_id: 's9' }, saved)).toBe(true);
    expect(tabDirty('owners', { ...saved, notify: true }, saved)).toBe(true);
    expect(tabDirty('stage', { ...saved, same_as_chat: true }, saved)).toBe(true);
  });
});

describe('describeSlot', () => {
  it('says a slot in words, naming the pool in order', () => {
    expect(describeSlot({ strategy: 'round_robin', member_id: null, pool: ['u-bob', 'u-ann'] }, members)).toBe('Round robin: Bob, Ann');
    expect(describeSlot({ strategy: 'member', member_id: 'u-cy', pool: [] }, members)).toBe('Cy');
    expect(describeSlot({ strategy: 'workspace_owner', member_id: null, pool: [] }, members)).toBe('Owner of the workspace');
    expect(describeSlot({ strategy: 'member', member_id: 'u-gone', pool: [] }, members)).toBe('someone without access');
    expect(describeSlot({ strategy: 'member', member_id: null, pool: [], member_gone: true }, members)).toBe(
      'Selected member, who left the workspace or lost access to this agent',
    );
  });
});

describe('parseSimulateCount', () => {
  it('takes 1 to 100', () => {
    expect(parseSimulateCount(' 5 ')).toEqual({ count: 5 });
    expect(parseSimulateCount('100')).toEqual({ count: 100 });
    for (const bad of ['0', '101', '2.5', '-1', '', 'ten']) expect(parseSimulateCount(bad)).toHaveProperty('error');
  });
});

describe('withSameAsChat', () => {
  const chat = rule({
    customized: true,
    notify: true,
    primary: { strategy: 'round_robin', member_id: null, pool: [ann.id, bob.id], pool_too_small: false, member_gone: false },
  });
  it("gives a method nobody configured chat's owners and email when it stops following chat", () => {
    const api = rule({ source: 'api', same_as_chat: true });
    const next = withSameAsChat(draftOf(api), false, api, chat);
    expect(next.same_as_chat).toBe(false);
    expect(next.primary).toEqual({ strategy: 'round_robin', member_id: '', pool: [ann.id, bob.id] });
    expect(next.notify).toBe(true);
  });
  it('keeps the rule of a method that has its own', () => {
    const own = rule({ source: 'form', same_as_chat: true, customized: true });
    const next = withSameAsChat(draftOf(own), false, own, chat);
    expect(next).toEqual({ ...draftOf(own), same_as_chat: false });
    expect(withSameAsChat(next, true, own, chat)).toEqual({ ...next, same_as_chat: true });
  });
});
