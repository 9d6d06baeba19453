import { useState, type FormEvent } from 'react';
import { api, unwrap, type Contact, type CustomField, type Member, type Stage } from '../api/client';
import type { FieldErrors } from '../api/error';
import { focusFirstInvalid } from '../ui/dom';
import { Dialog } from '../ui/Dialog';
import { problemsFrom } from '../ui/validate';
import { ContactFields, SaveProblem, SimilarWarning } from './ContactFields';
import { blankContact, contactFieldNames, createBody, validateContact, type ContactValues } from './form';
import { useSimilarContacts } from './similar';

/** Adds a contact by hand (source "manual"), warning while typing when it looks like one that exists. */
export function AddContactDialog({
  agentId,
  stages,
  fields,
  members,
  onCreated,
  onClose,
}: {
  agentId: string;
  stages: Stage[];
  fields: CustomField[];
  members: Member[] | null;
  onCreated: (contact: Contact) => void;
  onClose: () => void;
}) {
  const [values, setValues] = useState<ContactValues>(() => blankContact(stages[0]?.id ?? '', fields));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<{ error: unknown; message: string } | null>(null);
  const [pending, setPending] = useState(false);
  const similar = useSimilarContacts(agentId, values);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateContact(values, fields);
    setErrors(invalid);
    setProblem(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      const contact = await unwrap(
        api.POST('/agents/{agentId}/contacts', { params: { path: { agentId } }, body: createBody(values, fields) }),
      );
      onCreated(contact);
    } catch (err) {
      const problems = problemsFrom(err, contactFieldNames(fields));
      setErrors(problems.fields);
      if (problems.message) setProblem({ error: err, message: problems.message });
      focusFirstInvalid(form);
      setPending(false);
    }
  }

  return (
    <Dialog title="Add contact" onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate aria-label="Add contact">
        {problem && <SaveProblem agentId={agentId} error={problem.error} message={problem.message} />}
        <ContactFields
          agentId={agentId}
          values={values}
          onChange={setValues}
          errors={errors}
          stages={stages}
          fields={fields}
          members={members}
          autoFocus
        />
        <div aria-live="polite">
          <SimilarWarning agentId={agentId} state={similar} />
        </div>
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={pending}>
            {pending ? 'Adding…' : 'Add contact'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
