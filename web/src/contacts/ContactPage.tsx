import { useCallback, useId, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap, unwrapWithEtag, versionEtag, type Contact, type CustomField, type Member, type Stage } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { contactFields, customOf, formatValue } from '../fields/values';
import { useCapabilities } from '../session/SessionContext';
import { Tabs } from '../ui/Tabs';
import { CopyButton } from '../ui/CopyButton';
import { ConfirmDialog } from '../ui/Dialog';
import { focusFirstInvalid, useDocumentTitle } from '../ui/dom';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { CompassIcon, FormIcon } from '../ui/icons';
import { useToast } from '../ui/Toast';
import { useResource } from '../ui/useResource';
import { problemsFrom } from '../ui/validate';
import { ContactFields, SaveProblem, SimilarWarning } from './ContactFields';
import { loadFields, loadMembers, loadStages, none } from './data';
import { activeFields, contactChanges, contactFieldNames, validateContact, valuesOf, type ContactValues } from './form';
import { displayName, initialsOf, statusLabel } from './labels';
import { Notes } from './Notes';
import { Timeline } from './Timeline';
import { ContactFiles } from '../files/ContactFiles';
import { useSimilarContacts } from './similar';
import { MergeDialog } from './MergeDialog';
import { Privacy } from './Privacy';
import { ContactChats } from '../chat/ContactChats';
import { CapturedFrom, useFieldSources } from '../chat/Provenance';

interface Loaded {
  contact: Contact;
  /** The ETag the contact was read with, for If-Match. */
  etag: string;
}

const tabs = [
  { id: 'general', label: 'General' },
  { id: 'form', label: 'Form' },
  { id: 'chat', label: 'Chat Conversation' },
  { id: 'notes', label: 'Notes' },
  { id: 'files', label: 'Files' },
] as const;

type TabId = (typeof tabs)[number]['id'];

/** One contact: its details, stage, owners and status, with notes and the rest in tabs. */
export function ContactPage() {
  const { agent } = useAgent();
  const { contactId = '' } = useParams();
  const caps = useCapabilities();
  const loadContact = useCallback(
    () =>
      unwrapWithEtag(
        api.GET('/agents/{agentId}/contacts/{contactId}', { params: { path: { agentId: agent.id, contactId } } }),
        versionEtag,
      ).then(({ data, etag }): Loaded => ({ contact: data, etag })),
    [agent.id, contactId],
  );
  const loaded = useResource(loadContact, `${agent.id}/${contactId}`);
  const stages = useResource(useCallback(() => loadStages(agent.id), [agent.id]), agent.id);
  const fields = useResource(useCallback(() => loadFields(agent.id), [agent.id]), agent.id);
  const members = useResource(caps.manageContacts ? loadMembers : none<Member>, caps.manageContacts ? 'members' : 'none');
  useDocumentTitle(loaded.status === 'ready' ? `${displayName(loaded.data.contact)} · ${agent.name}` : 'Contact');

  if (loaded.status === 'loading') return <Loading label="Loading contact…" />;
  if (loaded.status === 'error') {
    if (loaded.error.status === 404 || loaded.error.status === 400) {
      return (
        <EmptyState
          icon={<CompassIcon />}
          title="Contact not found"
          action={
            <Link to={`/agents/${agent.id}/contacts`} className="btn btn--primary">
              Back to contacts
            </Link>
          }
        >
          This contact does not exist in {agent.name}. It may have been deleted.
        </EmptyState>
      );
    }
    return (
      <div>
        <Alert>{loaded.error.message}</Alert>
        <button type="button" className="btn" onClick={loaded.reload}>
          Try again
        </button>
      </div>
    );
  }

  return (
    <ContactView
      agentId={agent.id}
      loaded={loaded.data}
      onChange={loaded.replace}
      reload={loaded.reload}
      stages={stages.status === 'ready' ? stages.data : null}
      fields={contactFields(fields.status === 'ready' ? fields.data : [])}
      members={caps.manageContacts && members.status === 'ready' ? members.data : null}
    />
  );
}

function ContactView({
  agentId,
  loaded,
  onChange,
  reload,
  stages,
  fields,
  members,
}: {
  agentId: string;
  loaded: Loaded;
  onChange: (loaded: Loaded) => void;
  reload: () => void;
  stages: Stage[] | null;
  fields: CustomField[];
  members: Member[] | null;
}) {
  const { contact } = loaded;
  const caps = useCapabilities();
  const toast = useToast();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const tab: TabId = tabs.some((t) => t.id === searchParams.get('tab')) ? (searchParams.get('tab') as TabId) : 'general';
  const [editing, setEditing] = useState(false);
  const [statusProblem, setStatusProblem] = useState<{ error: unknown; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [merging, setMerging] = useState(false);
  // Notes and files change the history without changing the contact.
  const [history, setHistory] = useState(0);
  const historyChanged = useCallback(() => setHistory((h) => h + 1), []);
  const name = displayName(contact);
  const path = { agentId, contactId: contact.id };

  async function moveTo(stageId: string) {
    setBusy(true);
    try {
      const { data, etag } = await unwrapWithEtag(
        api.PUT('/agents/{agentId}/contacts/{contactId}/stage', { params: { path }, body: { stage_id: stageId } }),
        versionEtag,
      );
      onChange({ contact: data, etag });
      toast(`Moved to ${data.stage?.name ?? 'the stage'}`);
    } catch (err) {
      toast(`Could not move ${name}: ${asApiError(err).message}`, 'error');
    } finally {
      setBusy(false);
    }
  }

  async function setStatus(next: 'archive' | 'restore') {
    setBusy(true);
    setStatusProblem(null);
    try {
      const call =
        next === 'archive'
          ? api.POST('/agents/{agentId}/contacts/{contactId}/archive', { params: { path } })
          : api.POST('/agents/{agentId}/contacts/{contactId}/restore', { params: { path } });
      const { data, etag } = await unwrapWithEtag(call, versionEtag);
      onChange({ contact: data, etag });
      toast(next === 'archive' ? `${name} archived` : `${name} restored`);
    } catch (err) {
      setStatusProblem({ error: err, message: asApiError(err).message });
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    await unwrap(api.DELETE('/agents/{agentId}/contacts/{contactId}', { params: { path } }));
    toast(`${name} deleted`);
    navigate(`/agents/${agentId}/contacts`, { replace: true });
  }

  function merged(survivor: Contact, other: Contact) {
    setMerging(false);
    reload();
    toast(`${displayName(other)} merged into ${displayName(survivor)}`);
  }

  function erased() {
    toast(`${name} erased`);
    navigate(`/agents/${agentId}/contacts`, { replace: true });
  }

  function choose(id: TabId) {
    const next = new URLSearchParams(searchParams);
    if (id === 'general') next.delete('tab');
    else next.set('tab', id);
    setSearchParams(next, { replace: true });
  }

  return (
    <div className="contact">
      <Link to={`/agents/${agentId}/contacts`} className="back-link">
        <span aria-hidden="true">←</span> All contacts
      </Link>
      <header className="card contact-header">
        <div className="contact-header__identity">
          <span className="avatar avatar--lg" aria-hidden="true">
            {initialsOf(name)}
          </span>
          <div className="contact-header__text">
            <div className="contact-header__title">
              <h1>{name}</h1>
              {contact.name.trim() && <CopyButton text={contact.name.trim()} what="name" />}
              <span className={`badge badge--status-${contact.status}`}>{statusLabel(contact.status)}</span>
            </div>
            <ul className="contact-header__details">
              {contact.email && (
                <li>
                  <a href={`mailto:${contact.email}`}>{contact.email}</a>
                  <CopyButton text={contact.email} what="email" />
                </li>
              )}
              {contact.phone && (
                <li>
                  <a href={`tel:${contact.phone}`}>{contact.phone}</a>
                  <CopyButton text={contact.phone} what="phone" />
                </li>
              )}
              <li className="muted">{contact.source_label}</li>
            </ul>
          </div>
        </div>
        <div className="contact-header__side">
          <StageSelect
            stages={stages}
            current={contact.stage}
            disabled={busy || editing}
            hint={editing ? 'Save or cancel your edits first.' : undefined}
            onChange={(id) => void moveTo(id)}
          />
          <div className="contact-header__owners">
            <span className="filter__label">Owner</span>
            <span>
              {contact.primary_owner ? contact.primary_owner.name : <span className="muted">Unassigned</span>}
              {contact.secondary_owner && <span className="muted"> + {contact.secondary_owner.name}</span>}
            </span>
          </div>
          {caps.manageContacts && (
            <div className="contact-header__actions">
              {contact.status === 'active' ? (
                <button type="button" className="btn btn--small" onClick={() => void setStatus('archive')} disabled={busy || editing}>
                  Archive
                </button>
              ) : (
                <button type="button" className="btn btn--small" onClick={() => void setStatus('restore')} disabled={busy || editing}>
                  Restore
                </button>
              )}
              {caps.mergeContacts && (
                <button type="button" className="btn btn--small" onClick={() => setMerging(true)} disabled={busy || editing}>
                  Merge with…
                </button>
              )}
              <button type="button" className="btn btn--small btn--ghost-danger" onClick={() => setDeleting(true)} disabled={busy}>
                Delete
              </button>
            </div>
          )}
        </div>
      </header>
      {contact.status === 'archived' && (
        <Alert tone="warning">
          This contact is archived: it is hidden from the list and the board, and its email and phone are free for
          another contact.
        </Alert>
      )}
      {statusProblem && <SaveProblem agentId={agentId} error={statusProblem.error} message={statusProblem.message} />}
      <div className="contact-body">
        <section className="contact-main card card--flush">
          <Tabs tabs={tabs} current={tab} onChoose={choose} label="Contact" idPrefix="contact" />
          <div className="contact-tab" role="tabpanel" id={`contact-panel-${tab}`} aria-labelledby={`contact-tab-${tab}`}>
            {tab === 'general' && (
              <General
                agentId={agentId}
                loaded={loaded}
                stages={stages ?? []}
                fields={fields}
                members={members}
                canEdit={caps.manageContacts}
                editing={editing}
                setEditing={setEditing}
                onSaved={onChange}
                reload={reload}
              />
            )}
            {tab === 'form' && (
              <EmptyState icon={<FormIcon />} title="No form submissions">
                Form submissions will appear here once forms are set up.
              </EmptyState>
            )}
            {tab === 'chat' && <ContactChats agentId={agentId} contactId={contact.id} />}
            {tab === 'notes' && <Notes agentId={agentId} contactId={contact.id} onChanged={historyChanged} />}
            {tab === 'files' && <ContactFiles agentId={agentId} contactId={contact.id} onChanged={historyChanged} />}
          </div>
        </section>
        <aside className="contact-side">
          <Timeline agentId={agentId} contactId={contact.id} version={`${contact.version}-${history}`} />
          {caps.contactPrivacy && <Privacy agentId={agentId} contact={contact} onErased={erased} />}
        </aside>
      </div>
      {merging && (
        <MergeDialog agentId={agentId} contact={contact} fields={fields} onMerged={merged} onClose={() => setMerging(false)} />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${name}?`}
          confirmLabel="Delete contact"
          pendingLabel="Deleting…"
          danger
          onConfirm={remove}
          onClose={() => setDeleting(false)}
        >
          <p>
            {name} and their notes are deleted for good. To only hide the contact from the list and the board, archive it
            instead.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function StageSelect({
  stages,
  current,
  disabled,
  hint,
  onChange,
}: {
  stages: Stage[] | null;
  current: Contact['stage'];
  disabled: boolean;
  hint?: string;
  onChange: (stageId: string) => void;
}) {
  const id = useId();
  const options = stages ?? (current ? [{ id: current.id, name: current.name }] : []);
  return (
    <div className="stage-select">
      <label htmlFor={id} className="filter__label">
        Stage
      </label>
      <select id={id} value={current?.id ?? ''} onChange={(e) => onChange(e.target.value)} disabled={disabled || !stages} title={hint}>
        {!current && <option value="">No stage</option>}
        {options.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function General({
  agentId,
  loaded,
  stages,
  fields,
  members,
  canEdit,
  editing,
  setEditing,
  onSaved,
  reload,
}: {
  agentId: string;
  loaded: Loaded;
  stages: Stage[];
  fields: CustomField[];
  members: Member[] | null;
  canEdit: boolean;
  editing: boolean;
  setEditing: (editing: boolean) => void;
  onSaved: (loaded: Loaded) => void;
  reload: () => void;
}) {
  if (editing) {
    return (
      <EditContact
        agentId={agentId}
        loaded={loaded}
        stages={stages}
        fields={fields}
        members={members}
        onSaved={(next) => {
          onSaved(next);
          setEditing(false);
        }}
        onCancel={() => setEditing(false)}
        reload={reload}
      />
    );
  }
  const { contact } = loaded;
  const custom = activeFields(fields);
  const values = customOf(contact);
  const sources = useFieldSources(agentId, contact.id, String(contact.version));
  return (
    <div className="general">
      <div className="general__head">
        <h2 className="general__title">Details</h2>
        {canEdit && (
          <button type="button" className="btn btn--small" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      <dl className="details">
        <Detail label="Name">
          {contact.name.trim() || <Empty />}
          <CapturedFrom agentId={agentId} source={sources.get('name')} />
        </Detail>
        <Detail label="Email">
          {contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : <Empty />}
          <CapturedFrom agentId={agentId} source={sources.get('email')} />
        </Detail>
        <Detail label="Phone">
          {contact.phone ? <a href={`tel:${contact.phone}`}>{contact.phone}</a> : <Empty />}
          <CapturedFrom agentId={agentId} source={sources.get('phone')} />
        </Detail>
        <Detail label="Stage">{contact.stage?.name ?? <Empty />}</Detail>
        <Detail label="Primary owner">{contact.primary_owner?.name ?? <Empty text="Unassigned" />}</Detail>
        <Detail label="Secondary owner">{contact.secondary_owner?.name ?? <Empty />}</Detail>
        <Detail label="Source">{contact.source_label}</Detail>
        <Detail label="External ID">{contact.external_id ? <code>{contact.external_id}</code> : <Empty />}</Detail>
        <Detail label="Added">{formatDateTime(contact.created_at)}</Detail>
        <Detail label="Last changed">{formatDateTime(contact.updated_at)}</Detail>
      </dl>
      {custom.length > 0 && (
        <>
          <h2 className="general__title general__title--section">Custom fields</h2>
          <dl className="details">
            {custom.map((f) => (
              <Detail key={f.id} label={f.label}>
                <CustomValue field={f} value={values[f.key]} />
                <CapturedFrom agentId={agentId} source={sources.get(`custom.${f.key}`)} />
              </Detail>
            ))}
          </dl>
        </>
      )}
    </div>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="details__item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Empty({ text = '—' }: { text?: string }) {
  return <span className="muted">{text}</span>;
}

function CustomValue({ field, value }: { field: CustomField; value: unknown }) {
  const text = formatValue(field, value);
  if (!text) return <Empty />;
  if (field.type === 'url' && typeof value === 'string') {
    return (
      <a href={value} target="_blank" rel="noopener noreferrer nofollow">
        {value}
      </a>
    );
  }
  if (field.type === 'email' && typeof value === 'string') return <a href={`mailto:${value}`}>{value}</a>;
  if (field.type === 'long_text') return <span className="pre-line">{text}</span>;
  return <>{text}</>;
}

function EditContact({
  agentId,
  loaded,
  stages,
  fields,
  members,
  onSaved,
  onCancel,
  reload,
}: {
  agentId: string;
  loaded: Loaded;
  stages: Stage[];
  fields: CustomField[];
  members: Member[] | null;
  onSaved: (loaded: Loaded) => void;
  onCancel: () => void;
  reload: () => void;
}) {
  // What the edit started from: the changes are made against it, with its ETag.
  const [base, setBase] = useState(loaded);
  const [values, setValues] = useState<ContactValues>(() => valuesOf(loaded.contact, fields));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<{ error: unknown; message: string } | null>(null);
  const [stale, setStale] = useState(false);
  const [pending, setPending] = useState(false);
  const similar = useSimilarContacts(agentId, values, { exclude: loaded.contact.id });
  // Only warn about details that changed: the contact's own name is "like" others by design.
  const before = valuesOf(base.contact, fields);
  const changedDetails = (['name', 'email', 'phone'] as const).some((k) => values[k].trim() !== before[k].trim());

  // After "Reload", start again from the latest version.
  if (loaded !== base && stale && loaded.etag !== base.etag) {
    setBase(loaded);
    setValues(valuesOf(loaded.contact, fields));
    setStale(false);
    setProblem(null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateContact(values, fields);
    setErrors(invalid);
    setProblem(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    const body = contactChanges(valuesOf(base.contact, fields), values, fields);
    if (Object.keys(body).length === 0) return onCancel();
    setPending(true);
    try {
      const { data, etag } = await unwrapWithEtag(
        api.PATCH('/agents/{agentId}/contacts/{contactId}', {
          params: { path: { agentId, contactId: base.contact.id }, header: { 'If-Match': base.etag } },
          body,
        }),
        versionEtag,
      );
      onSaved({ contact: data, etag });
    } catch (err) {
      const error = asApiError(err);
      if (error.status === 412) {
        setStale(true);
      } else {
        const problems = problemsFrom(err, contactFieldNames(fields));
        setErrors(problems.fields);
        if (problems.message) setProblem({ error: err, message: problems.message });
        focusFirstInvalid(form);
      }
      setPending(false);
    }
  }

  return (
    <form className="form general" onSubmit={submit} noValidate aria-label="Edit contact">
      <div className="general__head">
        <h2 className="general__title">Edit details</h2>
      </div>
      {stale && (
        <Alert>
          <p className="alert__title">This contact changed since you loaded it — reload</p>
          <p>
            Someone else saved changes to this contact after you opened it, so your edits were not saved. Reload to get the
            latest version, then make your changes again.
          </p>
          <button type="button" className="btn btn--small" onClick={reload}>
            Reload contact
          </button>
        </Alert>
      )}
      {problem && <SaveProblem agentId={agentId} error={problem.error} message={problem.message} />}
      <ContactFields
        agentId={agentId}
        values={values}
        onChange={setValues}
        errors={errors}
        stages={stages}
        fields={fields}
        members={members}
        current={{ primary: base.contact.primary_owner, secondary: base.contact.secondary_owner }}
        autoFocus
        disabled={stale}
      />
      {changedDetails && (
        <div aria-live="polite">
          <SimilarWarning agentId={agentId} state={similar} />
        </div>
      )}
      <div className="form__actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={pending || stale}>
          {pending ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
