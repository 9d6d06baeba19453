import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { apiError, fakeApi, json, session } from '../test/fakeApi';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

const workspace = { id: session.workspaces[0]!.id, name: 'Analytical', created_at: '2025-01-01T10:00:00Z' };

describe('Workspace settings', () => {
  it('renames the workspace and shows the new name in the header', async () => {
    const { calls } = fakeApi({
      'GET /me': () => json(200, session),
      'GET /workspace': () => json(200, workspace),
      'PATCH /workspace': (_req, body) => json(200, { ...workspace, ...(body as object) }),
    });
    renderAt('/settings');
    const form = await screen.findByRole('form', { name: 'Workspace name' });
    const name = within(form).getByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'ab');
    await userEvent.click(within(form).getByRole('button', { name: 'Rename workspace' }));
    expect(screen.getByText('Workspace name must be at least 3 characters.')).toBeTruthy();
    await userEvent.type(name, 'acus');
    await userEvent.click(within(form).getByRole('button', { name: 'Rename workspace' }));
    expect(await screen.findByText('Workspace renamed.')).toBeTruthy();
    expect(calls.at(-1)).toEqual({ method: 'PATCH', path: '/workspace', body: { name: 'abacus' } });
    const switcher = screen.getByLabelText('Workspace') as HTMLSelectElement;
    expect(switcher.selectedOptions[0]?.textContent).toBe('abacus · Owner');
  });

  it('saves the default phone country; others see it read-only', async () => {
    const { calls } = fakeApi({
      'GET /me': () => json(200, session),
      'GET /workspace': () => json(200, { ...workspace, default_country: 'US' }),
      'PATCH /workspace': (_req, body) => json(200, { ...workspace, default_country: 'US', ...(body as object) }),
    });
    renderAt('/settings');
    const form = await screen.findByRole('form', { name: 'Default phone country' });
    const select = within(form).getByLabelText('Default country') as HTMLSelectElement;
    expect(select.value).toBe('US');
    expect(within(form).getByText(/read as numbers of this country/)).toBeTruthy();
    await userEvent.selectOptions(select, 'GB');
    await userEvent.click(within(form).getByRole('button', { name: 'Save country' }));
    expect(await within(form).findByText('Default country saved.')).toBeTruthy();
    expect(calls.at(-1)).toEqual({ method: 'PATCH', path: '/workspace', body: { default_country: 'GB' } });
    expect(screen.getByText('United Kingdom')).toBeTruthy();
  });

  it('shows the server refusal of a default country', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /workspace': () => json(200, { ...workspace, default_country: 'US' }),
      'PATCH /workspace': () => apiError(400, 'invalid', 'Invalid.', { default_country: 'is not a known region' }),
    });
    renderAt('/settings');
    const form = await screen.findByRole('form', { name: 'Default phone country' });
    await userEvent.selectOptions(within(form).getByLabelText('Default country'), 'DE');
    await userEvent.click(within(form).getByRole('button', { name: 'Save country' }));
    expect(await within(form).findByText('Is not a known region.')).toBeTruthy();
  });

  it('deletes only after the exact name is typed, then offers a new workspace when none is left', async () => {
    let deleted = false;
    const { calls } = fakeApi({
      'GET /me': () =>
        json(200, deleted ? { ...session, workspaces: [], current_workspace_id: '' } : session),
      'GET /workspace': () => json(200, workspace),
      'DELETE /workspace': () => {
        deleted = true;
        return json(204);
      },
    });
    renderAt('/settings');
    const zone = await screen.findByRole('form', { name: 'Danger zone' });
    const button = within(zone).getByRole('button', { name: 'Delete workspace' }) as HTMLButtonElement;
    const confirm = within(zone).getByLabelText('Type the workspace name to confirm');
    expect(button.disabled).toBe(true);
    await userEvent.type(confirm, 'analytical');
    expect(button.disabled).toBe(true);
    await userEvent.clear(confirm);
    await userEvent.type(confirm, 'Analytical');
    expect(button.disabled).toBe(false);
    await userEvent.click(button);
    expect(await screen.findByText('You are not in a workspace')).toBeTruthy();
    expect(calls.find((c) => c.method === 'DELETE')?.body).toEqual({ confirm_name: 'Analytical' });
    const empty = screen.getByRole('region', { name: 'You are not in a workspace' });
    await userEvent.click(within(empty).getByRole('button', { name: 'New workspace' }));
    expect(screen.getByRole('dialog', { name: 'New workspace' })).toBeTruthy();
    // No workspace, no workspace pages in the header.
    expect(screen.queryByRole('link', { name: 'Audit log' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Workspace settings' })).toBeNull();
  });

  it('shows a server refusal of the deletion', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /workspace': () => json(200, workspace),
      'DELETE /workspace': () => apiError(400, 'invalid', 'Invalid.', { confirm_name: 'does not match the name' }),
    });
    renderAt('/settings');
    const zone = await screen.findByRole('form', { name: 'Danger zone' });
    await userEvent.type(within(zone).getByLabelText('Type the workspace name to confirm'), 'Analytical');
    await userEvent.click(within(zone).getByRole('button', { name: 'Delete workspace' }));
    expect(await within(zone).findByText('Does not match the name.')).toBeTruthy();
  });

  it('is read-only for an admin', async () => {
    fakeApi({
      'GET /me': () => json(200, { ...session, current_workspace_id: session.workspaces[1]!.id }),
      'GET /workspace': () =>
        json(200, { ...workspace, id: session.workspaces[1]!.id, name: 'Difference', default_country: 'GB' }),
    });
    renderAt('/settings');
    expect(await screen.findByText(/Only the owner can rename or delete Difference/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Danger zone' })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Workspace name' })).toBeNull();
    const country = screen.getByRole('form', { name: 'Default phone country' });
    expect((within(country).getByLabelText('Default country') as HTMLSelectElement).disabled).toBe(true);
    expect(within(country).queryByRole('button', { name: 'Save country' })).toBeNull();
  });

  it('offers a new workspace when the agents answer 403', async () => {
    fakeApi({
      'GET /me': () => json(200, session),
      'GET /agents': () => apiError(403, 'forbidden', 'No workspace.'),
    });
    renderAt('/agents');
    const empty = await screen.findByRole('region', { name: 'You are not in a workspace' });
    expect(within(empty).getByRole('button', { name: 'New workspace' })).toBeTruthy();
  });
});
