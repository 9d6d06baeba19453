import type { FieldErrors } from '../api/error';
import type { components, operations } from '../api/schema';

export type Automations = components['schemas']['Automations'];
export type AutomationRule = components['schemas']['AutomationRule'];
export type AutomationSlot = components['schemas']['AutomationSlot'];
export type AutomationRuleInput = components['schemas']['AutomationRuleInput'];
export type AutomationAssignment = components['schemas']['AutomationAssignment'];
/** A simulation: the next contacts' assignments, after the contacts still waiting for their automation. */
export type AutomationSimulation = operations['simulateAutomation']['responses'][200]['content']['application/json'];

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

/**
 * The draft once "Same as agent captured" is ticked or unticked. A method nobody configured
 * that stops following chat starts from chat's saved owners and email, which is what it did
 * until then (the server fills left-out owners the same way); one with a rule of its own gets
 * that rule back.
 */
export function withSameAsChat(draft: RuleDraft, same: boolean, rule: AutomationRule, chatRule: AutomationRule): RuleDraft {
  if (same || rule.customized) return { ...draft, same_as_chat: same };
  const chat = draftOf(chatRule);
  return { ...draft, same_as_chat: false, primary: chat.primary, secondary: chat.secondary, notify: chat.notify };
}

function slotInput(slot: SlotDraft): AutomationRuleInput['primary'] {
  return {
    strategy: slot.strategy,
    member_id: slot.strategy === 'member' && slot.member_id ? slot.member_id : null,
    pool: isPooled(slot.strategy) ? [...slot.pool] : [],
  };
}

/**
 * The body that saves a draft for `source` from a tab. A member or pool left over from another
 * strategy is not sent (the server refuses it); a method that cannot follow chat never says it
 * does. The stage tab sends no owners, so the server keeps them as saved: a saved slot gone stale
 * (a member left) does not block the stage with an error about a field the tab does not show.
 */
export function toRuleInput(source: Method, draft: RuleDraft, tab: Tab = 'owners'): AutomationRuleInput {
  const same_as_chat = canFollowChat(source) && draft.same_as_chat;
  if (tab === 'stage') return { same_as_chat, stage_id: draft.stage_id || null };
  return {
    same_as_chat,
    primary: slotInput(draft.primary),
    secondary: slotInput(draft.secondary),
    stage_id: draft.stage_id || null,
    notify: draft.notify,
  };
}

export function sameDraft(a: RuleDraft, b: RuleDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The workspace owner among the members ('' if the list has none). */
export function workspaceOwnerId(members: readonly Person[]): string {
  return members.find((m) => m.role === 'owner')?.id ?? '';
}

/**
 * The one person a slot always names, if it names one ('' otherwise): its selected member, or the
 * workspace owner (ownerId) for "Owner of the workspace".
 */
export function fixedMember(slot: SlotDraft, ownerId: string): string {
  if (slot.strategy === 'member') return slot.member_id;
  if (slot.strategy === 'workspace_owner') return ownerId;
  return '';
}

/**
 * The secondary's strategies the primary rules out: nothing at all without a primary, and the
 * workspace owner or the creator again, who would be the primary — the workspace owner also when
 * the primary is the workspace owner chosen as the selected member.
 */
export function secondaryStrategyDisabled(primary: SlotDraft, strategy: Strategy, ownerId: string): boolean {
  if (primary.strategy === 'none') return strategy !== 'none';
  if (strategy === primary.strategy && (strategy === 'workspace_owner' || strategy === 'creator')) return true;
  return strategy === 'workspace_owner' && ownerId !== '' && fixedMember(primary, ownerId) === ownerId;
}

/** The person the other slot always names (its selected member, or the workspace owner), who may not be chosen for this one. */
export function takenByOther(draft: RuleDraft, slot: SlotName, ownerId: string): string {
  return fixedMember(slot === 'primary' ? draft.secondary : draft.primary, ownerId);
}

export interface MemberChoice {
  value: string;
  label: string;
  disabled: boolean;
}

/** The members a slot's "Selected member" may name; the person the other slot names is greyed out. */
export function memberChoices(members: readonly Person[], draft: RuleDraft, slot: SlotName): MemberChoice[] {
  const taken = takenByOther(draft, slot, workspaceOwnerId(members));
  const otherName = slot === 'primary' ? 'secondary owner' : 'primary owner';
  return members.map((m) => ({
    value: m.id,
    label: m.id === taken ? `${m.name} (the ${otherName})` : m.name,
    disabled: m.id === taken,
  }));
}

/** For the secondary, the person the primary always names (whom its rotation would always skip); '' for the primary. */
export function primaryPerson(members: readonly Person[], draft: RuleDraft, slot: SlotName): string {
  return slot === 'secondary' ? fixedMember(draft.primary, workspaceOwnerId(members)) : '';
}

/**
 * The members that may still join a slot's pool: not already in it, and, for the secondary, not
 * the person the primary always names (the rotation would always skip them).
 */
export function poolChoices(members: readonly Person[], draft: RuleDraft, slot: SlotName): MemberChoice[] {
  const pool = draft[slot].pool;
  const primaryMember = primaryPerson(members, draft, slot);
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
 * strategy that would pick the primary again, no member who is the person the primary names.
 * ownerId is the workspace owner's id.
 */
export function normalize(draft: RuleDraft, ownerId: string): RuleDraft {
  const next = { ...draft, primary: { ...draft.primary }, secondary: { ...draft.secondary } };
  if (secondaryStrategyDisabled(next.primary, next.secondary.strategy, ownerId)) {
    next.secondary = { ...next.secondary, strategy: 'none' };
  }
  const primary = fixedMember(next.primary, ownerId);
  if (next.secondary.strategy === 'member' && primary !== '' && next.secondary.member_id === primary) {
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

/**
 * The fields an edit changed, keyed like the form's errors, so their errors go as soon as they
 * are edited rather than at the next Save. A new strategy makes the slot's member and pool
 * another question, and following agent captured (or no longer) the whole rule: their errors
 * go with it.
 */
export function editedFields(before: RuleDraft, after: RuleDraft): string[] {
  if (before.same_as_chat !== after.same_as_chat) return [...ruleFieldNames];
  const out: string[] = [];
  for (const slot of ['primary', 'secondary'] as const) {
    const a = before[slot];
    const b = after[slot];
    if (a.strategy !== b.strategy) {
      out.push(`${slot}.strategy`, `${slot}.member_id`, `${slot}.pool`);
      continue;
    }
    if (a.member_id !== b.member_id) out.push(`${slot}.member_id`);
    if (a.pool.join() !== b.pool.join()) out.push(`${slot}.pool`);
  }
  if (before.stage_id !== after.stage_id) out.push('stage_id');
  if (before.notify !== after.notify) out.push('notify');
  return out;
}

/** The errors left once the given fields' are dropped (the same object when none of them had one). */
export function withoutErrors(errors: FieldErrors, fields: readonly string[]): FieldErrors {
  if (!fields.some((f) => f in errors)) return errors;
  const out = { ...errors };
  for (const f of fields) delete out[f];
  return out;
}

/** "Round robin: Ann, Bob" — one slot in a sentence, for the summary of a rule another method follows. */
export function describeSlot(
  slot: { strategy: Strategy; member_id: string | null; pool: readonly string[]; member_gone?: boolean },
  members: readonly Person[],
): string {
  const name = (id: string | null) => members.find((m) => m.id === id)?.name ?? 'someone without access';
  switch (slot.strategy) {
    case 'member':
      if (slot.member_gone) return `${strategyLabels.member}, who left the workspace or lost access to this agent`;
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
