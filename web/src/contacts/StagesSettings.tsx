import { useCallback, useState, type FormEvent } from 'react';
import { api, unwrap, type Stage } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Alert, Loading } from '../ui/feedback';
import { SortableList } from '../ui/SortableList';
import { useResource } from '../ui/useResource';
import { length, problemsFrom } from '../ui/validate';
import { loadStages } from './data';

const MAX_STAGES = 30;

function contactsCount(n: number): string {
  return `${n} contact${n === 1 ? '' : 's'}`;
}

/** The agent's pipeline: add, rename, reorder (drag), remove (moving the contacts elsewhere). */
export function StagesSettings({ agentId, readOnly }: { agentId: string; readOnly: boolean }) {
  const stages = useResource(useCallback(() => loadStages(agentId), [agentId]), agentId);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Stage | null>(null);
  const list = stages.status === 'ready' ? stages.data : [];

  function report(message: { error?: string; notice?: string }) {
    setError(message.error ?? null);
    setNotice(message.notice ?? null);
  }

  async function reorder(ids: string[]) {
    const before = list;
    const byId = new Map(list.map((s) => [s.id, s]));
    stages.replace(ids.map((id) => byId.get(id)!).filter(Boolean));
    report({});
    try {
      const page = await unwrap(api.PUT('/agents/{agentId}/stages', { params: { path: { agentId } }, body: { stage_ids: ids } }));
      stages.replace(page.items);
    } catch (err) {
      stages.replace(before);
      report({ error: `The new order was not saved: ${asApiError(err).message}` });
    }
  }

  return (
    <section className="card section crm-settings" aria-labelledby="stages-title">
      <div className="section__head">
        <div>
          <h2 id="stages-title">Pipeline stages</h2>
          <p className="muted small">
            The stages contacts move through, in order: the first one is where new contacts start.
            {readOnly ? ' Only owners and admins change them.' : ' Drag the handles to reorder.'}
          </p>
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="info">{notice}</Alert>}
      {stages.status === 'loading' && <Loading label="Loading stages…" />}
      {stages.status === 'error' && (
        <div>
          <Alert>{stages.error.message}</Alert>
          <button type="button" className="btn" onClick={stages.reload}>
            Try again
          </button>
        </div>
      )}
      {stages.status === 'ready' && (
        <SortableList
          items={list}
          label="Stages"
          itemLabel={(s) => `stage ${s.name}`}
          onReorder={(ids) => void reorder(ids)}
          disabled={readOnly}
          renderItem={(stage, handle) => (
            <div className="setting-row">
              {handle}
              {renaming === stage.id ? (
                <RenameStage
                  agentId={agentId}
                  stage={stage}
                  onDone={(renamed) => {
                    setRenaming(null);
                    if (renamed) {
                      stages.replace(list.map((s) => (s.id === renamed.id ? { ...s, name: renamed.name } : s)));
                      report({ notice: `Stage renamed to ${renamed.name}.` });
                    }
                  }}
                />
              ) : (
                <>
                  <span className="setting-row__main">
                    <span className="setting-row__name">{stage.name}</span>
                    <span className="muted small">{contactsCount(stage.contact_count)}</span>
                  </span>
                  {!readOnly && (
                    <span className="setting-row__actions">
                      <button
                        type="button"
                        className="btn btn--ghost btn--small"
                        aria-label={`Rename ${stage.name}`}
                        onClick={() => setRenaming(stage.id)}
                      >
                        Rename
                      </button>
                      <button
                        type="button"
                        className="btn btn--ghost-danger btn--small"
                        aria-label={`Remove ${stage.name}`}
                        disabled={list.length < 2}
                        title={list.length < 2 ? 'A pipeline needs at least one stage.' : undefined}
                        onClick={() => setRemoving(stage)}
                      >
                        Remove
                      </button>
                    </span>
                  )}
                </>
              )}
            </div>
          )}
        />
      )}
      {!readOnly && stages.status === 'ready' && (
        <AddStage
          agentId={agentId}
          full={list.length >= MAX_STAGES}
          onAdded={(stage) => {
            stages.replace([...list, stage]);
            report({ notice: `Stage ${stage.name} added.` });
          }}
        />
      )}
      {removing && (
        <RemoveStageDialog
          agentId={agentId}
          stage={removing}
          stages={list}
          onRemoved={(target) => {
            setRemoving(null);
            stages.reload();
            report({
              notice:
                removing.contact_count > 0
                  ? `Stage ${removing.name} removed; its ${contactsCount(removing.contact_count)} moved to ${target.name}.`
                  : `Stage ${removing.name} removed.`,
            });
          }}
          onClose={() => setRemoving(null)}
        />
      )}
    </section>
  );
}

function RenameStage({ agentId, stage, onDone }: { agentId: string; stage: Stage; onDone: (renamed: Stage | null) => void }) {
  const [name, setName] = useState(stage.name);
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    const invalid = length(trimmed, 'Name', 1, 60);
    if (invalid) return setError(invalid);
    if (trimmed === stage.name) return onDone(null);
    setPending(true);
    try {
      const renamed = await unwrap(
        api.PATCH('/agents/{agentId}/stages/{stageId}', { params: { path: { agentId, stageId: stage.id } }, body: { name: trimmed } }),
      );
      onDone(renamed);
    } catch (err) {
      const problems = problemsFrom(err, ['name']);
      setError(problems.fields.name ?? problems.message ?? undefined);
      setPending(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={`Rename ${stage.name}`}>
      <TextField
        label="Stage name"
        name="name"
        value={name}
        onChange={setName}
        error={error}
        maxLength={60}
        autoFocus
        autoComplete="off"
      />
      <div className="inline-form__actions">
        <button type="submit" className="btn btn--primary btn--small" disabled={pending}>
          {pending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn btn--small" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AddStage({ agentId, full, onAdded }: { agentId: string; full: boolean; onAdded: (stage: Stage) => void }) {
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const invalid = length(name, 'Name', 1, 60);
    setErrors(invalid ? { name: invalid } : {});
    setMessage(null);
    if (invalid) return;
    setPending(true);
    try {
      const stage = await unwrap(api.POST('/agents/{agentId}/stages', { params: { path: { agentId } }, body: { name: name.trim() } }));
      setName('');
      onAdded(stage);
    } catch (err) {
      const problems = problemsFrom(err, ['name']);
      setErrors(problems.fields);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="inline-form inline-form--add" onSubmit={submit} noValidate aria-label="Add a stage">
      {message && <Alert>{message}</Alert>}
      <TextField
        label="New stage"
        name="name"
        value={name}
        onChange={setName}
        error={errors.name}
        maxLength={60}
        autoComplete="off"
        placeholder="e.g. Qualified"
        disabled={full}
        hint={full ? `A pipeline has at most ${MAX_STAGES} stages.` : undefined}
      />
      <div className="inline-form__actions">
        <button type="submit" className="btn btn--small" disabled={pending || full}>
          {pending ? 'Adding…' : 'Add stage'}
        </button>
      </div>
    </form>
  );
}

function RemoveStageDialog({
  agentId,
  stage,
  stages,
  onRemoved,
  onClose,
}: {
  agentId: string;
  stage: Stage;
  stages: Stage[];
  onRemoved: (target: Stage) => void;
  onClose: () => void;
}) {
  const others = stages.filter((s) => s.id !== stage.id);
  const [moveTo, setMoveTo] = useState(others[0]?.id ?? '');
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const target = others.find((s) => s.id === moveTo);
    if (!target) return;
    setPending(true);
    setMessage(null);
    try {
      await unwrap(
        api.DELETE('/agents/{agentId}/stages/{stageId}', { params: { path: { agentId, stageId: stage.id }, query: { move_to: target.id } } }),
      );
      onRemoved(target);
    } catch (err) {
      setMessage(problemsFrom(err, []).message);
      setPending(false);
    }
  }

  return (
    <Dialog title={`Remove ${stage.name}?`} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        {message && <Alert>{message}</Alert>}
        <p className="muted">
          {stage.contact_count > 0
            ? `${stage.name} has ${contactsCount(stage.contact_count)}. Choose the stage they move to.`
            : `${stage.name} has no active contacts. Archived contacts in it, if any, move to the stage you choose.`}
        </p>
        <SelectField
          label="Move contacts to"
          name="move_to"
          value={moveTo}
          onChange={setMoveTo}
          options={others.map((s) => ({ value: s.id, label: s.name }))}
        />
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--danger" disabled={pending || !moveTo}>
            {pending ? 'Removing…' : 'Remove stage'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
