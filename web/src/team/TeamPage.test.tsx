import { render, screen, waitFor, within } from '@testing-library/react';
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

const me = session.user;
const ownerMember = { user_id: me.id, name: me.name, email: me.email, role: 'owner', since: '2025-01-01T10:00:00Z', agent_ids: [] };
const adminMember = { user_id: 'admin-1', name: 'Grace Hopper', email: 'grace@example.com', role: 'admin', since: '2025-01-02T10:00:00Z', agent_ids: [] };
const userMember = { user_id: 'user-1', name: 'Alan Turing', email: 'alan@example.com', role: 'user', since: '2025-01-03T10:00:00Z', agent_ids: [] as string[] };
const otherAgent = { ...agent, id: 'agent-2', name: 'Granted bot' };
const invitation = {
  id: 'inv-1',
  email: 'new@example.com',
  role: 'user',
  state: 'pending',
  invited_by: me.name,
  created_at: '2025-01-05T10:00:00Z',
  expires_at: '2025-01-12T10:00:00Z',
};

const asAdmin = { ...session, current_workspace_id: session.workspaces[1]!.id };
const asUser = {
  ...session,
  workspaces: [...session.workspaces, { id: 'ws-user', name: 'Engine', role: 'user' }],
  current_workspace_id: 'ws-user',
};

function teamApi(extra: Parameters<typeof fakeApi>[0] = {}, who: object = session) {
  return fakeApi({
    'GET /me': () => json(200, who),
    // The server lists the owner first; the page does not rely on it.
    'GET /members': () => json(200, { items: [adminMember, userMember, ownerMember] }),
    'GET /invitations': () =>
      json(200, {
        items: [
          invitation,
          { ...invitation, id: 'inv-2', email: 'old@example.com', state: 'accepted' },
          { ...invitation, id: 'inv-3', email: 'late@example.com', state: 'expired' },
          { ...invitation, id: 'inv-4', email: 'boss@example.com', role: 'admin' },
        ],
      }),
    'GET /agents': () => json(200, { items: [agent, otherAgent] }),
    ...extra,
  });
}

describe('Team page', () => {
  it('lists members owner first with what the owner may change', async () => {
    teamApi();
    renderAt('/team');
    const table = await screen.findByRole('table', { name: 'Members' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]!.lastChild!.textContent)).toEqual([
      me.email,
      adminMember.email,
      userMember.email,
    ]);
    // Nobody changes the owner's role or their own; the owner changes the others'.
    expect(within(rows[0]!).queryByRole('combobox')).toBeNull();
    expect(within(rows[0]!).queryByRole('button', { name: /Remove/ })).toBeNull();
    expect((within(rows[1]!).getByRole('combobox', { name: `Role of ${adminMember.name}` }) as HTMLSelectElement).value).toBe('admin');
    expect(within(rows[1]!).getByText('All agents')).toBeTruthy();
    expect(within(rows[2]!).getByRole('button', { name: `Edit agents of ${userMember.name}` })).toBeTruthy();
    expect(within(rows[2]!).getByText('No agents yet')).toBeTruthy();
    // Header navigation offers the Team page to owners.
    expect(screen.getByRole('link', { name: 'Team' })).toBeTruthy();
  });

  it('changes a role', async () => {
    const { calls } = teamApi({
      'PATCH /members/user-1': (_req, body) => json(200, { ...userMember, ...(body as object) }),
    });
    renderAt('/team');
    await userEvent.selectOptions(await screen.findByRole('combobox', { name: `Role of ${userMember.name}` }), 'admin');
    expect(await screen.findByText(`${userMember.name} is now an admin.`)).toBeTruthy();
    expect(calls.at(-1)).toEqual({ method: 'PATCH', path: '/members/user-1', body: { role: 'admin' } });
  });

  it('grants agents to a user', async () => {
    const { calls } = teamApi({
      'PUT /members/user-1/agents': (_req, body) => json(200, { ...userMember, ...(body as object) }),
    });
    renderAt('/team');
    await userEvent.click(await screen.findByRole('button', { name: `Edit agents of ${userMember.name}` }));
    const dialog = screen.getByRole('dialog', { name: `Agents for ${userMember.name}` });
    await userEvent.click(within(dialog).getByLabelText('Granted bot'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save agents' }));
    expect(await screen.findByText(`Agents of ${userMember.name} saved.`)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.at(-1)).toEqual({ method: 'PUT', path: '/members/user-1/agents', body: { agent_ids: ['agent-2'] } });
    const row = screen.getByRole('row', { name: new RegExp(userMember.email) });
    expect(within(row).getByText('Granted bot')).toBeTruthy();
  });

  it('removes a member after confirming and reports their open assignments', async () => {
    const { calls } = teamApi({
      'DELETE /members/user-1': () => json(200, { member: userMember, open_assignments: 3 }),
    });
    renderAt('/team');
    await userEvent.click(await screen.findByRole('button', { name: `Remove ${userMember.name}` }));
    const dialog = screen.getByRole('dialog', { name: `Remove ${userMember.name}?` });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove member' }));
    expect(
      await screen.findByText(
        `${userMember.name} was removed from the workspace. 3 contacts they owned are now without that owner: assign them to someone else.`,
      ),
    ).toBeTruthy();
    expect(calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/members/user-1' });
    expect(screen.queryByRole('row', { name: new RegExp(userMember.email) })).toBeNull();
  });

  it('keeps the confirm dialog open with the error when removal is refused', async () => {
    teamApi({ 'DELETE /members/user-1': () => apiError(403, 'forbidden', 'You cannot remove this member.') });
    renderAt('/team');
    await userEvent.click(await screen.findByRole('button', { name: `Remove ${userMember.name}` }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove member' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('You cannot remove this member.');
  });

  it('invites someone and lists the invitation', async () => {
    const { calls } = teamApi({
      'POST /invitations': (_req, body) =>
        json(201, { ...invitation, id: 'inv-9', ...(body as object), expires_at: '2025-02-01T10:00:00Z' }),
    });
    renderAt('/team');
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    const role = within(form).getByLabelText('Role') as HTMLSelectElement;
    expect(Array.from(role.options).map((o) => o.value)).toEqual(['admin', 'user']);
    await userEvent.type(within(form).getByLabelText('Email'), ' ada2@example.com ');
    await userEvent.selectOptions(role, 'admin');
    await userEvent.click(within(form).getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText(/Invitation sent to ada2@example.com/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'ada2@example.com', role: 'admin' });
    expect(within(screen.getByRole('table', { name: 'Invitations' })).getByText('ada2@example.com')).toBeTruthy();
  });

  it('shows invitation states and offers resend and revoke for open ones only', async () => {
    const { calls } = teamApi({
      'POST /invitations/inv-3/resend': () => json(200, { ...invitation, id: 'inv-3', email: 'late@example.com' }),
      'DELETE /invitations/inv-1': () => json(200, { ...invitation, state: 'revoked' }),
    });
    renderAt('/team');
    const table = await screen.findByRole('table', { name: 'Invitations' });
    const row = (email: string) => within(table).getByRole('row', { name: new RegExp(email) });
    expect(within(row('new@example.com')).getByText('Pending')).toBeTruthy();
    expect(within(row('old@example.com')).getByText('Accepted')).toBeTruthy();
    expect(within(row('old@example.com')).queryAllByRole('button')).toEqual([]);
    expect(within(row('late@example.com')).getByText('Expired')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Resend the invitation to late@example.com' }));
    expect(await screen.findByText(/Invitation sent again to late@example.com/)).toBeTruthy();
    expect(within(row('late@example.com')).getByText('Pending')).toBeTruthy();
    expect(calls.at(-1)).toMatchObject({ method: 'POST', path: '/invitations/inv-3/resend' });

    await userEvent.click(screen.getByRole('button', { name: 'Revoke the invitation to new@example.com' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke invitation' }));
    expect(await screen.findByText(/Invitation to new@example.com revoked/)).toBeTruthy();
    expect(within(row('new@example.com')).getByText('Revoked')).toBeTruthy();
  });

  it('transfers ownership to an admin after confirming', async () => {
    let current: object = session;
    const { calls } = teamApi({
      'GET /me': () => json(200, current),
      'POST /workspace/transfer': () => {
        current = { ...session, workspaces: session.workspaces.map((w, i) => (i === 0 ? { ...w, role: 'admin' } : w)) };
        return json(204);
      },
    });
    renderAt('/team');
    const section = await screen.findByRole('region', { name: 'Transfer ownership' });
    const transfer = within(section).getByRole('button', { name: 'Transfer ownership…' }) as HTMLButtonElement;
    expect(transfer.disabled).toBe(true);
    // Only admins are offered.
    const select = within(section).getByLabelText('New owner') as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.value)).toEqual(['', 'admin-1']);
    await userEvent.selectOptions(select, 'admin-1');
    await userEvent.click(transfer);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Transfer ownership' }));
    expect(await screen.findByText(/Grace Hopper is now the owner/)).toBeTruthy();
    expect(calls.find((c) => c.path === '/workspace/transfer')?.body).toEqual({ user_id: 'admin-1' });
    await waitFor(() => expect(calls.filter((c) => c.path === '/me')).toHaveLength(2));
    // Now an admin: no more transfer, no more role changes.
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Transfer ownership' })).toBeNull());
    expect(screen.getByText(/Grace Hopper is now the owner/)).toBeTruthy();
  });

  it('lets an admin invite users only and manage users only', async () => {
    teamApi({}, asAdmin);
    renderAt('/team');
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    const role = within(form).getByLabelText('Role') as HTMLSelectElement;
    expect(Array.from(role.options).map((o) => o.textContent)).toEqual(['User']);
    const table = await screen.findByRole('table', { name: 'Members' });
    expect(within(table).queryAllByRole('combobox')).toEqual([]);
    expect(within(table).getAllByRole('button', { name: /^Remove/ }).map((b) => b.getAttribute('aria-label'))).toEqual([
      `Remove ${userMember.name}`,
    ]);
    expect(screen.queryByRole('region', { name: 'Transfer ownership' })).toBeNull();
    // The admin's own invitations of users can be resent; the owner's invitation of an admin cannot.
    const invitations = screen.getByRole('table', { name: 'Invitations' });
    expect(within(invitations).getByRole('button', { name: 'Resend the invitation to new@example.com' })).toBeTruthy();
    expect(within(invitations).queryByRole('button', { name: 'Resend the invitation to boss@example.com' })).toBeNull();
  });

  it('tells a user that the team is managed by owners and admins', async () => {
    const { calls } = fakeApi({ 'GET /me': () => json(200, asUser) });
    renderAt('/team');
    expect(await screen.findByText('Only owners and admins manage the team')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Team' })).toBeNull();
    expect(calls.map((c) => c.path)).toEqual(['/me']);
  });

  it('handles a 403 from the members list', async () => {
    teamApi({ 'GET /members': () => apiError(403, 'forbidden', 'Forbidden.') }, asAdmin);
    renderAt('/team');
    expect(await screen.findByText('Only owners and admins manage the team')).toBeTruthy();
  });
});

describe('Agents for users', () => {
  it('shows an honest empty state and no create form', async () => {
    fakeApi({
      'GET /me': () => json(200, asUser),
      'GET /agents': () => json(200, { items: [] }),
    });
    renderAt('/agents');
    expect(await screen.findByText('No agents shared with you yet')).toBeTruthy();
    expect(screen.getByText(/No agents have been shared with you yet. Ask an admin/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Create an agent' })).toBeNull();
  });

  it('shows the agent settings read-only', async () => {
    fakeApi({
      'GET /me': () => json(200, asUser),
      [`GET /agents/${agent.id}`]: () => json(200, agent),
    });
    renderAt(`/agents/${agent.id}/settings`);
    expect(await screen.findByText('Only owners and admins change an agent’s settings.')).toBeTruthy();
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
  });
});
