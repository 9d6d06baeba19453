import { useState, type FormEvent } from 'react';
import { API_BASE, api, unwrap, type Contact } from '../api/client';
import { asApiError } from '../api/error';
import { Dialog } from '../ui/Dialog';
import { Alert } from '../ui/feedback';
import { TextField } from '../ui/Field';
import { displayName } from './labels';
import { confirmsErase, eraseConfirmations, exportUrl } from './privacy';

/** Privacy requests about one contact (owners and admins): export everything, erase completely. */
export function Privacy({ agentId, contact, onErased }: { agentId: string; contact: Contact; onErased: () => void }) {
  const [erasing, setErasing] = useState(false);
  return (
    <section className="card privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <p className="muted small">
        Everything Guestlist holds about this person, for a data request: the contact, notes, files and history.
      </p>
      <div className="privacy__actions">
        <a className="btn btn--small" href={exportUrl(API_BASE, agentId, contact.id)} download>
          Export data
        </a>
        <button type="button" className="btn btn--small btn--ghost-danger" onClick={() => setErasing(true)}>
          Erase contact
        </button>
      </div>
      {erasing && <EraseDialog agentId={agentId} contact={contact} onErased={onErased} onClose={() => setErasing(false)} />}
    </section>
  );
}

/** Erasing cannot be undone: the contact's email or name must be typed to confirm. */
function EraseDialog({
  agentId,
  contact,
  onErased,
  onClose,
}: {
  agentId: string;
  contact: Contact;
  onErased: () => void;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const name = displayName(contact);
  const words = eraseConfirmations(contact);
  const matches = confirmsErase(contact, typed);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return;
    setPending(true);
    setMessage(null);
    try {
      await unwrap(api.POST('/agents/{agentId}/contacts/{contactId}/erase', { params: { path: { agentId, contactId: contact.id } } }));
      onErased();
    } catch (err) {
      setMessage(asApiError(err).message);
      setPending(false);
    }
  }

  return (
    <Dialog title={`Erase ${name}?`} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate aria-label={`Erase ${name}`}>
        {message && <Alert>{message}</Alert>}
        <p className="muted">
          Erasing removes {name} for good: the contact, its notes, its files and the values recorded in its history. Only
          an audit entry without personal data remains. This cannot be undone; export the data first if it was asked for.
        </p>
        <TextField
          label="Type the contact’s email or name to confirm"
          name="confirm"
          value={typed}
          onChange={setTyped}
          autoComplete="off"
          autoFocus
          hint={
            <>
              Type{' '}
              {words.map((w, i) => (
                <span key={w}>
                  {i > 0 && ' or '}
                  <code>{w}</code>
                </span>
              ))}
              .
            </>
          }
        />
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--danger" disabled={!matches || pending}>
            {pending ? 'Erasing…' : 'Erase contact'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
