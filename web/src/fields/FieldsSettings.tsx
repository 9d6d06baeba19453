import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { api, unwrap, type CustomField } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { loadFields } from '../contacts/data';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Alert, Loading } from '../ui/feedback';
import { SortableList } from '../ui/SortableList';
import { useResource } from '../ui/useResource';
import { problemsFrom } from '../ui/validate';
import { FieldDialog } from './FieldDialog';
import { aiPolicyLabels, fieldTypeLabel } from './values';

/** The new order of every field: the active ones as dragged, then the archived ones as they were. */
export function fullOrder(fields: readonly CustomField[], activeIds: readonly string[]): string[] {
  return [...activeIds, ...fields.filter((f) => f.archived_at).map((f) => f.id)];
}

/** An agent's custom fields: create, edit, reorder (drag), archive, restore, delete. */
export function FieldsSettings({ agentId, readOnly }: { agentId: string; readOnly: boolean }) {
  const fields = useResource(useCallback(() => loadFields(agentId, true), [agentId]), agentId);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CustomField | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const all = fields.status === 'ready' ? fields.data : [];
  const active = all.filter((f) => !f.archived_at);
  const archived = all.filter((f) => f.archived_at);

  function report(message: { error?: string; notice?: string }) {
    setError(message.error ?? null);
    setNotice(message.notice ?? null);
  }

  function put(field: CustomField) {
    fields.replace(all.some((f) => f.id === field.id) ? all.map((f) => (f.id === field.id ? field : f)) : [...all, field]);
  }

  async function reorder(activeIds: string[]) {
    const before = all;
    const ids = fullOrder(all, activeIds);
    const byId = new Map(all.map((f) => [f.id, f]));
    fields.replace(ids.map((id) => byId.get(id)!));
    report({});
    try {
      const page = await unwrap(api.PUT('/agents/{agentId}/fields', { params: { path: { agentId } }, body: { field_ids: ids } }));
      fields.replace(page.items);
    } catch (err) {
      fields.replace(before);
      report({ error: `The new order was not saved: ${asApiError(err).message}` });
    }
  }

  async function setArchived(field: CustomField, archive: boolean) {
    setBusy(field.id);
    report({});
    try {
      const path = { agentId, fieldId: field.id };
      const updated = await unwrap(
        archive
          ? api.POST('/agents/{agentId}/fields/{fieldId}/archive', { params: { path } })
          : api.POST('/agents/{agentId}/fields/{fieldId}/restore', { params: { path } }),
      );
      put(updated);
      report({ notice: archive ? `${field.label} archived: hidden from contacts, values kept.` : `${field.label} restored.` });
    } catch (err) {
      report({ error: asApiError(err).message });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card section crm-settings" aria-labelledby="fields-title">
      <div className="section__head">
        <div>
          <h2 id="fields-title">Custom fields</h2>
          <p className="muted small">
            What else this agent’s CRM keeps about a contact, in the order forms and the contact page show it.
            {readOnly ? ' Only owners and admins change them.' : ''}
          </p>
        </div>
        {!readOnly && (
          <button type="button" className="btn btn--small" onClick={() => setEditing('new')} disabled={fields.status !== 'ready'}>
            <span aria-hidden="true">+</span> New field
          </button>
        )}
      </div>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="info">{notice}</Alert>}
      {fields.status === 'loading' && <Loading label="Loading fields…" />}
      {fields.status === 'error' && (
        <div>
          <Alert>{fields.error.message}</Alert>
          <button type="button" className="btn" onClick={fields.reload}>
            Try again
          </button>
        </div>
      )}
      {fields.status === 'ready' && active.length === 0 && (
        <p className="muted">No custom fields yet.{readOnly ? '' : ' Add one for what you want to know about contacts: company, budget, plan…'}</p>
      )}
      {active.length > 0 && (
        <SortableList
          items={active}
          label="Custom fields"
          itemLabel={(f) => `field ${f.label}`}
          onReorder={(ids) => void reorder(ids)}
          disabled={readOnly}
          renderItem={(f, handle) => (
            <FieldRow field={f} handle={handle}>
              {!readOnly && (
                <>
                  <button type="button" className="btn btn--ghost btn--small" aria-label={`Edit ${f.label}`} onClick={() => setEditing(f)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    aria-label={`Archive ${f.label}`}
                    disabled={busy === f.id}
                    onClick={() => void setArchived(f, true)}
                  >
                    Archive
                  </button>
                </>
              )}
            </FieldRow>
          )}
        />
      )}
      {archived.length > 0 && (
        <details className="archived-fields">
          <summary>
            Archived fields <span className="muted">({archived.length})</span>
          </summary>
          <ul className="sortable" aria-label="Archived fields">
            {archived.map((f) => (
              <li key={f.id} className="sortable__row">
                <FieldRow field={f}>
                  {!readOnly && (
                    <>
                      <button
                        type="button"
                        className="btn btn--ghost btn--small"
                        aria-label={`Restore ${f.label}`}
                        disabled={busy === f.id}
                        onClick={() => void setArchived(f, false)}
                      >
                        Restore
                      </button>
                      <button
                        type="button"
                        className="btn btn--ghost-danger btn--small"
                        aria-label={`Delete ${f.label}`}
                        onClick={() => setDeleting(f)}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </FieldRow>
              </li>
            ))}
          </ul>
          <p className="field__hint">Archived fields keep their values; delete one to remove it and every value in it.</p>
        </details>
      )}
      {editing && (
        <FieldDialog
          agentId={agentId}
          field={editing === 'new' ? undefined : editing}
          onSaved={(field) => {
            const isNew = editing === 'new';
            setEditing(null);
            put(field);
            report({ notice: isNew ? `Field ${field.label} created.` : `Field ${field.label} saved.` });
          }}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <DeleteFieldDialog
          agentId={agentId}
          field={deleting}
          onDeleted={() => {
            setDeleting(null);
            fields.replace(all.filter((f) => f.id !== deleting.id));
            report({ notice: `Field ${deleting.label} deleted, with its values.` });
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

function FieldRow({ field, handle, children }: { field: CustomField; handle?: ReactNode; children?: ReactNode }) {
  return (
    <div className="setting-row">
      {handle}
      <span className="setting-row__main">
        <span className="setting-row__name">{field.label}</span>
        <span className="setting-row__meta">
          <span className="muted small">{fieldTypeLabel(field.type)}</span>
          <code className="small">{field.key}</code>
          {field.required && <span className="badge badge--neutral">Required</span>}
          {field.unique && <span className="badge badge--neutral">Unique</span>}
          {field.ai_policy !== 'off' && <span className="badge badge--ai">{aiPolicyLabels[field.ai_policy]}</span>}
        </span>
      </span>
      {children && <span className="setting-row__actions">{children}</span>}
    </div>
  );
}

/** Deleting a field deletes every value in it: the key must be typed to confirm. */
function DeleteFieldDialog({
  agentId,
  field,
  onDeleted,
  onClose,
}: {
  agentId: string;
  field: CustomField;
  onDeleted: () => void;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const matches = typed.trim() === field.key;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return;
    setPending(true);
    setMessage(null);
    try {
      await unwrap(
        api.DELETE('/agents/{agentId}/fields/{fieldId}', { params: { path: { agentId, fieldId: field.id }, query: { confirm: typed.trim() } } }),
      );
      onDeleted();
    } catch (err) {
      const problems = problemsFrom(err, ['confirm']);
      setErrors(problems.fields);
      setMessage(problems.message);
      setPending(false);
    }
  }

  return (
    <Dialog title={`Delete ${field.label}?`} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        {message && <Alert>{message}</Alert>}
        <p className="muted">
          The field and every contact’s value in it are deleted for good. To only hide it, keep it archived.
        </p>
        <TextField
          label="Type the field’s key to confirm"
          name="confirm"
          value={typed}
          onChange={setTyped}
          error={errors.confirm}
          autoComplete="off"
          autoFocus
          hint={
            <>
              Type <code>{field.key}</code> exactly as shown.
            </>
          }
        />
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--danger" disabled={!matches || pending}>
            {pending ? 'Deleting…' : 'Delete field'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
