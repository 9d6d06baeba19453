import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { stages } from '../test/crm';
import { agent, fakeApi, json, session } from '../test/fakeApi';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

const base = `/agents/${agent.id}`;
const company = {
  id: 'f1',
  agent_id: agent.id,
  key: 'company',
  label: 'Company',
  type: 'text',
  help_text: '',
  required: true,
  unique: false,
  default_value: null,
  options: [],
  position: 0,
  ai_policy: 'overwrite',
  ai_hint: '',
  archived_at: null,
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  version: 2,
};
const archived = { ...company, id: 'f2', key: 'old_plan', label: 'Old plan', required: false, ai_policy: 'off', archived_at: '2025-01-02T00:00:00Z' };

function settingsApi(who: object) {
  const urls: string[] = [];
  const api = fakeApi({
    'GET /me': () => json(200, who),
    [`GET ${base}`]: () => json(200, agent),
    [`GET ${base}/stages`]: () => json(200, { items: stages }),
    [`GET ${base}/fields`]: () => json(200, { items: [company, archived] }),
    [`PATCH ${base}/stages/${stages[0]!.id}`]: (_req, body) => json(200, { ...stages[0], ...(body as object) }),
    [`DELETE ${base}/stages/${stages[0]!.id}`]: (req) => {
      urls.push(req.url);
      return json(204);
    },
    [`DELETE ${base}/fields/f2`]: (req) => {
      urls.push(req.url);
      return json(204);
    },
  });
  return { ...api, urls };
}

describe('CRM settings', () => {
  it('renames and removes stages, and deletes an archived field once its key is typed', async () => {
    const { calls, urls } = settingsApi(session);
    renderAt(`${base}/settings`);
    const stageList = await screen.findByRole('list', { name: 'Stages' });
    expect(within(stageList).getByText('1 contact')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Rename Lead' }));
    const rename = screen.getByRole('form', { name: 'Rename Lead' });
    await userEvent.clear(within(rename).getByLabelText('Stage name'));
    await userEvent.type(within(rename).getByLabelText('Stage name'), 'New lead{Enter}');
    expect(await screen.findByText('Stage renamed to New lead.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'New lead' });

    await userEvent.click(screen.getByRole('button', { name: 'Remove New lead' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove New lead?' });
    expect(within(dialog).getByText(/has 1 contact\. Choose the stage they move to/)).toBeTruthy();
    expect((within(dialog).getByLabelText('Move contacts to') as HTMLSelectElement).value).toBe(stages[1]!.id);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove stage' }));
    await waitFor(() => expect(urls[0]).toContain(`?move_to=${stages[1]!.id}`));

    const fields = screen.getByRole('list', { name: 'Custom fields' });
    expect(within(fields).getByText('Required')).toBeTruthy();
    expect(within(fields).getByText('AI may overwrite')).toBeTruthy();
    await userEvent.click(screen.getByText('Archived fields'));
    await userEvent.click(screen.getByRole('button', { name: 'Delete Old plan' }));
    const del = await screen.findByRole('dialog', { name: 'Delete Old plan?' });
    const confirm = within(del).getByRole('button', { name: 'Delete field' }) as HTMLButtonElement;
    await userEvent.type(within(del).getByLabelText('Type the field’s key to confirm'), 'Old_plan');
    expect(confirm.disabled).toBe(true);
    await userEvent.clear(within(del).getByLabelText('Type the field’s key to confirm'));
    await userEvent.type(within(del).getByLabelText('Type the field’s key to confirm'), 'old_plan');
    await userEvent.click(confirm);
    expect(await screen.findByText('Field Old plan deleted, with its values.')).toBeTruthy();
    expect(urls[1]).toContain('?confirm=old_plan');
  });

  it('is read-only for users', async () => {
    const asUser = { ...session, workspaces: [{ id: 'w3', name: 'Engine', role: 'user' }], current_workspace_id: 'w3' };
    settingsApi(asUser);
    renderAt(`${base}/settings`);
    const stageList = await screen.findByRole('list', { name: 'Stages' });
    await screen.findByRole('list', { name: 'Custom fields' });
    expect(within(stageList).queryAllByRole('button')).toEqual([]);
    expect(screen.queryByRole('button', { name: /New field/ })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Add a stage' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Edit|Archive|Restore|Delete) / })).toBeNull();
  });
});
