import { useCallback, useState } from 'react';
import { api, unwrap, type Note } from '../api/client';
import { asApiError } from '../api/error';
import { canChangeNote } from '../session/capabilities';
import { useCapabilities, useSession } from '../session/SessionContext';
import { ConfirmDialog } from '../ui/Dialog';
import { Alert, Loading } from '../ui/feedback';
import { formatDateTime, formatRelative } from '../ui/format';
import { useResource } from '../ui/useResource';
import { initialsOf } from './labels';
import { NoteEditor } from './NoteEditor';

/** Newest first, whatever order they arrive in. */
export function newestFirst(notes: readonly Note[]): Note[] {
  return [...notes].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id.localeCompare(a.id)));
}

/** A contact's notes: write one, read them newest first, edit or delete one's own (owners and admins any). */
export function Notes({ agentId, contactId, onChanged }: { agentId: string; contactId: string; onChanged?: () => void }) {
  const session = useSession();
  const caps = useCapabilities();
  const path = { agentId, contactId };
  const load = useCallback(
    () => unwrap(api.GET('/agents/{agentId}/contacts/{contactId}/notes', { params: { path: { agentId, contactId } } })).then((p) => p.items),
    [agentId, contactId],
  );
  const notes = useResource(load, `${agentId}/${contactId}`);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Note | null>(null);

  const list = notes.status === 'ready' ? notes.data : [];

  async function add(body_html: string) {
    setError(null);
    try {
      const note = await unwrap(api.POST('/agents/{agentId}/contacts/{contactId}/notes', { params: { path }, body: { body_html } }));
      notes.replace([note, ...list]);
      onChanged?.();
    } catch (err) {
      setError(asApiError(err).message);
      throw err;
    }
  }

  async function edit(note: Note, body_html: string) {
    setError(null);
    try {
      const updated = await unwrap(
        api.PATCH('/agents/{agentId}/contacts/{contactId}/notes/{noteId}', { params: { path: { ...path, noteId: note.id } }, body: { body_html } }),
      );
      notes.replace(list.map((n) => (n.id === updated.id ? updated : n)));
      setEditing(null);
      onChanged?.();
    } catch (err) {
      setError(asApiError(err).message);
      throw err;
    }
  }

  async function remove(note: Note) {
    await unwrap(api.DELETE('/agents/{agentId}/contacts/{contactId}/notes/{noteId}', { params: { path: { ...path, noteId: note.id } } }));
    notes.replace(list.filter((n) => n.id !== note.id));
    setDeleting(null);
    onChanged?.();
  }

  return (
    <div className="notes">
      <NoteEditor label="New note" submitLabel="Add note" pendingLabel="Adding…" onSubmit={add} />
      {error && <Alert>{error}</Alert>}
      {notes.status === 'loading' && <Loading label="Loading notes…" />}
      {notes.status === 'error' && (
        <div>
          <Alert>{notes.error.message}</Alert>
          <button type="button" className="btn" onClick={notes.reload}>
            Try again
          </button>
        </div>
      )}
      {notes.status === 'ready' && list.length === 0 && (
        <p className="muted notes__empty">No notes yet. Notes are visible to everyone who works in this agent.</p>
      )}
      {list.length > 0 && (
        <ol className="note-list" aria-label="Notes">
          {newestFirst(list).map((note) => (
            <li key={note.id} className="note">
              <div className="note__head">
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initialsOf(note.author_name || '?')}
                </span>
                <span className="note__author">{note.author_name || 'Former member'}</span>
                <time className="muted small" dateTime={note.created_at} title={formatDateTime(note.created_at)}>
                  {formatRelative(note.created_at)}
                </time>
                {note.updated_at !== note.created_at && (
                  <span className="muted small" title={`Edited ${formatDateTime(note.updated_at)}`}>
                    · edited
                  </span>
                )}
                {canChangeNote(caps, session.user.id, note) && editing !== note.id && (
                  <span className="note__actions">
                    <button type="button" className="btn btn--ghost btn--small" onClick={() => setEditing(note.id)}>
                      Edit
                    </button>
                    <button type="button" className="btn btn--ghost-danger btn--small" onClick={() => setDeleting(note)}>
                      Delete
                    </button>
                  </span>
                )}
              </div>
              {editing === note.id ? (
                <NoteEditor
                  label="Edit note"
                  initialHtml={note.body_html}
                  submitLabel="Save note"
                  pendingLabel="Saving…"
                  onSubmit={(html) => edit(note, html)}
                  onCancel={() => setEditing(null)}
                  autoFocus
                />
              ) : (
                // The server sanitizes notes (an allow-list of formatting; no scripts, handlers or javascript: links).
                <div className="note__body rich-text" dangerouslySetInnerHTML={{ __html: note.body_html }} />
              )}
            </li>
          ))}
        </ol>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this note?"
          confirmLabel="Delete note"
          pendingLabel="Deleting…"
          danger
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p>The note by {deleting.author_name || 'a former member'} is deleted for good.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
