import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { agent, apiError, fakeApi, json, session } from '../test/fakeApi';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

const preview = { workspace_name: 'Analytical', email: 'ada@example.com', role: 'user', state: 'pending', account_exists: false };
const signedOut = () => apiError(401, 'unauthenticated', 'Not signed in.');

describe('Accepting an invitation', () => {
  it('creates an account with name and password and lands on the agents', async () => {
    let joined = false;
    const { calls } = fakeApi({
      'GET /me': () => (joined ? json(200, session) : signedOut()),
      'POST /invitations/lookup': () => json(200, preview),
      'POST /invitations/accept': () => {
        joined = true;
        // The answer may describe an older session of the browser; the page reads /me back.
        return json(200, { ...session, current_workspace_id: session.workspaces[1]!.id });
      },
      'GET /agents': () => json(200, { items: [agent] }),
    });
    renderAt('/invite#tok-123');
    expect(await screen.findByRole('heading', { name: 'Join Analytical' })).toBeTruthy();
    expect(calls.find((c) => c.path === '/invitations/lookup')?.body).toEqual({ token: 'tok-123' });
    expect(screen.getByText('ada@example.com')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect(screen.getByText('Password must be at least 10 characters.')).toBeTruthy();
    expect(calls.some((c) => c.path === '/invitations/accept')).toBe(false);

    await userEvent.type(screen.getByLabelText('Your name'), ' Ada ');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect(await screen.findByRole('link', { name: 'Support bot' })).toBeTruthy();
    expect((screen.getByLabelText('Workspace') as HTMLSelectElement).value).toBe(session.workspaces[0]!.id);
    expect(calls.find((c) => c.path === '/invitations/accept')?.body).toEqual({
      token: 'tok-123',
      name: 'Ada',
      password: 'correct horse battery',
    });
  });

  it('asks an existing account only for its password and shows a wrong one', async () => {
    const { calls } = fakeApi({
      'GET /me': signedOut,
      'POST /invitations/lookup': () => json(200, { ...preview, account_exists: true }),
      'POST /invitations/accept': () =>
        apiError(401, 'unauthenticated', 'Wrong password.', { password: 'wrong password' }),
    });
    renderAt('/invite#tok-9');
    expect(await screen.findByRole('heading', { name: 'Sign in to join Analytical' })).toBeTruthy();
    expect(screen.queryByLabelText('Your name')).toBeNull();
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in and join' }));
    const password = screen.getByLabelText('Password');
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Wrong password.', { selector: '.field__error' })).toBeTruthy();
    expect(calls.at(-1)?.body).toEqual({ token: 'tok-9', password: 'short' });
  });

  it('shows what the link offers now when it was used meanwhile', async () => {
    let used = false;
    fakeApi({
      'GET /me': signedOut,
      'POST /invitations/lookup': () => json(200, { ...preview, state: used ? 'accepted' : 'pending' }),
      'POST /invitations/accept': () => {
        used = true;
        return apiError(400, 'invalid', 'token: this invitation was already used; sign in instead', {
          token: 'this invitation was already used; sign in instead',
        });
      },
    });
    renderAt('/invite#tok');
    await userEvent.type(await screen.findByLabelText('Your name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect(await screen.findByRole('heading', { name: 'This invitation has already been used' })).toBeTruthy();
  });

  it.each([
    ['expired', 'This invitation has expired'],
    ['accepted', 'This invitation has already been used'],
    ['revoked', 'This invitation was withdrawn'],
  ])('explains a %s invitation without a form', async (state, title) => {
    fakeApi({
      'GET /me': signedOut,
      'POST /invitations/lookup': () => json(200, { ...preview, state }),
    });
    renderAt('/invite#tok');
    expect(await screen.findByRole('heading', { name: title })).toBeTruthy();
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('explains an unknown link', async () => {
    fakeApi({
      'GET /me': signedOut,
      'POST /invitations/lookup': () => apiError(404, 'not_found', 'Invitation not found.'),
    });
    renderAt('/invite#nope');
    expect(await screen.findByRole('heading', { name: 'This invitation link does not work' })).toBeTruthy();
  });

  it('does not look up a link without a token', async () => {
    const { calls } = fakeApi({ 'GET /me': signedOut });
    renderAt('/invite');
    expect(await screen.findByRole('heading', { name: 'This invitation link is incomplete' })).toBeTruthy();
    expect(calls.map((c) => c.path)).not.toContain('/invitations/lookup');
  });
});
