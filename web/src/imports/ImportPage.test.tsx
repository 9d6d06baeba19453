import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { stages } from '../test/crm';
import { agent, apiError, fakeApi, json, session } from '../test/fakeApi';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const base = `/agents/${agent.id}`;
const importId = '0190a1b2-0000-7000-8000-0000000000c1';

function importOf(extra: Record<string, unknown> = {}) {
  return {
    id: importId,
    agent_id: agent.id,
    file_name: 'people.csv',
    size_bytes: 3 << 20,
    checksum: 'a'.repeat(64),
    encoding: 'utf-8',
    delimiter: ',',
    has_header: true,
    headers: ['First', 'Last', 'Mail', 'Notes', 'Stage', 'Owner', 'Id', 'Plan', 'Seats'],
    mode: 'create_and_update',
    mapping: ['first_name', 'last_name', 'email', 'ignore', 'stage', 'owner', 'external_id', 'custom:plan', 'custom:seats'],
    status: 'uploaded',
    cancel_requested: false,
    progress: { rows_done: 0, total: 2, created: 0, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null },
    error: null,
    undo_kept: [],
    file_erased_at: null,
    earlier_import: null,
    created_by: session.user.id,
    created_at: '2025-01-05T10:00:00Z',
    started_at: null,
    finished_at: null,
    undone_at: null,
    ...extra,
  };
}

function field(key: string, label: string, type: string, options: { id: string; label: string; retired: boolean }[] = []) {
  return {
    id: `f-${key}`,
    agent_id: agent.id,
    key,
    label,
    type,
    help_text: '',
    required: false,
    unique: false,
    default_value: null,
    options,
    position: 0,
    ai_policy: 'off',
    ai_hint: '',
    archived_at: null,
    created_at: '2025-01-01T10:00:00Z',
    updated_at: '2025-01-01T10:00:00Z',
    version: 1,
  };
}

const fields = [
  field('plan', 'Plan', 'single_select', [{ id: 'opt-pro', label: 'Pro', retired: false }]),
  field('seats', 'Seats', 'number'),
  field('unmapped', 'Never mapped', 'text'),
];
const members = [{ user_id: session.user.id, name: 'Ada Lovelace', email: 'ada@example.com', role: 'owner', since: '2025-01-01T10:00:00Z', agent_ids: [] }];

const previewRows = [
  {
    row: 1,
    name: 'Grace Hopper',
    email: 'grace@example.com',
    phone: null,
    external_id: 'crm-17',
    stage_id: stages[1]!.id,
    owner_id: session.user.id,
    custom: { plan: 'opt-pro', seats: 1200 },
    outcome: 'create',
    reason: null,
    match_id: null,
  },
  {
    row: 2,
    name: 'Broken Row',
    email: null,
    phone: null,
    external_id: null,
    stage_id: null,
    owner_id: null,
    custom: {},
    outcome: 'reject',
    reason: 'invalid email "nope"',
    match_id: null,
  },
];

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

function importApi(imp: ReturnType<typeof importOf>, extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /me': () => json(200, session),
    [`GET ${base}`]: () => json(200, agent),
    [`GET ${base}/fields`]: () => json(200, { items: fields }),
    [`GET ${base}/stages`]: () => json(200, { items: stages }),
    'GET /members': () => json(200, { items: members }),
    [`GET ${base}/imports/${importId}`]: () => json(200, imp),
    [`PUT ${base}/imports/${importId}/mapping`]: (_req, body) => json(200, { ...imp, ...(body as object) }),
    [`POST ${base}/imports/${importId}/preview`]: () =>
      json(200, { rows: previewRows, create: 1, update: 0, skip: 0, reject: 1, reasons: [{ outcome: 'reject', reason: 'invalid email "nope"', rows: 1 }] }),
    ...extra,
  });
}

describe('Import wizard', () => {
  it('previews every mapped column, and only those, as a person reads them', async () => {
    importApi(importOf());
    renderAt(`${base}/imports/${importId}`);
    await screen.findByRole('heading', { name: 'people.csv' });
    await userEvent.click(await screen.findByRole('button', { name: 'Preview' }));
    const table = await screen.findByRole('table', { name: 'First rows' });

    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    // First and last name make one Name column; the ignored Notes column and the unmapped
    // custom field get none; the order is the file's.
    expect(headers).toEqual(['Row', 'Name', 'Email', 'Stage', 'Owner', 'External id', 'Plan', 'Seats', 'Outcome']);

    const [, grace, broken] = within(table).getAllByRole('row');
    const cells = within(grace!)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    // Stage and owner by name (the API answers ids), the select option by label, the number formatted.
    expect(cells).toEqual(['Grace Hopper', 'grace@example.com', 'Customer', 'Ada Lovelace', 'crm-17', 'Pro', (1200).toLocaleString(), 'create ']);
    expect(within(broken!).getByRole('rowheader').textContent).toBe('2');
    expect(within(broken!).getByText(/invalid email "nope"/)).toBeTruthy();

    // The table may be wider than a phone: it scrolls sideways in a region a keyboard can reach.
    const region = screen.getByRole('region', { name: 'First rows as mapped' });
    expect(region.className).toContain('table-wrap');
    expect(region.getAttribute('tabindex')).toBe('0');
  });

  it('lets the member say whether the first row names the columns, and maps the columns anew', async () => {
    const guessed = importOf({ headers: ['Ada Lovelace', '+14155550100'], mapping: ['name', 'ignore'], progress: { ...importOf().progress, total: 1 } });
    const { calls } = importApi(guessed, {
      [`PUT ${base}/imports/${importId}/mapping`]: (_req, body) =>
        json(200, {
          ...guessed,
          has_header: (body as { has_header: boolean }).has_header,
          headers: ['Column 1', 'Column 2'],
          mapping: ['ignore', 'ignore'],
          progress: { ...guessed.progress, total: 2 },
        }),
    });
    renderAt(`${base}/imports/${importId}`);
    const header = await screen.findByRole('checkbox', { name: 'The first row names the columns' });
    expect((header as HTMLInputElement).checked).toBe(true);
    expect(screen.getByLabelText('Import Ada Lovelace as')).toBeTruthy();

    await userEvent.click(header);
    await screen.findByLabelText('Import Column 1 as');
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ mode: 'create_and_update', has_header: false }]);
    // The step starts over with the new columns and their suggestion; the count follows.
    expect((screen.getByLabelText('Import Column 1 as') as HTMLSelectElement).value).toBe('ignore');
    expect((screen.getByRole('checkbox', { name: 'The first row names the columns' }) as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(/2 rows/)).toBeTruthy();
  });

  it('leaves out what is not mapped, and reads no stages or members it does not need', async () => {
    const { calls } = importApi(importOf({ headers: ['Mail', 'Tel', 'Other'], mapping: ['email', 'phone', 'ignore'] }));
    renderAt(`${base}/imports/${importId}`);
    await userEvent.click(await screen.findByRole('button', { name: 'Preview' }));
    const table = await screen.findByRole('table', { name: 'First rows' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Row', 'Email', 'Phone', 'Outcome']);
    expect(calls.some((c) => c.path === '/members' || c.path.endsWith('/stages'))).toBe(false);
  });

  it('shows the progress as a bar with its value, and rows done of total', async () => {
    importApi(importOf({ status: 'running', progress: { rows_done: 1500, total: 20000, created: 1500, updated: 0, skipped: 0, rejected: 0, rows_per_second: 5000, seconds_left: 3.7 } }));
    renderAt(`${base}/imports/${importId}`);
    const bar = await screen.findByRole('progressbar', { name: 'Import progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('7');
    expect(bar.getAttribute('aria-valuetext')).toBe('1,500 of 20,000 rows');
    expect(screen.getByText(/1,500 of 20,000 rows \(7%\)/)).toBeTruthy();
  });

  it('heads the run step with its status, and says no time left once the rows stop moving', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const progress = { rows_done: 0, total: 20000, created: 0, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null };
    let current = importOf({ status: 'queued', progress });
    importApi(current, { [`GET ${base}/imports/${importId}`]: () => json(200, current) });
    renderAt(`${base}/imports/${importId}`);
    expect(await screen.findByRole('heading', { name: 'Queued' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Importing' })).toBeNull();

    current = importOf({ status: 'running', progress: { ...progress, rows_done: 1500, created: 1500, rows_per_second: 500, seconds_left: 37 } });
    expect(await screen.findByRole('heading', { name: 'Importing' })).toBeTruthy();
    expect(await screen.findByText(/1,500 of 20,000 rows \(7%\) · 500 rows\/s · 37 s left/)).toBeTruthy();
    // The page keeps asking, the rows stay where they are: after 10 s the estimate is stale and goes.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_500);
    });
    await waitFor(() => expect(screen.queryByText(/ left/)).toBeNull());
    expect(screen.getByText(/1,500 of 20,000 rows \(7%\)/)).toBeTruthy();
    // Rows move again: so does the estimate.
    current = importOf({ status: 'running', progress: { ...progress, rows_done: 2000, created: 2000, rows_per_second: 500, seconds_left: 36 } });
    expect(await screen.findByText(/2,000 of 20,000 rows \(10%\) · 500 rows\/s · 36 s left/)).toBeTruthy();
  });

  it('asks before stopping a run, says what stays, and sends nothing until confirmed', async () => {
    const running = importOf({
      status: 'running',
      progress: { rows_done: 1500, total: 20000, created: 1500, updated: 0, skipped: 0, rejected: 0, rows_per_second: 500, seconds_left: 37 },
    });
    let current = running;
    const { calls } = importApi(running, {
      [`GET ${base}/imports/${importId}`]: () => json(200, current),
      [`POST ${base}/imports/${importId}/cancel`]: () => {
        current = { ...running, cancel_requested: true };
        return json(202, current);
      },
    });
    const cancels = () => calls.filter((c) => c.method === 'POST' && c.path.endsWith('/cancel'));
    renderAt(`${base}/imports/${importId}`);

    // Dismissed: nothing is sent, the run goes on.
    await userEvent.click(await screen.findByRole('button', { name: 'Stop import' }));
    let dialog = await screen.findByRole('dialog', { name: 'Stop this import?' });
    expect(dialog.textContent).toContain('The rows already written stay (1,500 of 20,000 rows done so far), and Undo import can remove them afterwards.');
    expect(dialog.textContent).toContain('The chunk of rows being written when the stop arrives is rolled back');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(cancels()).toEqual([]);

    // Confirmed: one cancel request, and the button says the run is stopping.
    await userEvent.click(screen.getByRole('button', { name: 'Stop import' }));
    dialog = await screen.findByRole('dialog', { name: 'Stop this import?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Stop import' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(cancels()).toHaveLength(1);
    const stopping = screen.getByRole('button', { name: 'Stopping: the rows in flight are rolled back…' }) as HTMLButtonElement;
    expect(stopping.disabled).toBe(true);
  });

  it('says a queued import that is stopped changes nothing', async () => {
    importApi(importOf({ status: 'queued' }));
    renderAt(`${base}/imports/${importId}`);
    await userEvent.click(await screen.findByRole('button', { name: 'Stop import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Stop this import?' });
    expect(dialog.textContent).toContain('It has not started yet: no contact is created or changed.');
  });

  it('offers no undo when the import created and updated nothing, and says why', async () => {
    const nothing = { rows_done: 0, total: 150001, created: 0, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null };
    importApi(importOf({ status: 'cancelled', progress: nothing }));
    const { unmount } = renderAt(`${base}/imports/${importId}`);
    expect(await screen.findByRole('heading', { name: 'Cancelled' })).toBeTruthy();
    expect(screen.getByText('The import was cancelled before it created or updated any contact: nothing changed.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Undo import' })).toBeNull();
    unmount();

    // Every row rejected: the error report, and no undo.
    importApi(importOf({ status: 'finished', progress: { ...nothing, rows_done: 44, total: 44, rejected: 44 } }));
    renderAt(`${base}/imports/${importId}`);
    expect(await screen.findByRole('heading', { name: 'Finished' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Download error report' })).toBeTruthy();
    expect(screen.getByText(/created and updated no contacts: nothing changed, and there is nothing to undo/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Undo import' })).toBeNull();
  });

  it('says after a cancel that the rows written before it were kept, and that undo removes them', async () => {
    importApi(
      importOf({
        status: 'cancelled',
        progress: { rows_done: 1500, total: 150001, created: 1500, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null },
      }),
    );
    renderAt(`${base}/imports/${importId}`);
    expect(
      await screen.findByText('The import was cancelled. The rows imported before the cancel were kept: 1,500 contacts created. Undo import deletes them.'),
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Undo import' })).toBeTruthy();
  });

  it('shows why an undo was refused, closes, and shows the import as it is now', async () => {
    const finished = importOf({
      status: 'finished',
      progress: { rows_done: 2, total: 2, created: 2, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null },
    });
    let current = finished;
    importApi(finished, {
      [`GET ${base}/imports/${importId}`]: () => json(200, current),
      [`POST ${base}/imports/${importId}/undo`]: () => {
        // Someone else undid it meanwhile.
        current = importOf({ status: 'undone', progress: finished.progress, undone_at: '2025-01-05T11:00:00Z' });
        return apiError(409, 'conflict', 'This import was already undone.');
      },
    });
    renderAt(`${base}/imports/${importId}`);
    await userEvent.click(await screen.findByRole('button', { name: 'Undo import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Undo this import?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Undo import' }));
    expect(await within(dialog).findByText('This import was already undone.')).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await screen.findByRole('heading', { name: 'Undone' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Undo import' })).toBeNull();
  });

  it('says exactly what undo deletes and restores', async () => {
    const finished = importOf({
      status: 'finished',
      progress: { rows_done: 3001, total: 3001, created: 3000, updated: 1, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null },
    });
    const { calls } = importApi(finished, {
      [`POST ${base}/imports/${importId}/undo`]: () => json(202, { ...finished, status: 'undoing' }),
    });
    renderAt(`${base}/imports/${importId}`);
    await userEvent.click(await screen.findByRole('button', { name: 'Undo import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Undo this import?' });
    expect(dialog.textContent).toContain(
      'The 3,000 contacts it created are deleted with their conversations, notes and files, edited or not since the import.',
    );
    expect(dialog.textContent).toContain('The 1 contact it updated gets back the values it had before the import, unless it has changed since');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Undo import' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/undo'))).toBe(true));
  });

  it('lists the contacts an undo kept, each with its reason', async () => {
    importApi(
      importOf({
        status: 'undone',
        progress: { rows_done: 2, total: 2, created: 0, updated: 2, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null },
        undo_kept: [
          { id: 'k1', name: 'Grace Hopper', email: 'grace@example.com', phone: null, reason: 'changed since the import' },
          { id: 'k2', name: '', email: 'ada@example.com', phone: null, reason: 'its email now belongs to another contact' },
        ],
      }),
    );
    renderAt(`${base}/imports/${importId}`);
    const kept = await screen.findByRole('list', { name: 'Kept contacts' });
    const items = within(kept).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['Grace Hopper: changed since the import', 'ada@example.com: its email now belongs to another contact']);
  });

  it('says when the file was deleted (retention or erase), and offers no error report then', async () => {
    importApi(
      importOf({
        status: 'finished',
        progress: { rows_done: 3, total: 3, created: 2, updated: 0, skipped: 0, rejected: 1, rows_per_second: 0, seconds_left: null },
        file_erased_at: '2025-01-06T09:30:00Z',
      }),
    );
    renderAt(`${base}/imports/${importId}`);
    const note = await screen.findByRole('note');
    expect(note.textContent).toContain('kept for a limited time after the run');
    expect(note.textContent).toContain('when a contact they held is erased');
    expect(note.textContent).toContain('Its error report went with it.');
    expect(screen.queryByRole('link', { name: 'Download error report' })).toBeNull();
  });
});
