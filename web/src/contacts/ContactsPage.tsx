import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap, type Contact, type ContactSort, type CustomField, type Member, type SavedView } from '../api/client';
import { asApiError, type ApiError } from '../api/error';
import { contactFields, customOf, formatValue } from '../fields/values';
import { useCapabilities } from '../session/SessionContext';
import { useDocumentTitle } from '../ui/dom';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { PeopleIcon } from '../ui/icons';
import { useDebounced } from '../ui/useDebounced';
import { useToast } from '../ui/Toast';
import { useResource } from '../ui/useResource';
import { AddContactDialog } from './AddContactDialog';
import { BulkBar } from './BulkBar';
import { bulkDoneMessage, pageSelection, selectedIn, toggleOne, togglePage } from './bulk';
import { ExportButton } from '../imports/ExportButton';
import { loadColumns, saveColumns, toggleColumn, visibleColumns } from './columns';
import { contactPath, loadFields, loadMembers, loadStages, none } from './data';
import { ownerCandidates } from './form';
import { displayName, initialsOf, sourceOptions, statusLabel } from './labels';
import {
  contactQuery,
  contactSearch,
  customValue,
  filtersFromSearch,
  isFiltered,
  sortOptions,
  withCustom,
  type ContactFilters,
} from './query';
import { SavedViews } from './SavedViews';
import { columnsOfView, filtersOfView, listSearch, viewIdFromSearch } from './views';

const PAGE_SIZE = 50;

interface ListState {
  /** The filters this list answers (the page address's query). */
  key: string;
  contacts: Contact[];
  nextCursor?: string;
}

/** An agent's contacts: searched, filtered, a page at a time. */
export function ContactsPage() {
  const { agent } = useAgent();
  useDocumentTitle(`Contacts · ${agent.name}`);
  const caps = useCapabilities();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = filtersFromSearch(searchParams);
  const key = contactSearch(filters).toString();
  const viewId = viewIdFromSearch(searchParams);
  const [list, setList] = useState<ListState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<Contact | null>(null);
  const [columns, setColumns] = useState<string[]>(() => loadColumns(agent.id));
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const toast = useToast();

  const stages = useResource(useCallback(() => loadStages(agent.id), [agent.id]), agent.id);
  const fields = useResource(useCallback(() => loadFields(agent.id), [agent.id]), agent.id);
  const members = useResource(caps.manageContacts ? loadMembers : none<Member>, caps.manageContacts ? 'members' : 'none');

  useEffect(() => {
    let current = true;
    setError(null);
    const query = contactQuery(filtersFromSearch(new URLSearchParams(key)), { limit: PAGE_SIZE });
    unwrap(api.GET('/agents/{agentId}/contacts', { params: { path: { agentId: agent.id }, query } })).then(
      (page) => current && setList({ key, contacts: page.items, nextCursor: page.next_cursor }),
      (err: unknown) => current && setError(asApiError(err)),
    );
    return () => {
      current = false;
    };
  }, [agent.id, key, generation]);

  // Contacts of other filters are not shown while the new ones load.
  const shown = list?.key === key ? list : null;

  // Another search or filter starts a new selection.
  const [selectedKey, setSelectedKey] = useState(key);
  if (selectedKey !== key) {
    setSelectedKey(key);
    setSelected(new Set());
  }

  function bulkDone(done: number) {
    toast(bulkDoneMessage(done));
    setSelected(new Set());
    setAdded(null);
    setGeneration((g) => g + 1);
  }

  async function loadMore() {
    if (!shown?.nextCursor) return;
    setLoadingMore(true);
    try {
      const query = contactQuery(filters, { limit: PAGE_SIZE, cursor: shown.nextCursor });
      const page = await unwrap(api.GET('/agents/{agentId}/contacts', { params: { path: { agentId: agent.id }, query } }));
      setList((l) =>
        l && l.key === shown.key ? { ...l, contacts: [...l.contacts, ...page.items], nextCursor: page.next_cursor } : l,
      );
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoadingMore(false);
    }
  }

  // Changing a filter keeps the chosen view (which then shows as edited, ready to be updated).
  const apply = useCallback(
    (next: ContactFilters) => setSearchParams((prev) => listSearch(next, viewIdFromSearch(prev)), { replace: true }),
    [setSearchParams],
  );

  const clear = useCallback(() => {
    setSearchParams(new URLSearchParams(), { replace: true });
  }, [setSearchParams]);

  /** Applies a saved view's filters and columns; null: all contacts, no view. */
  function chooseView(view: SavedView | null) {
    if (!view) return clear();
    setSearchParams(listSearch(filtersOfView(view.query), view.id), { replace: true });
    const viewColumns = columnsOfView(view.query);
    if (viewColumns) {
      setColumns(viewColumns);
      saveColumns(agent.id, viewColumns);
    }
  }

  const markView = useCallback(
    (id: string) => setSearchParams((prev) => listSearch(filtersFromSearch(prev), id), { replace: true }),
    [setSearchParams],
  );

  function chooseColumn(fieldKey: string, on: boolean) {
    const next = toggleColumn(columns, fieldKey, on);
    setColumns(next);
    saveColumns(agent.id, next);
  }

  function created(contact: Contact) {
    setAdding(false);
    setAdded(contact);
    setGeneration((g) => g + 1);
  }

  const allFields = contactFields(fields.status === 'ready' ? fields.data : []);
  const extra = visibleColumns(allFields, columns);
  const filtered = isFiltered(filters);
  const stageList = stages.status === 'ready' ? stages.data : [];
  const ownerOptions =
    caps.manageContacts && members.status === 'ready'
      ? ownerCandidates(members.data, agent.id).map((m) => ({ value: m.user_id, label: m.name }))
      : null;
  const pageIds = shown?.contacts.map((c) => c.id) ?? [];
  const chosen = selectedIn(selected, pageIds);

  return (
    <div className="contacts">
      <div className="section-header">
        <div>
          <h2 className="section-header__title">Contacts</h2>
          <p className="muted small">The people {agent.name} talks to.</p>
        </div>
        <div className="section-header__actions">
          <ExportButton agentId={agent.id} filters={filters} columns={extra.map((f) => f.key)} />
          {caps.manageContacts && (
            <button type="button" className="btn btn--primary" onClick={() => setAdding(true)} disabled={stages.status !== 'ready'}>
              <span aria-hidden="true">+</span> Add contact
            </button>
          )}
        </div>
      </div>
      <SavedViews
        key={agent.id}
        agentId={agent.id}
        activeId={viewId}
        filters={filters}
        columns={columns}
        onChoose={chooseView}
        onActive={markView}
      />
      <Toolbar
        key={agent.id}
        filters={filters}
        onApply={apply}
        onClear={clear}
        stages={stageList.map((s) => ({ value: s.id, label: s.name }))}
        owners={ownerOptions}
        fields={allFields.filter((f) => !f.archived_at)}
        columns={columns}
        onColumn={chooseColumn}
      />
      {added && (
        <Alert tone="info">
          <Link to={contactPath(agent.id, added.id)}>{displayName(added)}</Link> added.
        </Alert>
      )}
      {error && <Alert>{error.message}</Alert>}
      {caps.bulkContacts && chosen.length > 0 && (
        <BulkBar
          agentId={agent.id}
          ids={chosen}
          viewing={filters.status}
          stages={stageList.map((s) => ({ value: s.id, label: s.name }))}
          owners={ownerOptions}
          onDone={bulkDone}
          onClear={() => setSelected(new Set())}
        />
      )}
      {!shown && !error && <Loading label="Loading contacts…" />}
      {shown && shown.contacts.length === 0 && !filtered && <NoContacts agentId={agent.id} agentName={agent.name} canAdd={caps.manageContacts} />}
      {shown && shown.contacts.length === 0 && filtered && (
        <EmptyState icon={<PeopleIcon />} title="No contacts match">
          <p>Try another search, or fewer filters.</p>
        </EmptyState>
      )}
      {shown && shown.contacts.length > 0 && (
        <ContactsTable
          contacts={shown.contacts}
          extra={extra}
          highlight={added?.id}
          onOpen={(contact) => navigate(contactPath(agent.id, contact.id))}
          agentId={agent.id}
          sort={filters.q.trim() ? null : filters.sort || '-created_at'}
          onSort={(sort) => apply({ ...filters, sort: sort === '-created_at' ? '' : sort })}
          selection={
            caps.bulkContacts
              ? {
                  selected,
                  onOne: (id, on) => setSelected((s) => toggleOne(s, id, on)),
                  onPage: (on) => setSelected((s) => togglePage(s, pageIds, on)),
                }
              : null
          }
        />
      )}
      {shown?.nextCursor && (
        <div className="load-more">
          <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
      {adding && stages.status === 'ready' && (
        <AddContactDialog
          agentId={agent.id}
          stages={stages.data}
          fields={allFields}
          members={caps.manageContacts && members.status === 'ready' ? members.data : null}
          onCreated={created}
          onClose={() => setAdding(false)}
        />
      )}
    </div>
  );
}

// An honest empty state: it names the ways contacts arrive, the one still to come, and leads to
// the import. Only owners and admins import (canAdd is their manageContacts): the others are told who does.
function NoContacts({ agentId, agentName, canAdd }: { agentId: string; agentName: string; canAdd: boolean }) {
  return (
    <EmptyState
      icon={<PeopleIcon />}
      title="No contacts yet"
      action={
        canAdd && (
          <Link to={`/agents/${agentId}/imports`} className="btn">
            Import contacts from a CSV file
          </Link>
        )
      }
    >
      <p>
        The people {agentName} talks to become its contacts: the agent captures them in chat when a visitor shares an email
        or phone (try it in the <Link to={`/agents/${agentId}/demo-chat`}>demo chat</Link>). Form submissions (the form
        builder is coming in a later release), CSV imports and the API add contacts too.
      </p>
      <p className="muted small">
        {canAdd
          ? 'Have a list already? Import it from a CSV file, or add contacts one at a time with “Add contact”.'
          : 'Owners and admins can import contacts from a CSV file.'}
      </p>
    </EmptyState>
  );
}

type Option = { value: string; label: string };

function Toolbar({
  filters,
  onApply,
  onClear,
  stages,
  owners,
  fields,
  columns,
  onColumn,
}: {
  filters: ContactFilters;
  onApply: (filters: ContactFilters) => void;
  /** No filters and no saved view. */
  onClear: () => void;
  stages: Option[];
  /** null: the owner filter is not offered (users cannot list members). */
  owners: Option[] | null;
  fields: CustomField[];
  columns: string[];
  onColumn: (key: string, on: boolean) => void;
}) {
  const [q, setQ] = useState(filters.q);
  const settled = useDebounced(q, 300);
  // The search this box last sent; another one in the address came from outside (a saved view, back).
  const sent = useRef(filters.q);
  const [seen, setSeen] = useState(filters.q);
  if (filters.q !== seen) {
    setSeen(filters.q);
    if (filters.q.trim() !== sent.current.trim()) {
      sent.current = filters.q;
      setQ(filters.q);
    }
  }
  const send = (next: ContactFilters) => {
    sent.current = next.q;
    onApply(next);
  };

  // Search as the typing pauses; the other filters apply at once.
  useEffect(() => {
    if (settled.trim() !== filters.q.trim()) send({ ...filters, q: settled });
    // Only a new search applies: the other filters apply themselves as they change.
  }, [settled]);

  const set = (field: 'stage_id' | 'owner_id' | 'source' | 'status' | 'created_from' | 'created_to' | 'sort') => (value: string) =>
    send({ ...filters, q, [field]: value });
  const searching = filters.q.trim() !== '';
  const filtered = isFiltered({ ...filters, q });

  return (
    <div className="toolbar card" role="search" aria-label="Find contacts">
      <div className="toolbar__search">
        <label htmlFor="contact-search" className="visually-hidden">
          Search contacts
        </label>
        <svg className="toolbar__search-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <circle cx="11" cy="11" r="6.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="m16 16 4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <input
          id="contact-search"
          type="search"
          placeholder="Search name, email or phone"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          autoComplete="off"
        />
      </div>
      <div className="toolbar__filters">
        <FilterSelect
          label="Stage"
          value={filters.stage_id}
          onChange={set('stage_id')}
          options={[{ value: '', label: 'All stages' }, ...stages]}
        />
        {owners && (
          <FilterSelect
            label="Owner"
            value={filters.owner_id}
            onChange={set('owner_id')}
            options={[{ value: '', label: 'Any owner' }, ...owners]}
          />
        )}
        <FilterSelect
          label="Source"
          value={filters.source}
          onChange={set('source')}
          options={[{ value: '', label: 'All sources' }, ...sourceOptions]}
        />
        <FilterSelect
          label="Status"
          value={filters.status}
          onChange={set('status')}
          options={[
            { value: 'active', label: 'Active' },
            { value: 'archived', label: 'Archived' },
          ]}
        />
        <label className="filter">
          <span className="filter__label">Created from</span>
          <input
            type="date"
            value={filters.created_from}
            max={filters.created_to || undefined}
            onChange={(e) => set('created_from')(e.target.value)}
            className={filters.created_from ? 'filter--set' : undefined}
          />
        </label>
        <label className="filter">
          <span className="filter__label">Created to</span>
          <input
            type="date"
            value={filters.created_to}
            min={filters.created_from || undefined}
            onChange={(e) => set('created_to')(e.target.value)}
            className={filters.created_to ? 'filter--set' : undefined}
          />
        </label>
        <FilterSelect
          label="Sort"
          value={searching ? '-created_at' : filters.sort || '-created_at'}
          onChange={(v) => set('sort')(v === '-created_at' ? '' : v)}
          options={sortOptions}
          disabled={searching}
          title={searching ? 'Search results come newest first' : undefined}
        />
        {fields.length > 0 && (
          <FieldFilters fields={fields} filters={filters} onChange={(param, value) => send(withCustom({ ...filters, q }, param, value))} />
        )}
        {fields.length > 0 && <ColumnPicker fields={fields} columns={columns} onColumn={onColumn} />}
        {filtered && (
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => {
              setQ('');
              sent.current = '';
              onClear();
            }}
          >
            Clear
          </button>
        )}
      </div>
    </div>
  );
}

function FilterSelect({
  label,
  value,
  onChange,
  options,
  disabled,
  title,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: Option[];
  disabled?: boolean;
  title?: string;
}) {
  return (
    <label className="filter" title={title}>
      <span className="filter__label">{label}</span>
      <select
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        className={value && value !== 'active' && value !== '-created_at' ? 'filter--set' : undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The custom-field filters: one control per field, by type (the API's cf.<key> parameters). */
function FieldFilters({
  fields,
  filters,
  onChange,
}: {
  fields: CustomField[];
  filters: ContactFilters;
  onChange: (param: string, value: string) => void;
}) {
  const set = filters.custom.length;
  return (
    <details className="menu">
      <summary className={`btn btn--small${set ? ' filter--set' : ''}`}>Field filters{set ? ` (${set})` : ''}</summary>
      <fieldset className="menu__panel field-filters">
        <legend className="menu__title">Filter by custom fields</legend>
        {fields.map((f) => (
          <FieldFilter key={f.id} field={f} filters={filters} onChange={onChange} />
        ))}
      </fieldset>
    </details>
  );
}

function FieldFilter({
  field,
  filters,
  onChange,
}: {
  field: CustomField;
  filters: ContactFilters;
  onChange: (param: string, value: string) => void;
}) {
  const param = `cf.${field.key}`;
  // Text boxes apply when the typing is done (on change of focus or Enter), not on each key.
  const text = (p: string, label: string, type: 'text' | 'number' | 'date') => (
    <label className="filter">
      <span className="filter__label">{label}</span>
      <input
        key={customValue(filters, p)}
        type={type}
        defaultValue={customValue(filters, p)}
        onBlur={(e) => e.target.value !== customValue(filters, p) && onChange(p, e.target.value)}
        onKeyDown={(e) => e.key === 'Enter' && onChange(p, e.currentTarget.value)}
        onChange={(e) => type === 'date' && onChange(p, e.target.value)}
      />
    </label>
  );
  switch (field.type) {
    case 'number':
      return (
        <div className="field-filter" role="group" aria-label={field.label}>
          {text(`${param}.min`, `${field.label} at least`, 'number')}
          {text(`${param}.max`, `${field.label} at most`, 'number')}
        </div>
      );
    case 'date':
    case 'datetime':
      return (
        <div className="field-filter" role="group" aria-label={field.label}>
          {text(`${param}.from`, `${field.label} from`, 'date')}
          {text(`${param}.to`, `${field.label} to`, 'date')}
        </div>
      );
    case 'checkbox':
      return (
        <FilterSelect
          label={field.label}
          value={customValue(filters, param)}
          onChange={(v) => onChange(param, v)}
          options={[
            { value: '', label: 'Any' },
            { value: 'true', label: 'Checked' },
            { value: 'false', label: 'Not checked' },
          ]}
        />
      );
    case 'single_select':
    case 'multi_select':
      return (
        <FilterSelect
          label={field.label}
          value={customValue(filters, param)}
          onChange={(v) => onChange(param, v)}
          options={[{ value: '', label: 'Any' }, ...(field.options ?? []).map((o) => ({ value: o.id, label: o.label }))]}
        />
      );
    default:
      return text(param, `${field.label} contains`, 'text');
  }
}

function ColumnPicker({
  fields,
  columns,
  onColumn,
}: {
  fields: CustomField[];
  columns: string[];
  onColumn: (key: string, on: boolean) => void;
}) {
  const chosen = new Set(columns);
  return (
    <details className="menu">
      <summary className="btn btn--small">Columns</summary>
      <fieldset className="menu__panel">
        <legend className="menu__title">Custom field columns</legend>
        {fields.map((f) => (
          <label key={f.id} className="choice">
            <input type="checkbox" checked={chosen.has(f.key)} onChange={(e) => onColumn(f.key, e.target.checked)} />
            <span>{f.label}</span>
          </label>
        ))}
      </fieldset>
    </details>
  );
}

interface Selection {
  selected: ReadonlySet<string>;
  onOne: (id: string, on: boolean) => void;
  onPage: (on: boolean) => void;
}

function ContactsTable({
  agentId,
  contacts,
  extra,
  highlight,
  onOpen,
  selection,
  sort,
  onSort,
}: {
  agentId: string;
  /** The list's order; null: fixed (a search is ranked newest first). */
  sort: ContactSort | null;
  onSort: (sort: ContactSort) => void;
  contacts: Contact[];
  extra: CustomField[];
  highlight?: string;
  onOpen: (contact: Contact) => void;
  /** null: no checkboxes (the role cannot act on several contacts at once). */
  selection: Selection | null;
}) {
  const all = selection ? pageSelection(selection.selected, contacts.map((c) => c.id)) : 'none';
  const allBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (allBox.current) allBox.current.indeterminate = all === 'some';
  }, [all]);

  // A click anywhere on a row opens the contact; links and buttons in it keep their own meaning.
  function rowClick(e: MouseEvent, contact: Contact) {
    if ((e.target as HTMLElement).closest('a, button, input, select, .table__check')) return;
    if (window.getSelection()?.toString()) return; // selecting text to copy it
    onOpen(contact);
  }

  return (
    <div className="table-wrap card card--flush">
      <table className="table contacts-table" aria-label="Contacts">
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="table__check">
                <input
                  ref={allBox}
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={all === 'all'}
                  onChange={(e) => selection.onPage(e.target.checked)}
                />
              </th>
            )}
            <SortHeader label="Name" by="name" sort={sort} onSort={onSort} />
            <th scope="col">Email</th>
            <th scope="col">Phone</th>
            <SortHeader label="Stage" by="stage" sort={sort} onSort={onSort} />
            <th scope="col">Owner</th>
            <th scope="col">Source</th>
            <th scope="col">Status</th>
            {extra.map((f) => (
              <th key={f.id} scope="col">
                {f.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {contacts.map((c) => (
            <tr
              key={c.id}
              className={`contacts-table__row${c.id === highlight ? ' contacts-table__row--new' : ''}${
                selection?.selected.has(c.id) ? ' contacts-table__row--selected' : ''
              }`}
              onClick={(e) => rowClick(e, c)}
            >
              {selection && (
                <td className="table__check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${displayName(c)}`}
                    checked={selection.selected.has(c.id)}
                    onChange={(e) => selection.onOne(c.id, e.target.checked)}
                  />
                </td>
              )}
              <td className="contacts-table__name">
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initialsOf(displayName(c))}
                </span>
                <Link to={contactPath(agentId, c.id)} className="table__strong">
                  {displayName(c)}
                </Link>
              </td>
              <td data-label="Email" className="table__wrap">
                {c.email ?? <span className="muted">—</span>}
              </td>
              <td data-label="Phone" className="nowrap">
                {c.phone ?? <span className="muted">—</span>}
              </td>
              <td data-label="Stage">
                {c.stage ? <span className="badge badge--stage">{c.stage.name}</span> : <span className="muted">—</span>}
              </td>
              <td data-label="Owner">
                {c.primary_owner ? (
                  <>
                    {c.primary_owner.name}
                    {c.secondary_owner && <span className="muted small"> + {c.secondary_owner.name}</span>}
                  </>
                ) : (
                  <span className="muted">Unassigned</span>
                )}
              </td>
              <td data-label="Source" className="nowrap muted">
                {c.source_label}
              </td>
              <td data-label="Status">
                <span className={`badge badge--status-${c.status}`}>{statusLabel(c.status)}</span>
              </td>
              {extra.map((f) => {
                const value = formatValue(f, customOf(c)[f.key]);
                return (
                  <td key={f.id} data-label={f.label} className="table__wrap">
                    {value || <span className="muted">—</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A column header that sorts the list by its column: ascending first, again for descending. */
function SortHeader({
  label,
  by,
  sort,
  onSort,
}: {
  label: string;
  by: 'name' | 'stage';
  sort: ContactSort | null;
  onSort: (sort: ContactSort) => void;
}) {
  if (sort === null) return <th scope="col">{label}</th>;
  const direction = sort === by ? 'ascending' : sort === `-${by}` ? 'descending' : 'none';
  return (
    <th scope="col" aria-sort={direction}>
      <button
        type="button"
        className="table__sort"
        onClick={() => onSort(direction === 'ascending' ? `-${by}` : by)}
        title={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        <span aria-hidden="true" className="table__sort-mark">
          {direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}
        </span>
      </button>
    </th>
  );
}
