import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { contact, stages } from '../test/crm';
import { agent, apiError, fakeApi, json, session } from '../test/fakeApi';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

const base = `/agents/${agent.id}`;
const ada = contact('c1');
const members = [{ user_id: session.user.id, name: 'Ada Admin', email: 'a@x.com', role: 'owner', since: ada.created_at, agent_ids: [] }];

function crmApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  const queries: string[] = [];
  const api = fakeApi({
    'GET /me': () => json(200, session),
    [`GET ${base}`]: () => json(200, agent),
    [`GET ${base}/stages`]: () => json(200, { items: stages }),
    [`GET ${base}/fields`]: () => json(200, { items: [] }),
    'GET /members': () => json(200, { items: members }),
    [`GET ${base}/contacts`]: (req) => {
      const search = new URL(req.url).searchParams;
      queries.push(search.toString());
      if (search.get('q') === 'zzz') return json(200, { items: [] });
      if (search.get('cursor') === 'n2') return json(200, { items: [contact('c3', { name: 'Alan Turing', email: 'alan@example.com' })] });
      return json(200, { items: [ada, contact('c2', { name: 'Grace Hopper', email: 'grace@example.com', source: 'chat', source_label: 'via Chat' })], next_cursor: 'n2' });
    },
    ...extra,
  });
  return { ...api, queries };
}

describe('Contacts list', () => {
  it('lists contacts with their source, searches as typing pauses, filters and pages', async () => {
    const { queries } = crmApi();
    renderAt(`${base}/contacts`);
    const table = await screen.findByRole('table', { name: 'Contacts' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[1]!).getByText('via Chat')).toBeTruthy();
    expect(within(rows[0]!).getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).toBe(`${base}/contacts/c1`);
    expect(queries[0]).toBe('status=active&limit=50');

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await within(table).findByText('Alan Turing')).toBeTruthy();
    expect(queries.at(-1)).toBe('status=active&limit=50&cursor=n2');

    await userEvent.type(screen.getByLabelText('Search contacts'), 'zzz');
    expect(await screen.findByText('No contacts match')).toBeTruthy();
    expect(queries.filter((q) => q.includes('q=')).length).toBe(1); // one search, not one per key
    expect(queries.at(-1)).toBe('status=active&limit=50&q=zzz');

    await userEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await screen.findByRole('table', { name: 'Contacts' });
    await userEvent.selectOptions(screen.getByLabelText('Source'), 'chat');
    await waitFor(() => expect(queries.at(-1)).toBe('status=active&limit=50&source=chat'));
    // Owners are members who work in the agent, offered to owners and admins.
    expect(within(screen.getByLabelText('Owner')).getByRole('option', { name: 'Ada Admin' })).toBeTruthy();
  });

  it('warns about a similar contact while typing and links the existing one on a conflict', async () => {
    const similarQueries: string[] = [];
    const { calls } = crmApi({
      [`GET ${base}/contacts/similar`]: (req) => {
        similarQueries.push(new URL(req.url).searchParams.toString());
        return json(200, { items: [{ id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com', phone: null, status: 'active', reasons: ['email'], name_similarity: 0.1 }] });
      },
      [`POST ${base}/contacts`]: () =>
        json(409, {
          error: {
            code: 'conflict',
            message: 'a contact with this email already exists: Ada Lovelace',
            fields: { email: 'already belongs to Ada Lovelace' },
            details: { existing_contact_id: 'c1', existing_contact_name: 'Ada Lovelace' },
          },
        }),
    });
    renderAt(`${base}/contacts`);
    await userEvent.click(await screen.findByRole('button', { name: /Add contact/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Add contact' });
    await userEvent.type(within(dialog).getByLabelText('Email'), 'ADA@example.com');
    const warning = await within(dialog).findByText('A contact with similar details already exists');
    expect(within(warning.closest('[role=status]') as HTMLElement).getByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
    expect(similarQueries).toEqual(['email=ADA%40example.com']);

    // The secondary owner waits for a primary, and can never be the same person.
    const secondary = within(dialog).getByLabelText('Secondary owner') as HTMLSelectElement;
    expect(secondary.disabled).toBe(true);
    await userEvent.selectOptions(within(dialog).getByLabelText('Primary owner'), session.user.id);
    expect(secondary.disabled).toBe(false);
    expect((within(secondary).getByRole('option', { name: 'Ada Admin' }) as HTMLOptionElement).disabled).toBe(true);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Add contact' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('A contact with this email already exists: Ada Lovelace.');
    expect(within(alert).getByRole('link', { name: 'Open Ada Lovelace' }).getAttribute('href')).toBe(`${base}/contacts/c1`);
    expect(within(dialog).getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      email: 'ADA@example.com',
      stage_id: stages[0]!.id,
      primary_owner_id: session.user.id,
    });
  });

  it('keeps the honest empty state and offers no owner filter to users', async () => {
    const asUser = { ...session, workspaces: [{ id: 'w3', name: 'Engine', role: 'user' }], current_workspace_id: 'w3' };
    fakeApi({
      'GET /me': () => json(200, asUser),
      [`GET ${base}`]: () => json(200, agent),
      [`GET ${base}/stages`]: () => json(200, { items: stages }),
      [`GET ${base}/fields`]: () => json(200, { items: [] }),
      [`GET ${base}/contacts`]: () => json(200, { items: [] }),
      'GET /members': () => apiError(403, 'forbidden', 'Not allowed.'),
    });
    renderAt(`${base}/contacts`);
    expect(await screen.findByRole('region', { name: 'No contacts yet' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Add contact/ })).toBeNull();
    expect(screen.queryByLabelText('Owner')).toBeNull();
  });
});
