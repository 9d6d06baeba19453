import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { agent, apiError, fakeApi, json, session } from '../test/fakeApi';

afterEach(() => vi.unstubAllGlobals());

const base = `/agents/${agent.id}`;

function imp(n: number) {
  return {
    id: `0190a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`,
    agent_id: agent.id,
    file_name: `file-${n}.csv`,
    size_bytes: 512 << 20,
    checksum: 'a'.repeat(64),
    encoding: 'utf-8',
    delimiter: ',',
    has_header: true,
    headers: ['Email'],
    mode: 'create_only',
    mapping: ['email'],
    status: 'finished',
    cancel_requested: false,
    progress: { rows_done: 10, total: 10, created: 10, updated: 0, skipped: 0, rejected: 0, rows_per_second: 0, seconds_left: null },
    error: null,
    undo_kept: [],
    earlier_import: null,
    created_by: session.user.id,
    created_at: '2025-01-05T10:00:00Z',
    started_at: null,
    finished_at: null,
    undone_at: null,
  };
}

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

const limits = { max_bytes: 512 << 20, max_rows: 1048576 };

describe('Imports history', () => {
  it('pages with the API cursor until there is no more', async () => {
    const queries: string[] = [];
    fakeApi({
      'GET /me': () => json(200, session),
      [`GET ${base}`]: () => json(200, agent),
      [`GET ${base}/imports`]: (req) => {
        const search = new URL(req.url).searchParams;
        queries.push(search.toString());
        if (search.get('cursor') === 'c2') return json(200, { items: [imp(2)], next_cursor: 'c3', limits });
        if (search.get('cursor') === 'c3') return json(200, { items: [imp(1)], limits });
        return json(200, { items: [imp(4), imp(3)], next_cursor: 'c2', limits });
      },
    });
    renderAt(`${base}/imports`);
    const table = await screen.findByRole('table', { name: 'Imports' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    // Limits in the units they are set in.
    expect(screen.getByText(/CSV files up to 512 MiB and 1,048,576 rows\./)).toBeTruthy();
    expect(within(table).getAllByText('512 MiB')).toHaveLength(2);
    expect(queries).toEqual(['limit=50']);

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(table).getByText('file-2.csv')).toBeTruthy());
    expect(queries[1]).toBe('limit=50&cursor=c2');
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(table).getByText('file-1.csv')).toBeTruthy());
    expect(queries[2]).toBe('limit=50&cursor=c3');
    expect(within(table).getAllByRole('link').map((a) => a.textContent)).toEqual(['file-4.csv', 'file-3.csv', 'file-2.csv', 'file-1.csv']);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('offers no Load more on a single page, and says when a page fails', async () => {
    let fail = false;
    fakeApi({
      'GET /me': () => json(200, session),
      [`GET ${base}`]: () => json(200, agent),
      [`GET ${base}/imports`]: (req) => {
        if (new URL(req.url).searchParams.get('cursor')) return fail ? apiError(500, 'internal', 'The server failed.') : json(200, { items: [], limits });
        return json(200, { items: [imp(1)], next_cursor: fail ? 'c2' : undefined, limits });
      },
    });
    const { unmount } = renderAt(`${base}/imports`);
    await screen.findByRole('table', { name: 'Imports' });
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    unmount();

    fail = true;
    renderAt(`${base}/imports`);
    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByText('The server failed.');
    // The first page stays, and the button lets the person try again.
    expect(screen.getByText('file-1.csv')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Load more' })).toBeTruthy();
  });
  it('says what is wrong with a refused file in a sentence about it', async () => {
    let refusal = () => apiError(400, 'invalid', 'file: is empty', { file: 'is empty' });
    fakeApi({
      'GET /me': () => json(200, session),
      [`GET ${base}`]: () => json(200, agent),
      [`GET ${base}/imports`]: () => json(200, { items: [], limits }),
      [`POST ${base}/imports`]: () => refusal(),
    });
    renderAt(`${base}/imports`);
    const input = (await screen.findByLabelText('Choose a CSV file')) as HTMLInputElement;
    await userEvent.upload(input, new File([''], 'empty.csv', { type: 'text/csv' }));
    expect(await screen.findByText('empty.csv is empty.')).toBeTruthy();
    // Any other refusal keeps the API's own message.
    refusal = () => apiError(413, 'too_large', 'The file is larger than 512 MiB.');
    await userEvent.upload(input, new File(['x'], 'big.csv', { type: 'text/csv' }));
    expect(await screen.findByText('big.csv cannot be imported: The file is larger than 512 MiB.')).toBeTruthy();
  });
});
