import { useId, useState, type FormEvent } from 'react';
import { api, unwrap, type Stage } from '../api/client';
import type { FieldErrors } from '../api/error';
import { focusFirstInvalid } from '../ui/dom';
import { CheckboxField, SelectField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { problemsFrom } from '../ui/validate';
import { SimulatePanel } from './SimulatePanel';
import { SlotEditor } from './SlotEditor';
import {
  canFollowChat,
  describeSlot,
  draftOf,
  editedFields,
  methodLabel,
  methods,
  normalize,
  partOfTab,
  withSameAsChat,
  ruleFieldNames,
  tabDirty,
  toRuleInput,
  validateDraft,
  withoutErrors,
  workspaceOwnerId,
  type AutomationRule,
  type Automations,
  type Method,
  type RuleDraft,
  type Tab,
} from './rules';

/** The fields each tab shows, so a server error about the other tab's fields is said in words. */
function visibleFields(tab: Tab, following: boolean): string[] {
  if (following) return ['same_as_chat'];
  return tab === 'owners' ? ruleFieldNames.filter((f) => f !== 'stage_id') : ['same_as_chat', 'stage_id'];
}

/** The name of the stage a rule's stage_id means ('' is the first stage). */
export function stageName(stageId: string | null, stages: readonly Stage[] | null): string {
  if (!stages) return stageId ? 'a chosen stage' : 'the first stage';
  if (!stageId) return stages[0] ? `${stages[0].name} (the first stage)` : 'the first stage';
  return stages.find((s) => s.id === stageId)?.name ?? 'the first stage';
}

/**
 * What the owners' email leaves out, where it matters: imported contacts never send it (an import
 * of many rows would send as many emails), neither under their own rule nor under agent
 * captured's, which they may follow.
 */
function notifyHint(source: Method): string | undefined {
  if (source === 'import') return 'Not sent for imported contacts: an import would send one email per row.';
  if (source === 'chat') return 'Not sent for imported contacts, even when they follow this rule: an import would send one email per row.';
  return undefined;
}

/** One creation method's rule in one tab: its controls, its Save, and its simulation. */
export function MethodRule({
  agentId,
  tab,
  rule,
  chatRule,
  draft,
  onDraft,
  onSaved,
  members,
  privateAgent,
  stages,
  readOnly,
}: {
  agentId: string;
  tab: Tab;
  rule: AutomationRule;
  chatRule: AutomationRule;
  draft: RuleDraft;
  onDraft: (draft: RuleDraft) => void;
  onSaved: (draft: RuleDraft, config: Automations) => void;
  members: Automations['members'];
  privateAgent: boolean;
  stages: Stage[] | null;
  readOnly: boolean;
}) {
  const titleId = useId();
  const source = rule.source;
  const label = methodLabel(source);
  const about = methods.find((m) => m.source === source)?.about;
  const saved = draftOf(rule);
  const following = canFollowChat(source) && draft.same_as_chat;
  const dirty = tabDirty(tab, draft, saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  function edit(next: RuleDraft) {
    const normalized = normalize(next, workspaceOwnerId(members));
    onDraft(normalized);
    // What was wrong with a field is stale once it is edited: the next Save checks again.
    setErrors((all) => withoutErrors(all, editedFields(draft, normalized)));
    setNotice(null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const sending = partOfTab(tab, draft, saved);
    const invalid = tab === 'owners' ? validateDraft(source, sending) : {};
    setErrors(invalid);
    setMessage(null);
    setNotice(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      const next = await unwrap(
        api.PUT('/agents/{agentId}/automations/{method}', {
          params: { path: { agentId, method: source } },
          body: toRuleInput(source, sending, tab),
        }),
      );
      onSaved(draft, next);
      setNotice(`${label}: saved.`);
    } catch (err) {
      const problems = problemsFrom(err, visibleFields(tab, following));
      setErrors(problems.fields);
      setMessage(problems.message);
      focusFirstInvalid(form);
    } finally {
      setPending(false);
    }
  }

  const chatDraft = draftOf(chatRule);
  return (
    <section className="automation" aria-labelledby={titleId}>
      <div className="automation__head">
        <div className="automation__titlebar">
          <h3 id={titleId} className="automation__title">
            {label}
          </h3>
          {!rule.customized && (
            <span className="badge badge--neutral" title="Nobody changed this method yet: its defaults apply.">
              Default
            </span>
          )}
        </div>
        {about && <p className="muted small">{about}</p>}
      </div>
      <form className="automation__form" onSubmit={submit} noValidate aria-label={`${label}: ${tab === 'owners' ? 'owners' : 'stage'}`}>
        {message && <Alert>{message}</Alert>}
        {canFollowChat(source) && (
          <CheckboxField
            label="Same as agent captured"
            name="same_as_chat"
            checked={draft.same_as_chat}
            onChange={(same) => edit(withSameAsChat(draft, same, rule, chatRule))}
            disabled={readOnly}
            error={errors.same_as_chat}
            hint={
              draft.same_as_chat
                ? 'Follows the agent captured rule: the same owners, taking turns in the same rotation, and the same starting stage.'
                : 'This method has its own rule.'
            }
          />
        )}
        {following ? (
          <p className="automation__follows muted">
            {tab === 'owners' ? (
              <>
                Primary owner: <strong>{describeSlot(chatRule.primary, members)}</strong>. Secondary owner:{' '}
                <strong>{describeSlot(chatRule.secondary, members)}</strong>.
              </>
            ) : (
              <>
                Starts in <strong>{stageName(chatDraft.stage_id || null, stages)}</strong>, as agent captured contacts do.
              </>
            )}
          </p>
        ) : tab === 'owners' ? (
          <>
            <div className="automation__slots">
              {(['primary', 'secondary'] as const).map((slot) => (
                <SlotEditor
                  key={slot}
                  source={source}
                  slot={slot}
                  draft={draft}
                  saved={rule[slot]}
                  members={members}
                  privateAgent={privateAgent}
                  errors={errors}
                  readOnly={readOnly}
                  onChange={(s) => edit({ ...draft, [slot]: s })}
                />
              ))}
            </div>
            <CheckboxField
              label="Email the owners about each new contact"
              name="notify"
              checked={draft.notify}
              onChange={(notify) => edit({ ...draft, notify })}
              disabled={readOnly}
              error={errors.notify}
              hint={notifyHint(source)}
            />
          </>
        ) : (
          <SelectField
            label="Starting stage"
            name="stage_id"
            value={draft.stage_id}
            onChange={(stage_id) => edit({ ...draft, stage_id })}
            disabled={readOnly || !stages}
            error={errors.stage_id}
            options={[
              { value: '', label: stages?.[0] ? `First stage (${stages[0].name})` : 'First stage' },
              ...(stages ?? []).map((s) => ({ value: s.id, label: s.name })),
            ]}
            hint="The pipeline stage a new contact of this method starts in."
          />
        )}
        {!readOnly && (
          <div className="automation__actions">
            {dirty && <span className="muted small">Unsaved changes</span>}
            {notice && (
              <span className="automation__saved small" role="status">
                {notice}
              </span>
            )}
            <button type="submit" className="btn btn--primary" disabled={pending || !dirty} aria-label={`Save ${label}`}>
              {pending ? 'Saving…' : 'Save'}
            </button>
          </div>
        )}
      </form>
      <SimulatePanel
        // A simulation shows the saved rules: once they change (this method's, or chat's for a
        // method that follows it), the one on screen is gone rather than shown as current.
        key={JSON.stringify([saved, rule.same_as_chat ? draftOf(chatRule) : null])}
        agentId={agentId}
        source={source}
        label={label}
        unsaved={dirty}
      />
    </section>
  );
}
