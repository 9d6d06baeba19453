import { useId, useState } from 'react';
import { api, unwrap, type ContactStatus } from '../api/client';
import { asApiError } from '../api/error';
import { ConfirmDialog } from '../ui/Dialog';
import { Alert } from '../ui/feedback';
import { bulkBarState, bulkBody, contactCount, statusAction, type BulkAction } from './bulk';

type Option = { value: string; label: string };

// The owner select's "no owner" (its '' is "choose one").
const NO_OWNER = 'none';

/**
 * What to do with the contacts selected in the list: assign an owner, change the stage, archive
 * (or restore), delete. All or nothing: the server names the contact that fails the request.
 */
export function BulkBar({
  agentId,
  ids,
  viewing,
  stages,
  owners,
  onDone,
  onClear,
}: {
  agentId: string;
  /** The selected contacts. */
  ids: string[];
  /** The list's status filter: archived contacts are restored, active ones archived. */
  viewing: ContactStatus;
  stages: Option[];
  /** null: the members could not be listed (no assign). */
  owners: Option[] | null;
  onDone: (done: number) => void;
  onClear: () => void;
}) {
  const id = useId();
  const [owner, setOwner] = useState('');
  const [stage, setStage] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const state = bulkBarState(ids.length, pending);
  const statusChange = statusAction(viewing);

  /** Sends the action; an error is thrown for the caller (the delete dialog shows it in place). */
  async function send(action: BulkAction, choice = '') {
    const result = await unwrap(
      api.POST('/agents/{agentId}/contacts/bulk', { params: { path: { agentId } }, body: bulkBody(ids, action, choice) }),
    );
    setOwner('');
    setStage('');
    onDone(result.done);
  }

  async function run(action: BulkAction, choice = '') {
    setPending(true);
    setError(null);
    try {
      await send(action, choice);
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setPending(false);
    }
  }

  if (!state.open) return null;
  return (
    <section className="bulk-bar card" aria-label="Selected contacts">
      <div className="bulk-bar__row">
        <strong className="bulk-bar__count" aria-live="polite">
          {state.label}
        </strong>
        {owners && (
          <div className="bulk-bar__group">
            <label htmlFor={`${id}-owner`} className="visually-hidden">
              New owner
            </label>
            <select id={`${id}-owner`} value={owner} onChange={(e) => setOwner(e.target.value)} disabled={pending}>
              <option value="">Owner…</option>
              <option value={NO_OWNER}>No owner</option>
              {owners.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn btn--small"
              disabled={!state.enabled || !owner}
              onClick={() => void run('assign', owner === NO_OWNER ? '' : owner)}
            >
              Assign owner
            </button>
          </div>
        )}
        <div className="bulk-bar__group">
          <label htmlFor={`${id}-stage`} className="visually-hidden">
            New stage
          </label>
          <select id={`${id}-stage`} value={stage} onChange={(e) => setStage(e.target.value)} disabled={pending}>
            <option value="">Stage…</option>
            {stages.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn--small" disabled={!state.enabled || !stage} onClick={() => void run('stage', stage)}>
            Change stage
          </button>
        </div>
        <div className="bulk-bar__group">
          <button type="button" className="btn btn--small" disabled={!state.enabled} onClick={() => void run(statusChange)}>
            {statusChange === 'archive' ? 'Archive' : 'Restore'}
          </button>
          <button type="button" className="btn btn--small btn--ghost-danger" disabled={!state.enabled} onClick={() => setDeleting(true)}>
            Delete
          </button>
          <button type="button" className="btn btn--small btn--ghost" onClick={onClear} disabled={pending}>
            Clear selection
          </button>
        </div>
      </div>
      {state.problem && <Alert tone="warning">{state.problem}</Alert>}
      {error && <Alert>{error}</Alert>}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${contactCount(ids.length)}?`}
          confirmLabel={`Delete ${contactCount(ids.length)}`}
          pendingLabel="Deleting…"
          danger
          onConfirm={async () => {
            await send('delete');
            setDeleting(false);
          }}
          onClose={() => setDeleting(false)}
        >
          <p>
            The {contactCount(ids.length)} you selected and their notes are deleted for good. To only hide them from the list
            and the board, archive them instead.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
