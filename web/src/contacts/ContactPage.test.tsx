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
const path = `${base}/contacts/c1`;

function withEtag(status: number, body: { version: number }) {
  const res = json(status, body);
  res.headers.set('ETag', `"${body.version}"`);
  return res;
}

function contactApi(who: object, extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /me': () => json(200, who),
    [`GET ${base}`]: () => json(200, agent),
    [`GET ${base}/stages`]: () => json(200, { items: stages }),
    [`GET ${base}/fields`]: () => json(200, { items: [] }),
    'GET /members': () => json(200, { items: [] }),
    [`GET ${path}/timeline`]: () => json(200, { items: [] }),
    [`GET ${base}/contacts/similar`]: () => json(200, { items: [] }),
    ...extra,
  });
}

describe('Contact page', () => {
  it('saves edits with If-Match and says so when someone else changed the contact first', async () => {
    let version = 3;
    const ifMatch: (string | null)[] = [];
    contactApi(session, {
      [`GET ${path}`]: () => withEtag(200, contact('c1', { version, name: version > 3 ? 'Ada King' : 'Ada Lovelace' })),
      [`PATCH ${path}`]: (req, body) => {
        ifMatch.push(req.headers.get('If-Match'));
        if (req.headers.get('If-Match') !== `"${version}"`) {
          return apiError(412, 'precondition_failed', 'the contact changed since you loaded it; reload and try again');
        }
        version++;
        return withEtag(200, contact('c1', { ...(body as object), version }));
      },
    });
    renderAt(path);
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeTruthy();

    // Someone else saves meanwhile.
    version = 4;
    await userEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Edit contact' });
    await userEvent.clear(within(form).getByLabelText('Phone'));
    await userEvent.type(within(form).getByLabelText('Phone'), '+44 20 7946 0958');
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    const stale = await within(form).findByRole('alert');
    expect(stale.textContent).toContain('This contact changed since you loaded it — reload');
    expect(ifMatch).toEqual(['"3"']);

    // Reload: the form starts again from the latest version, and saving works.
    await userEvent.click(within(stale).getByRole('button', { name: 'Reload contact' }));
    await waitFor(() => expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('Ada King'));
    await userEvent.type(within(form).getByLabelText('Phone'), '+44 20 7946 0958');
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Edit contact' })).toBeNull());
    expect(ifMatch).toEqual(['"3"', '"4"']);
    expect(screen.getAllByText('+44 20 7946 0958', { selector: 'a' }).length).toBe(2); // header and details
  });

  it('lets a user move the contact between stages, and nothing else', async () => {
    const asUser = { ...session, workspaces: [{ id: 'w3', name: 'Engine', role: 'user' }], current_workspace_id: 'w3' };
    const { calls } = contactApi(asUser, {
      [`GET ${path}`]: () => withEtag(200, contact('c1', { primary_owner: { id: 'u9', name: 'Una Owner' } })),
      [`PUT ${path}/stage`]: (_req, body) => withEtag(200, contact('c1', { version: 2, stage: { id: (body as { stage_id: string }).stage_id, name: 'Customer' } })),
    });
    renderAt(path);
    await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' });
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.getAllByText('Una Owner').length).toBeGreaterThan(0);

    const stage = screen.getByLabelText('Stage') as HTMLSelectElement;
    await waitFor(() => expect(stage.disabled).toBe(false));
    await userEvent.selectOptions(stage, stages[1]!.id);
    expect(await screen.findByText('Moved to Customer')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ stage_id: stages[1]!.id });
    expect(calls.some((c) => c.path === '/members')).toBe(false);
  });

  it('switches tabs with the arrow keys and shows honest empty states', async () => {
    contactApi(session, {
      [`GET ${path}`]: () => withEtag(200, contact('c1')),
      [`GET ${path}/conversations`]: () => json(200, { items: [] }),
    });
    renderAt(path);
    const general = await screen.findByRole('tab', { name: 'General' });
    expect(general.getAttribute('aria-selected')).toBe('true');
    general.focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Form' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByText('Form submissions will appear here once forms are set up.')).toBeTruthy();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Chat Conversation' }).getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByText('Conversations of the agent with this contact will appear here.')).toBeTruthy();
  });
});
