import { useCallback, useState, type FormEvent } from 'react';
import { api, unwrap, type SavedView } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { useCapabilities, useSession } from '../session/SessionContext';
import { ConfirmDialog, Dialog } from '../ui/Dialog';
import { focusFirstInvalid } from '../ui/dom';
import { TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { useToast } from '../ui/Toast';
import { useResource } from '../ui/useResource';
import { problemsFrom } from '../ui/validate';
import type { ContactFilters } from './query';
import { canChangeView, droppedNote, groupViews, validateViewName, viewMatches, viewQueryOf } from './views';

function loadViews(agentId: string) {
  return unwrap(api.GET('/agents/{agentId}/views', { params: { path: { agentId } } })).then((page) => page.items);
}

/**
 * The saved views of an agent's contact list: choose one (its filters and columns apply), save
 * the list as shown under a name, and rename, update or delete the active one.
 */
export function SavedViews({
  agentId,
  activeId,
  filters,
  columns,
  onChoose,
  onActive,
}: {
  agentId: string;
  /** The view the page address names ('' for none). */
  activeId: string;
  filters: ContactFilters;
  columns: string[];
  /** Apply a view's filters and columns; null: all contacts, no view. */
  onChoose: (view: SavedView | null) => void;
  /** Mark a view active without changing the list ('' for none). */
  onActive: (id: string) => void;
}) {
  const caps = useCapabilities();
  const session = useSession();
  const toast = useToast();
  const views = useResource(useCallback(() => loadViews(agentId), [agentId]), agentId);
  const [dialog, setDialog] = useState<'save' | 'rename' | 'delete' | null>(null);
  const [updating, setUpdating] = useState(false);

  if (views.status === 'loading') return null;
  if (views.status === 'error') {
    return (
      <p className="views-bar muted small">
        Saved views are unavailable: {views.error.message}{' '}
        <button type="button" className="btn btn--ghost btn--small" onClick={views.reload}>
          Try again
        </button>
      </p>
    );
  }

  const list = views.data;
  const { shared, mine } = groupViews(list);
  const active = list.find((v) => v.id === activeId) ?? null;
  const changeable = active ? canChangeView(active, session.user.id, caps.shareViews) : false;
  const matches = active ? viewMatches(active, filters, columns) : true;
  const dropped = active ? droppedNote(active) : '';
  const put = (view: SavedView) => views.replace([...list.filter((v) => v.id !== view.id), view]);

  async function update() {
    if (!active) return;
    setUpdating(true);
    try {
      const body = { query: viewQueryOf(filters, columns) };
      put(await unwrap(api.PATCH('/agents/{agentId}/views/{viewId}', { params: { path: { agentId, viewId: active.id } }, body })));
      toast(`View “${active.name}” updated.`);
    } catch (err) {
      toast(asApiError(err).message, 'error');
    } finally {
      setUpdating(false);
    }
  }

  return (
    <div className="views-bar" role="group" aria-label="Saved views">
      <label className="filter">
        <span className="filter__label">View</span>
        <select
          value={active?.id ?? ''}
          onChange={(e) => onChoose(list.find((v) => v.id === e.target.value) ?? null)}
          className={active ? 'filter--set' : undefined}
        >
          <option value="">All contacts</option>
          {shared.length > 0 && (
            <optgroup label="Shared">
              {shared.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </optgroup>
          )}
          {mine.length > 0 && (
            <optgroup label="Mine">
              {mine.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      {active && !matches && <span className="badge views-bar__edited">Edited</span>}
      {dropped && (
        <span className="muted small" role="note">
          {dropped}
        </span>
      )}
      <div className="views-bar__actions">
        {active && changeable && (
          <>
            <button type="button" className="btn btn--small" onClick={() => void update()} disabled={matches || updating}>
              {updating ? 'Updating…' : 'Update view'}
            </button>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setDialog('rename')}>
              Rename…
            </button>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setDialog('delete')}>
              Delete…
            </button>
          </>
        )}
        <button type="button" className="btn btn--small" onClick={() => setDialog('save')}>
          Save view…
        </button>
      </div>
      {dialog === 'save' && (
        <ViewNameDialog
          title="Save view"
          submitLabel="Save view"
          canShare={caps.shareViews}
          onClose={() => setDialog(null)}
          onSubmit={async (name, share) => {
            const body = { name, shared: share, query: viewQueryOf(filters, columns) };
            const view = await unwrap(api.POST('/agents/{agentId}/views', { params: { path: { agentId } }, body }));
            put(view);
            setDialog(null);
            onActive(view.id);
            toast(`View “${view.name}” saved.`);
          }}
        />
      )}
      {dialog === 'rename' && active && (
        <ViewNameDialog
          title="Rename view"
          submitLabel="Rename view"
          initialName={active.name}
          canShare={false}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const path = { agentId, viewId: active.id };
            put(await unwrap(api.PATCH('/agents/{agentId}/views/{viewId}', { params: { path }, body: { name } })));
            setDialog(null);
          }}
        />
      )}
      {dialog === 'delete' && active && (
        <ConfirmDialog
          title="Delete view?"
          confirmLabel="Delete view"
          pendingLabel="Deleting…"
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const path = { agentId, viewId: active.id };
            await unwrap(api.DELETE('/agents/{agentId}/views/{viewId}', { params: { path } }));
            views.replace(list.filter((v) => v.id !== active.id));
            setDialog(null);
            onActive('');
            toast(`View “${active.name}” deleted.`);
          }}
        >
          <p>
            “{active.name}” goes away{active.shared ? ' for the whole team' : ''}. The contacts stay as they are.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function ViewNameDialog({
  title,
  submitLabel,
  initialName = '',
  canShare,
  onSubmit,
  onClose,
}: {
  title: string;
  submitLabel: string;
  initialName?: string;
  /** Offer "Share with the team" (owners and admins). */
  canShare: boolean;
  onSubmit: (name: string, shared: boolean) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState(initialName);
  const [share, setShare] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateViewName(name);
    setErrors(invalid ? { name: invalid } : {});
    setMessage(null);
    if (invalid) return focusFirstInvalid(form);
    setPending(true);
    try {
      await onSubmit(name.trim(), canShare && share);
    } catch (err) {
      const error = asApiError(err);
      if (error.status === 409) {
        setErrors({ name: 'A view with this name already exists. Choose another name.' });
        setMessage(null);
      } else {
        const problems = problemsFrom(err, ['name']);
        setErrors(problems.fields);
        setMessage(problems.message);
      }
      focusFirstInvalid(form);
      setPending(false);
    }
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate aria-label={title}>
        {message && <Alert>{message}</Alert>}
        <TextField
          label="Name"
          name="name"
          value={name}
          onChange={setName}
          error={errors.name}
          maxLength={60}
          autoFocus
          autoComplete="off"
          hint={initialName ? undefined : 'Saves the search, filters and columns the list shows now.'}
        />
        {canShare && (
          <label className="choice">
            <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} />
            <span>Share with the team</span>
          </label>
        )}
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={pending}>
            {pending ? 'Saving…' : submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
