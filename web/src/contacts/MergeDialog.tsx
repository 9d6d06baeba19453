import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, unwrap, type Contact, type CustomField } from '../api/client';
import { asApiError, type ApiError } from '../api/error';
import { Dialog } from '../ui/Dialog';
import { Alert, Loading } from '../ui/feedback';
import { useDebounced } from '../ui/useDebounced';
import { displayName } from './labels';
import { defaultChoices, mergeRows, takeFrom, type MergeRow, type Side } from './merge';
import { contactQuery, noFilters } from './query';

const RESULTS = 10;

/**
 * Merges another contact of the agent into this one: find it with the list's search, choose per
 * row whose value to keep (this contact's by default), then the other contact is merged away.
 */
export function MergeDialog({
  agentId,
  contact,
  fields,
  onMerged,
  onClose,
}: {
  agentId: string;
  contact: Contact;
  fields: CustomField[];
  onMerged: (survivor: Contact, merged: Contact) => void;
  onClose: () => void;
}) {
  const [other, setOther] = useState<Contact | null>(null);
  return (
    <Dialog title={`Merge ${displayName(contact)} with…`} onClose={onClose} wide>
      {other ? (
        <Compare
          agentId={agentId}
          contact={contact}
          other={other}
          fields={fields}
          onBack={() => setOther(null)}
          onMerged={onMerged}
          onClose={onClose}
        />
      ) : (
        <FindOther agentId={agentId} exclude={contact.id} onChoose={setOther} onClose={onClose} />
      )}
    </Dialog>
  );
}

function FindOther({
  agentId,
  exclude,
  onChoose,
  onClose,
}: {
  agentId: string;
  exclude: string;
  onChoose: (contact: Contact) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [q, setQ] = useState('');
  const settled = useDebounced(q, 300);
  const [found, setFound] = useState<{ q: string; contacts: Contact[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let current = true;
    setError(null);
    const query = contactQuery({ ...noFilters, q: settled }, { limit: RESULTS + 1 });
    unwrap(api.GET('/agents/{agentId}/contacts', { params: { path: { agentId }, query } })).then(
      (page) => current && setFound({ q: settled, contacts: page.items.filter((c) => c.id !== exclude).slice(0, RESULTS) }),
      (err: unknown) => current && setError(asApiError(err)),
    );
    return () => {
      current = false;
    };
  }, [agentId, exclude, settled]);

  return (
    <div className="dialog__body">
      <p className="muted">
        Find the contact to merge into this one. Its notes and files move here, then it is deleted; you choose which
        values to keep next.
      </p>
      <div className="field">
        <label htmlFor={id}>Find the other contact</label>
        <input
          id={id}
          type="search"
          placeholder="Search name, email or phone"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          autoComplete="off"
          autoFocus
        />
      </div>
      {error && <Alert>{error.message}</Alert>}
      {!found && !error && <Loading label="Searching…" />}
      {found && found.contacts.length === 0 && <p className="muted">No other contact matches.</p>}
      {found && found.contacts.length > 0 && (
        <ul className="merge-results" aria-label="Matching contacts">
          {found.contacts.map((c) => (
            <li key={c.id}>
              <button type="button" className="btn btn--ghost" onClick={() => onChoose(c)}>
                <strong>{displayName(c)}</strong>
                {c.email && c.email !== displayName(c) && <span className="muted small">{c.email}</span>}
                {c.phone && <span className="muted small">{c.phone}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="form__actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** How a row is named in the radios' labels: "phone", "external ID", a custom field's own label. */
function noun(row: MergeRow): string {
  return row.field.startsWith('custom.') ? row.label : row.label.charAt(0).toLowerCase() + row.label.slice(1);
}

function Compare({
  agentId,
  contact,
  other,
  fields,
  onBack,
  onMerged,
  onClose,
}: {
  agentId: string;
  contact: Contact;
  other: Contact;
  fields: CustomField[];
  onBack: () => void;
  onMerged: (survivor: Contact, merged: Contact) => void;
  onClose: () => void;
}) {
  const rows = mergeRows(contact, other, fields);
  const [choices, setChoices] = useState<Record<string, Side>>(() => defaultChoices(rows));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const group = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      const survivor = await unwrap(
        api.POST('/agents/{agentId}/contacts/merge', {
          params: { path: { agentId } },
          body: { survivor_id: contact.id, merged_id: other.id, take: takeFrom(rows, choices) },
        }),
      );
      onMerged(survivor, other);
    } catch (err) {
      setError(asApiError(err).message);
      setPending(false);
    }
  }

  const choose = (field: string, side: Side) => setChoices((c) => ({ ...c, [field]: side }));
  const cell = (row: MergeRow, side: Side) => {
    const value = side === 'this' ? row.mine : row.theirs;
    return (
      <td>
        <label>
          <input
            type="radio"
            name={`${group}-${row.field}`}
            checked={choices[row.field] === side}
            onChange={() => choose(row.field, side)}
            aria-label={side === 'this' ? `Keep this contact’s ${noun(row)}` : `Keep the other contact’s ${noun(row)}`}
          />
          <span className={value ? undefined : 'muted'}>{value || '—'}</span>
        </label>
      </td>
    );
  };

  return (
    <form className="dialog__body" onSubmit={submit} aria-label="Choose the values to keep">
      {error && <Alert>{error}</Alert>}
      <p className="muted">
        Choose which value to keep on each line. {displayName(other)}’s notes and files move to {displayName(contact)}, and{' '}
        {displayName(other)} is deleted.
      </p>
      <div className="table-wrap">
        <table className="table merge-table" aria-label="Values to keep">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">This contact ({displayName(contact)})</th>
              <th scope="col">Other contact ({displayName(other)})</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.field}>
                <th scope="row">{row.label}</th>
                {cell(row, 'this')}
                {cell(row, 'other')}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form__actions">
        <button type="button" className="btn btn--ghost" onClick={onBack} disabled={pending}>
          Choose another contact
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={pending}>
          {pending ? 'Merging…' : 'Merge contacts'}
        </button>
      </div>
    </form>
  );
}
