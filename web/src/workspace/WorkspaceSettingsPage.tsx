import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap, type Workspace } from '../api/client';
import type { FieldErrors } from '../api/error';
import { roleLabel } from '../session/capabilities';
import { useCapabilities, useSession, useSessionApi } from '../session/SessionContext';
import { validateWorkspaceName } from '../shell/workspaceName';
import { focusFirstInvalid, useDocumentTitle } from '../ui/dom';
import { SelectField, TextField } from '../ui/Field';
import { Alert, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { useResource } from '../ui/useResource';
import { problemsFrom } from '../ui/validate';
import { countryName, countryOptions } from './countries';

const loadWorkspace = () => unwrap(api.GET('/workspace'));

/** The current workspace: its name for everyone; rename and delete for the owner. */
export function WorkspaceSettingsPage() {
  useDocumentTitle('Workspace settings');
  const caps = useCapabilities();
  const workspace = useResource(loadWorkspace, 'workspace');

  return (
    <div className="workspace-settings">
      <div className="page__header">
        <div>
          <h1>Workspace settings</h1>
          <p className="muted">
            {caps.manageWorkspace
              ? 'The name your team sees, how phone numbers are read, and deleting the workspace.'
              : 'Only the owner of this workspace changes its settings.'}
          </p>
        </div>
      </div>
      {workspace.status === 'loading' && <Loading label="Loading workspace…" />}
      {workspace.status === 'error' && (
        <div>
          <Alert>{workspace.error.message}</Alert>
          <button type="button" className="btn" onClick={workspace.reload}>
            Try again
          </button>
        </div>
      )}
      {workspace.status === 'ready' && (
        <div className="settings">
          <div className="stack">
            {caps.manageWorkspace ? (
              <>
                <RenameForm workspace={workspace.data} onRenamed={workspace.replace} />
                <CountryForm workspace={workspace.data} onSaved={workspace.replace} editable />
                <DangerZone workspace={workspace.data} />
              </>
            ) : (
              <>
                <Alert tone="info">
                  Only the owner can rename or delete {workspace.data.name}. Your role here is{' '}
                  {roleLabel(caps.role ?? '').toLowerCase()}.
                </Alert>
                <CountryForm workspace={workspace.data} onSaved={workspace.replace} editable={false} />
              </>
            )}
          </div>
          <dl className="card facts">
            <div>
              <dt>Name</dt>
              <dd>{workspace.data.name}</dd>
            </div>
            {workspace.data.default_country && (
              <div>
                <dt>Default phone country</dt>
                <dd>{countryName(workspace.data.default_country)}</dd>
              </div>
            )}
            <div>
              <dt>Your role</dt>
              <dd>{roleLabel(caps.role ?? '')}</dd>
            </div>
            <div>
              <dt>Workspace ID</dt>
              <dd>
                <code>{workspace.data.id}</code>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDateTime(workspace.data.created_at)}</dd>
            </div>
          </dl>
        </div>
      )}
    </div>
  );
}

function RenameForm({ workspace, onRenamed }: { workspace: Workspace; onRenamed: (w: Workspace) => void }) {
  const session = useSession();
  const { adopt } = useSessionApi();
  const [name, setName] = useState(workspace.name);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);
  const dirty = name.trim() !== workspace.name;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateWorkspaceName(name);
    setErrors(invalid);
    setMessage(null);
    setSaved(false);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    if (!dirty) return;
    setPending(true);
    try {
      const renamed = await unwrap(api.PATCH('/workspace', { body: { name: name.trim() } }));
      onRenamed(renamed);
      setName(renamed.name);
      setSaved(true);
      // The header's workspace switcher shows the new name.
      adopt({
        ...session,
        workspaces: session.workspaces.map((w) => (w.id === renamed.id ? { ...w, name: renamed.name } : w)),
      });
    } catch (err) {
      const problems = problemsFrom(err, ['name']);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="rename-title">
      <h2 id="rename-title">Workspace name</h2>
      {message && <Alert>{message}</Alert>}
      {saved && <Alert tone="info">Workspace renamed.</Alert>}
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(value) => {
          setName(value);
          setSaved(false);
        }}
        error={errors.name}
        maxLength={100}
        hint="3 to 100 characters. Everyone in the workspace sees it."
      />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={!dirty || pending}>
          {pending ? 'Saving…' : 'Rename workspace'}
        </button>
      </div>
    </form>
  );
}

/** The region phone numbers typed without a country code are read in: the owner's to change. */
function CountryForm({
  workspace,
  onSaved,
  editable,
}: {
  workspace: Workspace;
  onSaved: (w: Workspace) => void;
  editable: boolean;
}) {
  const current = workspace.default_country ?? '';
  const [country, setCountry] = useState(current);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);
  const dirty = country !== current;
  const options = countryOptions(country || current);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!editable || !dirty || !country) return;
    const form = e.currentTarget as HTMLFormElement;
    setErrors({});
    setMessage(null);
    setSaved(false);
    setPending(true);
    try {
      const updated = await unwrap(api.PATCH('/workspace', { body: { default_country: country } }));
      onSaved(updated);
      setCountry(updated.default_country ?? country);
      setSaved(true);
    } catch (err) {
      const problems = problemsFrom(err, ['default_country']);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="country-title">
      <h2 id="country-title">Default phone country</h2>
      {message && <Alert>{message}</Alert>}
      {saved && <Alert tone="info">Default country saved.</Alert>}
      <SelectField
        label="Default country"
        name="default_country"
        value={country}
        onChange={(value) => {
          setCountry(value);
          setSaved(false);
        }}
        options={country ? options : [{ value: '', label: 'Not set', disabled: true }, ...options]}
        error={errors.default_country}
        disabled={!editable}
        hint={
          <>
            Phone numbers typed without a country code are read as numbers of this country.
            {editable ? '' : ' Only the owner changes it.'}
          </>
        }
      />
      {editable && (
        <div className="form__actions">
          <button type="submit" className="btn btn--primary" disabled={!dirty || !country || pending}>
            {pending ? 'Saving…' : 'Save country'}
          </button>
        </div>
      )}
    </form>
  );
}

function DangerZone({ workspace }: { workspace: Workspace }) {
  const { adopt, reload } = useSessionApi();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const matches = typed === workspace.name;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return;
    const form = e.currentTarget as HTMLFormElement;
    setPending(true);
    setMessage(null);
    setErrors({});
    try {
      await unwrap(api.DELETE('/workspace', { body: { confirm_name: typed } }));
    } catch (err) {
      const problems = problemsFrom(err, ['confirm_name']);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
      setPending(false);
      return;
    }
    // The session moved to another workspace, if the user has one; with none, /agents says so.
    try {
      adopt(await unwrap(api.GET('/me')));
    } catch {
      reload(); // reads the session again, showing its error if there is one
    }
    navigate('/agents', { replace: true });
  }

  return (
    <form className="card form danger-zone" onSubmit={submit} noValidate aria-labelledby="danger-title">
      <h2 id="danger-title">Danger zone</h2>
      <p>
        Deleting <strong>{workspace.name}</strong> deletes its agents, contacts, forms, files and audit log, and removes
        every member. This cannot be undone.
      </p>
      {message && <Alert>{message}</Alert>}
      <TextField
        label="Type the workspace name to confirm"
        name="confirm_name"
        autoComplete="off"
        value={typed}
        onChange={setTyped}
        error={errors.confirm_name}
        hint={
          <>
            Type <strong className="nowrap">{workspace.name}</strong> exactly as shown.
          </>
        }
      />
      <div className="form__actions">
        <button type="submit" className="btn btn--danger" disabled={!matches || pending}>
          {pending ? 'Deleting…' : 'Delete workspace'}
        </button>
      </div>
    </form>
  );
}
