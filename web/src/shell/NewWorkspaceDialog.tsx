import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useSessionApi } from '../session/SessionContext';
import { TextField } from '../ui/Field';
import { Dialog } from '../ui/Dialog';
import { Alert } from '../ui/feedback';
import { useFormSubmit } from '../ui/useFormSubmit';
import { validateWorkspaceName } from './workspaceName';

const workspaceFields = ['name'] as const;

/** A modal form: name the workspace, create it, and land in it. */
export function NewWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const { createWorkspace } = useSessionApi();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const { errors, message, pending, submit: run } = useFormSubmit(workspaceFields);

  function submit(e: FormEvent) {
    return run(e, validateWorkspaceName(name), async () => {
      await createWorkspace(name.trim());
      navigate('/agents');
      onClose();
    });
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
