import type { FieldErrors } from '../api/error';
import type { components } from '../api/schema';

export type Automations = components['schemas']['Automations'];
export type AutomationRule = components['schemas']['AutomationRule'];
export type AutomationSlot = components['schemas']['AutomationSlot'];
export type AutomationRuleInput = components['schemas']['AutomationRuleInput'];
export type AutomationAssignment = components['schemas']['AutomationAssignment'];
export type Strategy = components['schemas']['AutomationStrategy'];
export type Method = AutomationRule['source'];
export type Person = Automations['members'][number];

/** The creation methods in the order the screen shows them, with what people call them. */
export const methods: readonly { source: Method; label: string; about: string }[] = [
  { source: 'chat', label: 'Agent captured contact', about: 'Contacts the agent captures in a chat.' },
  { source: 'manual', label: 'Manually created contact', about: 'Contacts a member adds by hand.' },
  { source: 'form', label: 'Form submission', about: 'Contacts created by a submitted form.' },
  { source: 'import', label: 'Imported contact', about: 'Contacts created by a CSV import.' },
  { source: 'api', label: 'API contact', about: 'Contacts created through the API.' },
];

export function methodLabel(source: Method): string {
  return methods.find((m) => m.source === source)?.label ?? source;
}

/** Form, import and API contacts may follow the agent captured rule; chat and manual have their own. */
export function canFollowChat(source: Method): boolean {
  return source === 'form' || source === 'import' || source === 'api';
}

export const strategyLabels: Record<Strategy, string> = {
  creator: 'Creator of the contact',
  workspace_owner: 'Owner of the workspace',
  member: 'Selected member',
  round_robin: 'Round robin',
  least_loaded: 'Least loaded',
  none: 'None',
};

const allStrategies: readonly Strategy[] = ['creator', 'workspace_owner', 'member', 'round_robin', 'least_loaded', 'none'];

/** The smallest pool a rotation may be saved with (the server's MinPool). */
export const MIN_POOL = 2;
export const MAX_POOL = 100;
export const MAX_SIMULATE = 100;

export function isPooled(strategy: Strategy): boolean {
  return strategy === 'round_robin' || strategy === 'least_loaded';
}

/** The strategies a method offers: only a manually created contact has a human creator. */
export function strategiesFor(source: Method): Strategy[] {
  return allStrategies.filter((s) => s !== 'creator' || source === 'manual');
}

export type SlotName = 'primary' | 'secondary';

/** One owner slot as the form edits it: member_id '' is "nobody chosen yet". */
export interface SlotDraft {
  strategy: Strategy;
  member_id: string;
  pool: string[];
}

/** One method's rule as the form edits it. */
export interface RuleDraft {
  same_as_chat: boolean;
  primary: SlotDraft;
  secondary: SlotDraft;
  /** '' is the agent's first stage. */
  stage_id: string;
  notify: boolean;
}

function slotDraft(slot: AutomationSlot): SlotDraft {
  return { strategy: slot.strategy, member_id: slot.member_id ?? '', pool: [...slot.pool] };
}

export function draftOf(rule: AutomationRule): RuleDraft {
  return {
    same_as_chat: rule.same_as_chat,
    primary: slotDraft(rule.primary),
    secondary: slotDraft(rule.secondary),
    stage_id: rule.stage_id ?? '',
    notify: rule.notify,
  };
}

function slotInput(slot: SlotDraft): AutomationRuleInput['primary'] {
  return {
    strategy: slot.strategy,
    member_id: slot.strategy === 'member' && slot.member_id ? slot.member_id : null,
    pool: isPooled(slot.strategy) ? [...slot.pool] : [],
  };
}

/**
 * The body that saves a draft for `source`. A member or pool left over from another strategy is
 * not sent (the server refuses it); a method that cannot follow chat never says it does.
 */
export function toRuleInput(source: Method, draft: RuleDraft): AutomationRuleInput {
  return {
    same_as_chat: canFollowChat(source) && draft.same_as_chat,
    primary: slotInput(draft.primary),
    secondary: slotInput(draft.secondary),
    stage_id: draft.stage_id || null,
    notify: draft.notify,
  };
}

export function sameDraft(a: RuleDraft, b: RuleDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The secondary's strategies the primary rules out: nothing at all without a primary, and the
 * workspace owner or the creator again, who would be the primary.
 */
export function secondaryStrategyDisabled(primary: Strategy, strategy: Strategy): boolean {
  if (primary === 'none') return strategy !== 'none';
  return strategy === primary && (strategy === 'workspace_owner' || strategy === 'creator');
}

/** The fixed member of the other slot, who may not be chosen for this one. */
export function takenByOther(draft: RuleDraft, slot: SlotName): string {
  const other = slot === 'primary' ? draft.secondary : draft.primary;
  return other.strategy === 'member' ? other.member_id : '';
}

export interface MemberChoice {
  value: string;
  label: string;
  disabled: boolean;
}

/** The members a slot's "Selected member" may name; the other slot's member is greyed out. */
export function memberChoices(members: readonly Person[], draft: RuleDraft, slot: SlotName): MemberChoice[] {
  const taken = takenByOther(draft, slot);
  const otherName = slot === 'primary' ? 'secondary owner' : 'primary owner';
  return members.map((m) => ({
    value: m.id,
    label: m.id === taken ? `${m.name} (the ${otherName})` : m.name,
    disabled: m.id === taken,
  }));
}

/**
 * The members that may still join a slot's pool: not already in it, and, for the secondary, not
 * the primary's fixed member (the rotation would always skip them).
 */
export function poolChoices(members: readonly Person[], draft: RuleDraft, slot: SlotName): MemberChoice[] {
  const pool = draft[slot].pool;
  const primaryMember = slot === 'secondary' && draft.primary.strategy === 'member' ? draft.primary.member_id : '';
  return members
    .filter((m) => !pool.includes(m.id))
    .map((m) => ({
      value: m.id,
      label: m.id === primaryMember ? `${m.name} (the primary owner)` : m.name,
      disabled: m.id === primaryMember,
    }));
}

/**
 * A draft after a change, made consistent: no secondary without a primary, no secondary
 * strategy that would pick the primary again, no member who is the other slot's member.
 */
export function normalize(draft: RuleDraft): RuleDraft {
  const next = { ...draft, primary: { ...draft.primary }, secondary: { ...draft.secondary } };
  if (secondaryStrategyDisabled(next.primary.strategy, next.secondary.strategy)) {
    next.secondary = { ...next.secondary, strategy: 'none' };
  }
  if (
    next.primary.strategy === 'member' &&
    next.secondary.strategy === 'member' &&
    next.primary.member_id !== '' &&
    next.primary.member_id === next.secondary.member_id
  ) {
    next.secondary.member_id = '';
  }
  return next;
}

/** What the form checks before saving, keyed like the server's field errors. */
export function validateDraft(source: Method, draft: RuleDraft): FieldErrors {
  const errors: FieldErrors = {};
  if (canFollowChat(source) && draft.same_as_chat) return errors;
  for (const slot of ['primary', 'secondary'] as const) {
    const s = draft[slot];
    if (!strategiesFor(source).includes(s.strategy)) {
      errors[`${slot}.strategy`] = 'Only a manually created contact has a creator.';
    } else if (s.strategy === 'member' && !s.member_id) {
      errors[`${slot}.member_id`] = 'Choose a member.';
    } else if (isPooled(s.strategy) && s.pool.length < MIN_POOL) {
      errors[`${slot}.pool`] = `Add at least ${MIN_POOL} members.`;
    } else if (isPooled(s.strategy) && s.pool.length > MAX_POOL) {
      errors[`${slot}.pool`] = `A pool has at most ${MAX_POOL} members.`;
    }
  }
  return errors;
}

/** The field names of a rule's form, as the server names them in its errors. */
export const ruleFieldNames = [
  'same_as_chat',
  'primary.strategy',
  'primary.member_id',
  'primary.pool',
  'secondary.strategy',
  'secondary.member_id',
  'secondary.pool',
  'stage_id',
  'notify',
] as const;

/** "Round robin: Ann, Bob" — one slot in a sentence, for the summary of a rule another method follows. */
export function describeSlot(slot: { strategy: Strategy; member_id: string | null; pool: readonly string[] }, members: readonly Person[]): string {
  const name = (id: string | null) => members.find((m) => m.id === id)?.name ?? 'someone without access';
  switch (slot.strategy) {
    case 'member':
      return slot.member_id ? name(slot.member_id) : strategyLabels.member;
    case 'round_robin':
    case 'least_loaded':
      return slot.pool.length > 0 ? `${strategyLabels[slot.strategy]}: ${slot.pool.map(name).join(', ')}` : strategyLabels[slot.strategy];
    default:
      return strategyLabels[slot.strategy];
  }
}

/** The number of contacts to simulate, or what is wrong with it. */
export function parseSimulateCount(text: string): { count: number } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: `Enter a whole number from 1 to ${MAX_SIMULATE}.` };
  const n = Number(t);
  if (n < 1 || n > MAX_SIMULATE) return { error: `Enter a whole number from 1 to ${MAX_SIMULATE}.` };
  return { count: n };
}

export type Tab = 'owners' | 'stage';

/**
 * What a tab's Save sends: the tab's own part from the draft, the rest as saved. The owner tab
 * owns the owners and the email; the stage tab the starting stage. "Same as agent captured"
 * belongs to both, since it makes a method follow chat's owners and stage alike.
 */
export function partOfTab(tab: Tab, draft: RuleDraft, saved: RuleDraft): RuleDraft {
  if (tab === 'owners') return { ...draft, stage_id: saved.stage_id };
  return { ...saved, same_as_chat: draft.same_as_chat, stage_id: draft.stage_id };
}

/** Whether the draft changes what the tab shows of the saved rule. */
export function tabDirty(tab: Tab, draft: RuleDraft, saved: RuleDraft): boolean {
  return !sameDraft(partOfTab(tab, draft, saved), saved);
}
