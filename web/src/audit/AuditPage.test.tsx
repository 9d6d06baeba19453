import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { fakeApi, json, session } from '../test/fakeApi';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

const created = {
  id: 'e1',
  actor: { id: session.user.id, name: 'Ada Lovelace', email: 'ada@example.com' },
  action: 'create',
  resource: 'invitations',
  resource_id: 'inv-1',
  outcome: 'success',
  ip: '127.0.0.1',
  request_id: 'req-1',
  after: { email: 'new@example.com', role: 'user' },
  created_at: '2025-01-05T10:00:00Z',
};
const denied = {
  id: 'e2',
  action: 'delete',
  resource: 'workspace',
  resource_id: 'ws-1',
  outcome: 'denied',
  before: { name: 'Analytical' },
  created_at: '2025-01-04T10:00:00Z',
};

describe('Audit log', () => {
  it('lists entries, expands before and after, filters and pages', async () => {
    const queries: string[] = [];
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /members': () =>
        json(200, {
          items: [{ user_id: session.user.id, name: 'Ada Lovelace', email: 'ada@example.com', role: 'owner', since: created.created_at, agent_ids: [] }],
        }),
      'GET /audit': (req) => {
        const search = new URL(req.url).searchParams;
        queries.push(search.toString());
        if (search.get('cursor') === 'c2') return json(200, { items: [{ ...denied, id: 'e3', action: 'update' }] });
        return json(200, { items: [created, denied], next_cursor: 'c2' });
      },
    });
    renderAt('/audit');
    const table = await screen.findByRole('table', { name: 'Audit entries' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]!).getByText('Ada Lovelace')).toBeTruthy();
    expect(within(rows[0]!).getByText('Success')).toBeTruthy();
    const system = rows.find((r) => r.textContent?.includes('System'))!;
    expect(within(system).getByText('Denied').className).toContain('badge--outcome-denied');
    expect(queries[0]).toBe('limit=50');

    const details = within(rows[0]!).getByRole('button', { name: 'Details' });
    expect(details.getAttribute('aria-expanded')).toBe('false');
    await userEvent.click(details);
    expect(details.getAttribute('aria-expanded')).toBe('true');
    const after = screen.getByRole('region', { name: 'After' });
    expect(within(after).getByText(/"email": "new@example.com"/)).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Before' })).getByText('None recorded.')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(table).getAllByText('update')).toHaveLength(1));
    expect(queries[1]).toBe('limit=50&cursor=c2');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();

    const filters = screen.getByRole('search', { name: 'Filter the audit log' });
    await waitFor(() => expect(within(filters).getAllByRole('option', { name: /Ada Lovelace/ })).toHaveLength(1));
    await userEvent.selectOptions(within(filters).getByLabelText('Member'), session.user.id);
    await userEvent.selectOptions(within(filters).getByLabelText('Resource'), 'invitations');
    await userEvent.type(within(filters).getByLabelText('Action'), 'create');
    await userEvent.click(within(filters).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(queries).toHaveLength(3));
    expect(queries[2]).toBe(`limit=50&actor_id=${session.user.id}&action=create&resource=invitations`);
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(
      `/api/v1/audit/export?actor_id=${session.user.id}&action=create&resource=invitations`,
    );
    expect(screen.getByRole('link', { name: 'Export CSV' }).hasAttribute('download')).toBe(true);
  });

  it('offers a user no member filter and does not ask for the members', async () => {
    const { calls } = fakeApi({
      'GET /me': () =>
        json(200, {
          ...session,
          workspaces: [{ id: 'ws-u', name: 'Engine', role: 'user' }],
          current_workspace_id: 'ws-u',
        }),
      'GET /audit': () => json(200, { items: [] }),
    });
    renderAt('/audit?resource=agents');
    expect(await screen.findByText('No entries match these filters')).toBeTruthy();
    expect(screen.queryByLabelText('Member')).toBeNull();
    expect((screen.getByLabelText('Resource') as HTMLSelectElement).value).toBe('agents');
    expect(calls.map((c) => c.path)).not.toContain('/members');
    expect(screen.getByRole('link', { name: 'Audit log' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Team' })).toBeNull();
  });

  it('refuses a date range that ends before it starts', async () => {
    const queries: string[] = [];
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /members': () => json(200, { items: [] }),
      'GET /audit': (req) => {
        queries.push(new URL(req.url).search);
        return json(200, { items: [] });
      },
    });
    renderAt('/audit');
    await screen.findByText('No entries yet');
    const filters = screen.getByRole('search');
    await userEvent.type(within(filters).getByLabelText('From'), '2025-02-01');
    await userEvent.type(within(filters).getByLabelText('To'), '2025-01-01');
    await userEvent.click(within(filters).getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByText('“To” must be on or after “From”.')).toBeTruthy();
    expect(queries).toHaveLength(1);
  });
});
