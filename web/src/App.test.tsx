import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { agent, apiError, fakeApi, json, session } from './test/fakeApi';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('App', () => {
  it('sends signed-out users to sign in and shows a failed sign-in', async () => {
    const { calls } = fakeApi({
      'GET /me': () => apiError(401, 'unauthenticated', 'Not signed in.'),
      'POST /auth/signin': () => apiError(401, 'unauthenticated', 'Wrong email or password.'),
    });
    renderAt('/agents');
    await screen.findByRole('heading', { name: 'Sign in' });
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong email or password.');
    expect(calls.at(-1)).toEqual({
      method: 'POST',
      path: '/auth/signin',
      body: { email: 'ada@example.com', password: 'wrong password' },
    });
  });

  it('signs in and lands on the agents list', async () => {
    fakeApi({
      'GET /me': () => apiError(401, 'unauthenticated', 'Not signed in.'),
      'POST /auth/signin': () => json(200, session),
      'GET /agents': () => json(200, { items: [agent] }),
    });
    renderAt('/signin');
    await userEvent.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('link', { name: 'Support bot' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Agents' })).toBeTruthy();
  });

  it('shows server field errors on sign-up next to the field', async () => {
    fakeApi({
      'GET /me': () => apiError(401, 'unauthenticated', 'Not signed in.'),
      'POST /auth/signup': () =>
        apiError(409, 'conflict', 'This email is already registered.', { email: 'already registered' }),
    });
    renderAt('/signup');
    await userEvent.type(await screen.findByLabelText('Your name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse');
    await userEvent.type(screen.getByLabelText('Workspace name'), 'Analytical');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(email.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(email.getAttribute('aria-describedby')!)?.textContent).toBe('Already registered.');
  });

  it('validates sign-up before sending it', async () => {
    const { calls } = fakeApi({ 'GET /me': () => apiError(401, 'unauthenticated', 'Not signed in.') });
    renderAt('/signup');
    await userEvent.click(await screen.findByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Password must be at least 10 characters.')).toBeTruthy();
    expect(calls.map((c) => c.path)).toEqual(['/me']);
  });

  it('shows the agents empty state and the workspaces with roles', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /agents': () => json(200, { items: [] }),
    });
    renderAt('/agents');
    expect(await screen.findByText('No agents yet')).toBeTruthy();
    const switcher = screen.getByLabelText('Workspace') as HTMLSelectElement;
    expect(within(switcher).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Analytical · Owner',
      'Difference · Admin',
    ]);
    expect(switcher.value).toBe(session.workspaces[0]!.id);
  });

  it('switches workspace and reloads the agents', async () => {
    let current = session.workspaces[0]!.id;
    fakeApi({
      'GET /me': () => json(200, session),
      'PUT /me/workspace': (_req, body) => {
        current = (body as { workspace_id: string }).workspace_id;
        return json(200, { ...session, current_workspace_id: current });
      },
      'GET /agents': () =>
        json(200, { items: current === session.workspaces[0]!.id ? [agent] : [{ ...agent, id: 'x', name: 'Other bot' }] }),
    });
    renderAt('/agents');
    await screen.findByRole('link', { name: 'Support bot' });
    await userEvent.selectOptions(screen.getByLabelText('Workspace'), session.workspaces[1]!.id);
    expect(await screen.findByRole('link', { name: 'Other bot' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Support bot' })).toBeNull();
  });

  it('creates an agent and shows it in the list', async () => {
    const { calls } = fakeApi({
      'GET /me': () => json(200, session),
      'GET /agents': () => json(200, { items: [] }),
      'POST /agents': (_req, body) => json(201, { ...agent, ...(body as object), id: 'new' }),
    });
    renderAt('/agents');
    await screen.findByText('No agents yet');
    await userEvent.type(screen.getByLabelText('Name'), 'Sales bot');
    await userEvent.selectOptions(screen.getByLabelText('Visibility'), 'public');
    await userEvent.selectOptions(screen.getByLabelText('Access mode'), 'restricted');
    await userEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    expect(await screen.findAllByRole('link', { name: 'Sales bot' })).not.toHaveLength(0);
    expect(calls.at(-1)?.body).toEqual({ name: 'Sales bot', visibility: 'public', access_mode: 'restricted' });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('');
  });

  it('opens an agent on its Contacts tab with an honest empty state', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      [`GET /agents/${agent.id}`]: () => json(200, agent),
      [`GET /agents/${agent.id}/contacts`]: () => json(200, { items: [] }),
      [`GET /agents/${agent.id}/stages`]: () => json(200, { items: [{ id: 's1', name: 'Lead', position: 0, contact_count: 0 }] }),
      [`GET /agents/${agent.id}/fields`]: () => json(200, { items: [] }),
      'GET /members': () => json(200, { items: [] }),
    });
    renderAt(`/agents/${agent.id}`);
    expect(await screen.findByText('No contacts yet')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Contacts' }).getAttribute('aria-current')).toBe('page');
    for (const tab of ['Board', 'Forms', 'Automations', 'Settings']) expect(screen.getByRole('link', { name: tab })).toBeTruthy();
    // No fake buttons on an empty CRM section.
    expect(within(screen.getByRole('region', { name: 'No contacts yet' })).queryAllByRole('button')).toEqual([]);
  });

  it('saves agent settings and shows field errors from the server', async () => {
    let attempt = 0;
    const { calls } = fakeApi({
      'GET /me': () => json(200, session),
      [`GET /agents/${agent.id}`]: () => json(200, agent),
      [`GET /agents/${agent.id}/stages`]: () => json(200, { items: [] }),
      [`GET /agents/${agent.id}/fields`]: () => json(200, { items: [] }),
      [`PATCH /agents/${agent.id}`]: (_req, body) =>
        ++attempt === 1
          ? apiError(400, 'invalid', 'Invalid agent.', { access_mode: 'a private agent cannot be paid' })
          : json(200, { ...agent, ...(body as object) }),
    });
    renderAt(`/agents/${agent.id}/settings`);
    const save = await screen.findByRole('button', { name: 'Save changes' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await userEvent.selectOptions(screen.getByLabelText('Access mode'), 'paid');
    await userEvent.click(save);
    expect(await screen.findByText('A private agent cannot be paid.')).toBeTruthy();
    expect(calls.at(-1)?.body).toEqual({ access_mode: 'paid' });

    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.type(screen.getByLabelText('Name'), 'Renamed bot');
    await userEvent.selectOptions(screen.getByLabelText('Access mode'), 'free');
    await userEvent.click(save);
    expect(await screen.findByText('Changes saved.')).toBeTruthy();
    expect(calls.at(-1)?.body).toEqual({ name: 'Renamed bot' });
    expect(screen.getByRole('heading', { level: 1, name: 'Renamed bot' })).toBeTruthy();
  });

  it('says when an agent does not exist in this workspace', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /agents/nope': () => apiError(404, 'not_found', 'Agent not found.'),
    });
    renderAt('/agents/nope/contacts');
    expect(await screen.findByText('Agent not found')).toBeTruthy();
  });

  it('shows a not-found page for unknown routes', async () => {
    fakeApi({ 'GET /me': () => json(200, session) });
    renderAt('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
  });

  it('explains a 404 outbox', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /dev/outbox': () => apiError(404, 'not_found', 'Not found.'),
    });
    renderAt('/dev/outbox');
    expect(await screen.findByText(/only in development mode/)).toBeTruthy();
  });

  it('lists outbox mail with an expandable body', async () => {
    fakeApi({
      'GET /me': () => apiError(401, 'unauthenticated', 'Not signed in.'),
      'GET /dev/outbox': () =>
        json(200, {
          items: [{ id: '1', to: 'ada@example.com', subject: 'Welcome to Guestlist', text: 'Hello Ada', sent_at: new Date().toISOString() }],
        }),
    });
    renderAt('/dev/outbox');
    expect(await screen.findByText('Welcome to Guestlist')).toBeTruthy();
    expect(screen.getByText('To: ada@example.com')).toBeTruthy();
    expect(screen.getByText('Hello Ada').closest('details')).toBeTruthy();
  });

  it('signs out from the header', async () => {
    let signedIn = true;
    fakeApi({
      'GET /me': () => (signedIn ? json(200, session) : apiError(401, 'unauthenticated', 'Not signed in.')),
      'GET /agents': () => json(200, { items: [agent] }),
      'POST /auth/signout': () => {
        signedIn = false;
        return json(204);
      },
    });
    renderAt('/agents');
    expect(await screen.findByText('Ada Lovelace')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });
});
