import { useId, useState } from 'react';
import type { FieldErrors } from '../api/error';
import { SelectField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { SortableList } from '../ui/SortableList';
import {
  MIN_POOL,
  isPooled,
  memberChoices,
  poolChoices,
  primaryPerson,
  secondaryStrategyDisabled,
  strategiesFor,
  strategyLabels,
  type AutomationSlot,
  type Method,
  type Person,
  type RuleDraft,
  type SlotDraft,
  type SlotName,
  type Strategy,
  workspaceOwnerId,
} from './rules';

const slotLabels: Record<SlotName, string> = { primary: 'Primary owner', secondary: 'Secondary owner' };

const strategyHints: Partial<Record<Strategy, string>> = {
  creator: 'The member who adds the contact.',
  workspace_owner: 'The owner of this workspace.',
  round_robin: 'Each new contact goes to the next member of the pool, in this order; a member passed over (the contact’s primary) is next when they can be.',
  least_loaded:
    'Each new contact goes to the pool member who owns the fewest active contacts of this agent in this slot (as primary, or as secondary); ties go to the earlier one.',
};

/**
 * Said beside the member pickers of a private agent: the server lists only the members who may
 * own its contacts, so a user without a grant to it is missing, and would be looked for in vain.
 */
export const privateAgentNote = 'Only members who can work in this private agent are listed. Give a user access to it on the Team page.';

/** One owner slot: its strategy, and the member or the pool the strategy needs. */
export function SlotEditor({
  source,
  slot,
  draft,
  saved,
  members,
  privateAgent,
  errors,
  readOnly,
  onChange,
}: {
  source: Method;
  slot: SlotName;
  draft: RuleDraft;
  /** The slot as saved, for its pool_too_small and member_gone flags. */
  saved: AutomationSlot;
  members: readonly Person[];
  /** A private agent's members are only those with access to it: the pickers say so. */
  privateAgent: boolean;
  errors: FieldErrors;
  readOnly: boolean;
  onChange: (slot: SlotDraft) => void;
}) {
  const value = draft[slot];
  const label = slotLabels[slot];
  const noPrimary = slot === 'secondary' && draft.primary.strategy === 'none';
  const ownerId = workspaceOwnerId(members);
  const strategyOptions = strategiesFor(source).map((s) => {
    const disabled = slot === 'secondary' && secondaryStrategyDisabled(draft.primary, s, ownerId);
    // The workspace owner is greyed out when the primary is them, by role or by name.
    const again = disabled && s === 'workspace_owner' && draft.primary.strategy !== 'none';
    return { value: s, label: again ? `${strategyLabels[s]} (the primary owner)` : strategyLabels[s], disabled };
  });
  // The saved member left the workspace or lost the agent, and nobody was chosen since.
  const memberGone = value.strategy === 'member' && saved.strategy === 'member' && saved.member_gone && value.member_id === '';
  const hint = noPrimary
    ? 'Without a primary owner there is no secondary one.'
    : value.strategy === 'none'
      ? slot === 'primary'
        ? 'New contacts get no owner.'
        : 'No secondary owner.'
      : slot === 'secondary'
        ? `${strategyHints[value.strategy] ?? ''} Never the contact’s primary owner.`.trim()
        : strategyHints[value.strategy];
  return (
    <fieldset className="automation-slot">
      <legend>{label}</legend>
      <SelectField<Strategy>
        label={`${label} strategy`}
        name={`${slot}.strategy`}
        value={value.strategy}
        onChange={(strategy) => onChange({ ...value, strategy })}
        options={strategyOptions}
        disabled={readOnly || noPrimary}
        error={errors[`${slot}.strategy`]}
        hint={hint}
      />
      {memberGone && (
        <Alert tone="warning">
          The selected member left the workspace or lost access to this agent.{' '}
          {slot === 'primary'
            ? 'Until you choose another member, new contacts go to the owner of the workspace.'
            : 'Until you choose another member, new contacts get no secondary owner.'}
        </Alert>
      )}
      {value.strategy === 'member' && (
        <SelectField
          label={`${label}: member`}
          name={`${slot}.member_id`}
          value={value.member_id}
          onChange={(member_id) => onChange({ ...value, member_id })}
          options={[{ value: '', label: 'Choose a member…', disabled: true }, ...memberChoices(members, draft, slot)]}
          disabled={readOnly}
          error={errors[`${slot}.member_id`]}
          hint={privateAgent ? privateAgentNote : undefined}
        />
      )}
      {isPooled(value.strategy) && (
        <PoolEditor
          slot={slot}
          label={label}
          draft={draft}
          members={members}
          privateAgent={privateAgent}
          tooSmall={saved.strategy === value.strategy && saved.pool_too_small}
          error={errors[`${slot}.pool`]}
          readOnly={readOnly}
          onChange={(pool) => onChange({ ...value, pool })}
        />
      )}
    </fieldset>
  );
}

/** A rotation's members, in order: add from the agent's members, remove, drag (or keyboard) to reorder. */
function PoolEditor({
  slot,
  label,
  draft,
  members,
  privateAgent,
  tooSmall,
  error,
  readOnly,
  onChange,
}: {
  slot: SlotName;
  label: string;
  draft: RuleDraft;
  members: readonly Person[];
  privateAgent: boolean;
  tooSmall: boolean;
  error?: string;
  readOnly: boolean;
  onChange: (pool: string[]) => void;
}) {
  const pool = draft[slot].pool;
  const poolName = `${label} pool`;
  const [adding, setAdding] = useState('');
  const addId = useId();
  const errorId = useId();
  const noteId = useId();
  const choices = poolChoices(members, draft, slot);
  const primaryMember = primaryPerson(members, draft, slot);
  const items = pool.map((id) => {
    const person = members.find((m) => m.id === id);
    return { id, name: person?.name ?? 'Someone without access to this agent', email: person?.email ?? '', gone: !person };
  });

  function add() {
    if (!adding || pool.includes(adding)) return;
    onChange([...pool, adding]);
    setAdding('');
  }

  return (
    <div className={`pool${error ? ' pool--invalid' : ''}`} role="group" aria-label={poolName} aria-describedby={error ? errorId : undefined}>
      <div className="pool__head">
        <span className="pool__title">Pool</span>
        <span className="muted small">
          {pool.length} member{pool.length === 1 ? '' : 's'}, at least {MIN_POOL}
          {!readOnly && pool.length > 1 ? ' · drag the handles to reorder' : ''}
        </span>
      </div>
      {tooSmall && (
        <Alert tone="warning">
          This pool has fewer than two members who can own contacts of this agent (someone left the workspace or lost access
          to the agent). It keeps assigning to who is left: add members to share the contacts again.
        </Alert>
      )}
      {items.length === 0 ? (
        <p className="pool__empty muted small">No members yet.</p>
      ) : (
        <SortableList
          items={items}
          label={poolName}
          itemLabel={(item) => item.name}
          onReorder={onChange}
          disabled={readOnly}
          className="pool__list"
          renderItem={(item, handle) => (
            <div className="setting-row pool__row">
              {handle}
              <span className="pool__position muted small" aria-hidden="true">
                {pool.indexOf(item.id) + 1}
              </span>
              <span className="setting-row__main">
                <span className={`setting-row__name${item.gone ? ' muted' : ''}`}>{item.name}</span>
                {item.email && <span className="muted small">{item.email}</span>}
                {item.id === primaryMember && <span className="badge badge--neutral">Primary owner: skipped</span>}
              </span>
              {!readOnly && (
                <button
                  type="button"
                  className="btn btn--ghost-danger btn--small"
                  aria-label={`Remove ${item.name} from the ${poolName.toLowerCase()}`}
                  onClick={() => onChange(pool.filter((id) => id !== item.id))}
                >
                  Remove
                </button>
              )}
            </div>
          )}
        />
      )}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
      {!readOnly && (
        <div className="pool__add">
          <div className="field">
            <label htmlFor={addId}>Add to the {poolName.toLowerCase()}</label>
            <select
              id={addId}
              name={`${slot}.pool.add`}
              value={adding}
              onChange={(e) => setAdding(e.target.value)}
              disabled={choices.length === 0}
              aria-invalid={error ? true : undefined}
              aria-describedby={[privateAgent ? noteId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined}
            >
              <option value="">{choices.length === 0 ? 'Everyone is in the pool' : 'Choose a member…'}</option>
              {choices.map((c) => (
                <option key={c.value} value={c.value} disabled={c.disabled}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="btn" onClick={add} disabled={!adding}>
            Add
          </button>
        </div>
      )}
      {!readOnly && privateAgent && (
        // Below the row rather than in the field, so the Add button stays level with the select.
        <p id={noteId} className="field__hint">
          {privateAgentNote}
        </p>
      )}
    </div>
  );
}
