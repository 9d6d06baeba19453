import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type AuditEntry, type Member } from '../api/client';
import { asApiError, type ApiError, type FieldErrors } from '../api/error';
import { useCapabilities } from '../session/SessionContext';
import { focusFirstInvalid, useDocumentTitle } from '../ui/dom';
import { SelectField, TextField } from '../ui/Field';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { CompassIcon } from '../ui/icons';
import { useResource } from '../ui/useResource';
import {
  auditExportHref,
  auditQuery,
  auditResources,
  auditSearch,
  filtersFromSearch,
  prettyJson,
  validateFilters,
  type AuditFilters,
} from './query';

const PAGE_SIZE = 50;

interface ListState {
  /** The filters this list answers (the page address's query). */
  key: string;
  entries: AuditEntry[];
  nextCursor?: string;
}

const loadMembers = () => unwrap(api.GET('/members')).then((page) => page.items);
const noMembers = () => Promise.resolve<Member[]>([]);

/** Who did what, newest first. Owners and admins see every entry; users only their own. */
export function AuditPage() {
  useDocumentTitle('Audit log');
  const caps = useCapabilities();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = filtersFromSearch(searchParams);
  const key = auditSearch(filters).toString();
  const [list, setList] = useState<ListState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const members = useResource(caps.readWholeAudit ? loadMembers : noMembers, caps.readWholeAudit ? 'members' : 'none');

  useEffect(() => {
    let current = true;
    setError(null);
    const query = auditQuery(filtersFromSearch(new URLSearchParams(key)), { limit: PAGE_SIZE });
    unwrap(api.GET('/audit', { params: { query } })).then(
      (page) => current && setList({ key, entries: page.items, nextCursor: page.next_cursor }),
      (err: unknown) => current && setError(asApiError(err)),
    );
    return () => {
      current = false;
    };
  }, [key]);

  // Entries of other filters are not shown while the new ones load.
  const shown = list?.key === key ? list : null;

  async function loadMore() {
    if (!shown?.nextCursor) return;
    setLoadingMore(true);
    try {
      const query = auditQuery(filters, { limit: PAGE_SIZE, cursor: shown.nextCursor });
      const page = await unwrap(api.GET('/audit', { params: { query } }));
      setList((l) =>
        l && l.key === shown.key ? { ...l, entries: [...l.entries, ...page.items], nextCursor: page.next_cursor } : l,
      );
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoadingMore(false);
    }
  }

  const apply = useCallback(
    (next: AuditFilters) => setSearchParams(auditSearch(next), { replace: false }),
    [setSearchParams],
  );

  return (
    <div className="audit">
      <div className="page__header">
        <div>
          <h1>Audit log</h1>
          <p className="muted">
            {caps.readWholeAudit
              ? 'Everything done in this workspace, newest first: who, what, and the values before and after.'
              : 'What you did in this workspace, newest first. Owners and admins see everyone’s actions.'}
          </p>
        </div>
        <a className="btn" href={auditExportHref(filters)} download>
          Export CSV
        </a>
      </div>
      <FiltersForm
        key={key}
        filters={filters}
        members={caps.readWholeAudit ? (members.status === 'ready' ? members.data : []) : null}
        onApply={apply}
      />
      {error && <Alert>{error.message}</Alert>}
      {!shown && !error && <Loading label="Loading the audit log…" />}
      {shown && shown.entries.length === 0 && (
        <EmptyState icon={<CompassIcon />} title={key ? 'No entries match these filters' : 'No entries yet'}>
          {key
            ? 'Try a wider date range or fewer filters.'
            : 'Entries appear here as people change things in this workspace.'}
        </EmptyState>
      )}
      {shown && shown.entries.length > 0 && (
        <div className="table-wrap card card--flush">
          <table className="table audit-table" aria-label="Audit entries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Resource</th>
                <th scope="col">Resource ID</th>
                <th scope="col">Outcome</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            {shown.entries.map((entry) => (
              <AuditRow key={entry.id} entry={entry} />
            ))}
          </table>
        </div>
      )}
      {shown?.nextCursor && (
        <div className="load-more">
          <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}

function FiltersForm({
  filters,
  members,
  onApply,
}: {
  filters: AuditFilters;
  /** null: the member filter is not offered (a user sees only their own entries). */
  members: Member[] | null;
  onApply: (filters: AuditFilters) => void;
}) {
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (field: keyof AuditFilters) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const invalid = validateFilters(draft);
    setErrors(invalid);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(e.currentTarget as HTMLFormElement);
    onApply(draft);
  }

  const memberOptions = [
    { value: '', label: 'Everyone' },
    ...(members ?? []).map((m) => ({ value: m.user_id, label: `${m.name} (${m.email})` })),
  ];
  // A member from the address who is no longer listed (removed, say) stays selectable.
  if (draft.actor_id && !memberOptions.some((o) => o.value === draft.actor_id)) {
    memberOptions.push({ value: draft.actor_id, label: 'Selected member' });
  }

  return (
    <form className="card filters" role="search" aria-label="Filter the audit log" onSubmit={submit} noValidate>
      {members && (
        <SelectField label="Member" name="actor_id" value={draft.actor_id} onChange={set('actor_id')} options={memberOptions} />
      )}
      <TextField label="Action" name="action" value={draft.action} onChange={set('action')} placeholder="e.g. create" />
      <SelectField
        label="Resource"
        name="resource"
        value={draft.resource}
        onChange={set('resource')}
        options={[{ value: '', label: 'All resources' }, ...auditResources.map((r) => ({ value: r, label: r }))]}
      />
      <TextField label="From" name="from" type="date" value={draft.from} onChange={set('from')} error={errors.from} />
      <TextField label="To" name="to" type="date" value={draft.to} onChange={set('to')} error={errors.to} />
      <div className="filters__actions">
        <button type="submit" className="btn btn--primary">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          onClick={() => onApply({ actor_id: '', action: '', resource: '', from: '', to: '' })}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

const outcomeLabels: Record<AuditEntry['outcome'], string> = { success: 'Success', denied: 'Denied', failure: 'Failure' };

function AuditRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  return (
    <tbody className={`audit-entry${open ? ' audit-entry--open' : ''}`}>
      <tr>
        <td className="nowrap">
          <time dateTime={entry.created_at}>{formatDateTime(entry.created_at)}</time>
        </td>
        <td>
          {entry.actor ? (
            <>
              <div className="table__strong">{entry.actor.name}</div>
              <div className="muted small table__wrap">{entry.actor.email}</div>
            </>
          ) : (
            <span className="muted">System</span>
          )}
        </td>
        <td>
          <code>{entry.action}</code>
        </td>
        <td>{entry.resource}</td>
        <td>
          {entry.resource_id ? (
            <code className="truncate" title={entry.resource_id}>
              {entry.resource_id}
            </code>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td>
          <span className={`badge badge--outcome-${entry.outcome}`}>{outcomeLabels[entry.outcome] ?? entry.outcome}</span>
        </td>
        <td className="table__actions">
          <button
            type="button"
            className="btn btn--small btn--ghost"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Hide details' : 'Details'}
          </button>
        </td>
      </tr>
      <tr id={detailsId} className="audit-entry__details" hidden={!open}>
        <td colSpan={7}>
          {open && <EntryDetails entry={entry} />}
        </td>
      </tr>
    </tbody>
  );
}

function EntryDetails({ entry }: { entry: AuditEntry }) {
  const before = prettyJson(entry.before);
  const after = prettyJson(entry.after);
  return (
    <div className="audit-details">
      <div className="diff">
        <section className="diff__side" aria-label="Before">
          <h3>Before</h3>
          {before === null ? <p className="muted small">None recorded.</p> : <pre>{before}</pre>}
        </section>
        <section className="diff__side" aria-label="After">
          <h3>After</h3>
          {after === null ? <p className="muted small">None recorded.</p> : <pre>{after}</pre>}
        </section>
      </div>
      <p className="muted small">
        {entry.ip && <>IP {entry.ip} · </>}
        {entry.request_id && (
          <>
            Request <code>{entry.request_id}</code> ·{' '}
          </>
        )}
        Entry <code>{entry.id}</code>
      </p>
    </div>
  );
}
