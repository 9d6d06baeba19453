import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { FieldErrors } from '../api/error';
import { useSessionApi } from '../session/SessionContext';
import { TextField } from '../ui/Field';
import { Dialog } from '../ui/Dialog';
import { Alert } from '../ui/feedback';
import { problemsFrom } from '../ui/validate';
import { validateWorkspaceName } from './workspaceName';
import { focusFirstInvalid } from '../ui/dom';

/** A modal form: name the workspace, create it, and land in it. */
export function NewWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const { createWorkspace } = useSessionApi();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateWorkspaceName(name);
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      await createWorkspace(name.trim());
      navigate('/agents');
      onClose();
    } catch (err) {
      const problems = problemsFrom(err, ['name']);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
      setPending(false);
    }
  }

  return (
    <Dialog title="New workspace" onClose={onClose}>
      <p className="muted">
        A workspace holds its own agents, contacts and team. You will be its owner.
      </p>
      <form onSubmit={submit} noValidate className="form">
        {message && <Alert>{message}</Alert>}
        <TextField
          label="Workspace name"
          name="name"
          autoFocus
          value={name}
          onChange={setName}
          error={errors.name}
          maxLength={100}
        />
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={pending}>
            {pending ? 'Creating…' : 'Create workspace'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
