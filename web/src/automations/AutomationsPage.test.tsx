import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { stages } from '../test/crm';
import { agent, apiError, fakeApi, json, session } from '../test/fakeApi';
import type { AutomationRule, Automations } from './rules';

afterEach(() => vi.unstubAllGlobals());

const base = `/agents/${agent.id}`;
const ann = { id: '00000000-0000-7000-8000-0000000000c1', name: 'Ann Owner', email: 'ann@example.com', role: 'owner' as const };
const bob = { id: '00000000-0000-7000-8000-0000000000c2', name: 'Bob Admin', email: 'bob@example.com', role: 'admin' as const };
const cy = { id: '00000000-0000-7000-8000-0000000000c3', name: 'Cy User', email: 'cy@example.com', role: 'user' as const };

function rule(source: AutomationRule['source'], extra: Partial<AutomationRule> = {}): AutomationRule {
  return {
    source,
    same_as_chat: source === 'form' || source === 'import' || source === 'api',
    primary: { strategy: 'workspace_owner', member_id: null, pool: [], pool_too_small: false, member_gone: false },
    secondary: { strategy: 'none', member_id: null, pool: [], pool_too_small: false, member_gone: false },
    stage_id: null,
    notify: false,
    customized: false,
    ...extra,
  };
}

function automations(rules: Partial<Record<AutomationRule['source'], Partial<AutomationRule>>> = {}): Automations {
  return {
    rules: (['chat', 'manual', 'form', 'import', 'api'] as const).map((s) => rule(s, rules[s])),
    members: [ann, bob, cy],
  };
}

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

function pageApi(who: object, config: Automations, routes: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /me': () => json(200, who),
    [`GET ${base}`]: () => json(200, agent),
    [`GET ${base}/stages`]: () => json(200, { items: stages }),
    [`GET ${base}/automations`]: () => json(200, config),
    ...routes,
  });
}

const section = (name: string) => screen.findByRole('region', { name });

describe('Automations page', () => {
  it('shows the trigger, both tabs and one section per creation method in order', async () => {
    pageApi(session, automations());
    renderAt(`${base}/automations`);
    expect(await screen.findByText('Contact created')).toBeTruthy();
    await section('Agent captured contact');
    expect(screen.getByRole('tab', { name: 'Owner assignment' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tab', { name: 'Contact stage' })).toBeTruthy();
    const titles = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(titles).toEqual(['Agent captured contact', 'Manually created contact', 'Form submission', 'Imported contact', 'API contact']);
    // Nobody configured anything yet: every method says its defaults apply.
    expect(screen.getAllByText('Default')).toHaveLength(5);

    // Only the manual method offers the creator.
    const strategies = (name: string) =>
      section(name).then((s) => within(s).getByLabelText('Primary owner strategy').querySelectorAll('option'));
    expect([...(await strategies('Manually created contact'))].map((o) => o.textContent)).toContain('Creator of the contact');
    expect([...(await strategies('Agent captured contact'))].map((o) => o.textContent)).not.toContain('Creator of the contact');

    // Imported contacts never email their owners: said where it applies (imports may follow agent captured).
    const notifyHint = (s: HTMLElement) => within(s).getByLabelText('Email the owners about each new contact').getAttribute('aria-describedby');
    const chatSection = await section('Agent captured contact');
    expect(document.getElementById(notifyHint(chatSection)!)?.textContent).toMatch(/^Not sent for imported contacts/);
    expect(notifyHint(await section('Manually created contact'))).toBeNull();

    // Form submissions follow agent captured: no controls of their own until unchecked.
    const form = await section('Form submission');
    const same = within(form).getByLabelText('Same as agent captured') as HTMLInputElement;
    expect(same.checked).toBe(true);
    expect(within(form).queryByLabelText('Primary owner strategy')).toBeNull();
    expect(within(form).getByText('Owner of the workspace')).toBeTruthy();
    await userEvent.click(same);
    expect(within(form).getByLabelText('Primary owner strategy')).toBeTruthy();
    expect(within(form).getByText('Unsaved changes')).toBeTruthy();
  });

  it('saves a round robin over a pool, greying the primary’s member out of the secondary', async () => {
    const savedConfig = automations({
      chat: { customized: true, primary: { strategy: 'round_robin', member_id: null, pool: [bob.id, ann.id], pool_too_small: false, member_gone: false } },
    });
    const { calls } = pageApi(session, automations(), { [`PUT ${base}/automations/chat`]: () => json(200, savedConfig) });
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');

    await userEvent.selectOptions(within(chat).getByLabelText('Primary owner strategy'), 'round_robin');
    const add = within(chat).getByLabelText('Add to the primary owner pool');
    await userEvent.selectOptions(add, bob.id);
    await userEvent.click(within(chat).getByRole('button', { name: 'Add' }));
    // One member is not a rotation: the form says so before asking the server.
    await userEvent.click(within(chat).getByRole('button', { name: 'Save Agent captured contact' }));
    expect(await within(chat).findByText('Add at least 2 members.')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    // Editing the pool takes its error away at once, before the next Save.
    await userEvent.selectOptions(add, ann.id);
    await userEvent.click(within(chat).getByRole('button', { name: 'Add' }));
    expect(within(chat).queryByText('Add at least 2 members.')).toBeNull();
    expect(within(chat).getByRole('group', { name: 'Primary owner pool' }).getAttribute('aria-describedby')).toBeNull();
    const pool = within(chat).getByRole('list', { name: 'Primary owner pool' });
    expect(within(pool).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringContaining(bob.name),
      expect.stringContaining(ann.name),
    ]);
    expect(within(chat).getByRole('button', { name: `Reorder ${bob.name}` })).toBeTruthy();

    await userEvent.click(within(chat).getByRole('button', { name: 'Save Agent captured contact' }));
    expect(await within(chat).findByText('Agent captured contact: saved.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      same_as_chat: false,
      primary: { strategy: 'round_robin', member_id: null, pool: [bob.id, ann.id] },
      secondary: { strategy: 'none', member_id: null, pool: [] },
      stage_id: null,
      notify: false,
    });

    // The word belongs to the tab it was said in.
    await userEvent.click(screen.getByRole('tab', { name: 'Contact stage' }));
    expect(within(await section('Agent captured contact')).queryByText('Agent captured contact: saved.')).toBeNull();
    await userEvent.click(screen.getByRole('tab', { name: 'Owner assignment' }));

    // A selected primary member is greyed out among the secondary's choices.
    const manual = await section('Manually created contact');
    await userEvent.selectOptions(within(manual).getByLabelText('Primary owner strategy'), 'member');
    await userEvent.selectOptions(within(manual).getByLabelText('Primary owner: member'), cy.id);
    await userEvent.selectOptions(within(manual).getByLabelText('Secondary owner strategy'), 'member');
    const cyChoice = within(within(manual).getByLabelText('Secondary owner: member')).getByRole('option', { name: `${cy.name} (the primary owner)` });
    expect((cyChoice as HTMLOptionElement).disabled).toBe(true);
    // The workspace owner cannot be the secondary when the primary is the workspace owner.
    await userEvent.selectOptions(within(manual).getByLabelText('Primary owner strategy'), 'workspace_owner');
    const ownerAgain = within(within(manual).getByLabelText('Secondary owner strategy')).getByRole('option', {
      name: 'Owner of the workspace (the primary owner)',
    });
    expect((ownerAgain as HTMLOptionElement).disabled).toBe(true);
  });

  it('greys the workspace owner out of the secondary when the primary names them, by name or by role', async () => {
    pageApi(session, automations());
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');
    // The secondary is "Owner of the workspace"; the primary becomes "Selected member": the owner
    // is greyed among its members.
    await userEvent.selectOptions(within(chat).getByLabelText('Primary owner strategy'), 'member');
    await userEvent.selectOptions(within(chat).getByLabelText('Secondary owner strategy'), 'workspace_owner');
    const annAsPrimary = within(within(chat).getByLabelText('Primary owner: member')).getByRole('option', { name: `${ann.name} (the secondary owner)` });
    expect((annAsPrimary as HTMLOptionElement).disabled).toBe(true);
    // The other way round: the owner chosen by name as primary greys "Owner of the workspace" out of the secondary.
    await userEvent.selectOptions(within(chat).getByLabelText('Secondary owner strategy'), 'none');
    await userEvent.selectOptions(within(chat).getByLabelText('Primary owner: member'), ann.id);
    const secondary = within(chat).getByLabelText('Secondary owner strategy');
    const ownerAgain = within(secondary).getByRole('option', { name: 'Owner of the workspace (the primary owner)' });
    expect((ownerAgain as HTMLOptionElement).disabled).toBe(true);
    // And the owner is greyed out of a secondary pool, since the rotation would always skip them.
    await userEvent.selectOptions(secondary, 'round_robin');
    const add = within(chat).getByLabelText('Add to the secondary owner pool');
    expect((within(add).getByRole('option', { name: `${ann.name} (the primary owner)` }) as HTMLOptionElement).disabled).toBe(true);
  });

  it('says beside the member pickers of a private agent that only members who can work in it are listed', async () => {
    const note = 'Only members who can work in this private agent are listed. Give a user access to it on the Team page.';
    const description = (el: HTMLElement) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent)
        .join(' ');
    pageApi(session, automations());
    const first = renderAt(`${base}/automations`);
    let chat = await section('Agent captured contact');
    // No picker, no note: the strategies are not a list of members.
    expect(within(chat).queryByText(note)).toBeNull();
    await userEvent.selectOptions(within(chat).getByLabelText('Primary owner strategy'), 'member');
    expect(description(within(chat).getByLabelText('Primary owner: member'))).toContain(note);
    await userEvent.selectOptions(within(chat).getByLabelText('Secondary owner strategy'), 'least_loaded');
    expect(description(within(chat).getByLabelText('Add to the secondary owner pool'))).toContain(note);
    expect(within(chat).getAllByText(note)).toHaveLength(2);
    first.unmount();

    // A public agent's contacts may be owned by every member: nobody is left out, nothing to say.
    pageApi(session, automations(), { [`GET ${base}`]: () => json(200, { ...agent, visibility: 'public' }) });
    renderAt(`${base}/automations`);
    chat = await section('Agent captured contact');
    await userEvent.selectOptions(within(chat).getByLabelText('Primary owner strategy'), 'member');
    await userEvent.selectOptions(within(chat).getByLabelText('Secondary owner strategy'), 'round_robin');
    expect(within(chat).getByLabelText('Add to the secondary owner pool')).toBeTruthy();
    expect(screen.queryByText(note)).toBeNull();
  });

  it('says when a selected member is gone, in the slot and in the summary of a method that follows', async () => {
    const gone = { strategy: 'member' as const, member_id: null, pool: [], pool_too_small: false, member_gone: true };
    pageApi(
      session,
      automations({
        chat: { customized: true, primary: gone },
        manual: { customized: true, primary: { ...gone, strategy: 'creator', member_gone: false }, secondary: gone },
      }),
    );
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');
    expect(within(chat).getByText(/The selected member left the workspace or lost access to this agent/)).toBeTruthy();
    expect(within(chat).getByText(/new contacts go to the owner of the workspace/)).toBeTruthy();
    expect((within(chat).getByLabelText('Primary owner: member') as HTMLSelectElement).value).toBe('');
    const manual = await section('Manually created contact');
    expect(within(manual).getByText(/Until you choose another member, new contacts get no secondary owner/)).toBeTruthy();
    const form = await section('Form submission');
    expect(within(form).getByText('Selected member, who left the workspace or lost access to this agent')).toBeTruthy();

    // Choosing a member clears the warning.
    await userEvent.selectOptions(within(chat).getByLabelText('Primary owner: member'), bob.id);
    expect(within(chat).queryByText(/The selected member left the workspace/)).toBeNull();
  });

  it('drops a simulation once the rules it showed are saved anew', async () => {
    const ref = (p: { id: string; name: string }) => ({ id: p.id, name: p.name });
    const savedConfig = automations({ chat: { customized: true, notify: true } });
    pageApi(session, automations(), {
      [`POST ${base}/automations/chat/simulate`]: () =>
        json(200, { items: [{ primary_owner: ref(bob), secondary_owner: null, stage: ref(stages[0]!) }], pending: 0, pending_capped: false }),
      [`PUT ${base}/automations/chat`]: () => json(200, savedConfig),
    });
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');
    const simulate = () => within(chat).getByRole('group', { name: 'Simulate Agent captured contact' });
    await userEvent.click(within(simulate()).getByText('Simulate the next contacts'));
    await userEvent.click(within(simulate()).getByRole('button', { name: 'Simulate' }));
    expect(await within(simulate()).findByRole('table', { name: 'Simulation: Agent captured contact' })).toBeTruthy();

    await userEvent.click(within(chat).getByLabelText(/Email the owners about each new contact/));
    await userEvent.click(within(chat).getByRole('button', { name: 'Save Agent captured contact' }));
    expect(await within(chat).findByText('Agent captured contact: saved.')).toBeTruthy();
    await waitFor(() => expect(within(simulate()).queryByRole('table', { name: 'Simulation: Agent captured contact' })).toBeNull());
  });

  it('says how many contacts waiting for their automation the simulation counted first', async () => {
    const ref = (p: { id: string; name: string }) => ({ id: p.id, name: p.name });
    let answer = { items: [{ primary_owner: ref(bob), secondary_owner: null, stage: ref(stages[0]!) }], pending: 3, pending_capped: false };
    pageApi(session, automations(), { [`POST ${base}/automations/chat/simulate`]: () => json(200, answer) });
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');
    const simulate = within(chat).getByRole('group', { name: 'Simulate Agent captured contact' });
    await userEvent.click(within(simulate).getByText('Simulate the next contacts'));
    await userEvent.click(within(simulate).getByRole('button', { name: 'Simulate' }));
    expect(
      await within(simulate).findByText('3 contacts already created are still waiting for their automation: the simulation counts them first, as the jobs will.'),
    ).toBeTruthy();

    answer = { ...answer, pending: 10000, pending_capped: true };
    await userEvent.click(within(simulate).getByRole('button', { name: 'Simulate' }));
    expect(await within(simulate).findByText(/More than 10,000 contacts already created are still waiting/)).toBeTruthy();
    expect(within(simulate).getByText(/counts the first 10,000 of them only/)).toBeTruthy();

    answer = { ...answer, pending: 0, pending_capped: false };
    await userEvent.click(within(simulate).getByRole('button', { name: 'Simulate' }));
    await waitFor(() => expect(within(simulate).queryByText(/still waiting/)).toBeNull());
  });

  it('shows the server’s field errors beside their fields, and flags a pool that became too small', async () => {
    const config = automations({
      chat: { customized: true, primary: { strategy: 'round_robin', member_id: null, pool: [ann.id, 'gone-member'], pool_too_small: true, member_gone: false } },
    });
    pageApi(session, config, {
      [`PUT ${base}/automations/chat`]: () =>
        apiError(400, 'invalid', 'invalid input', { 'primary.pool': 'member gone-member has no access to this agent', 'secondary.member_id': 'is required for the member strategy' }),
    });
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');
    expect(within(chat).getByText(/This pool has fewer than two members who can own contacts/)).toBeTruthy();
    expect(within(chat).getByText('Someone without access to this agent')).toBeTruthy();

    await userEvent.selectOptions(within(chat).getByLabelText('Secondary owner strategy'), 'member');
    await userEvent.selectOptions(within(chat).getByLabelText('Secondary owner: member'), bob.id);
    await userEvent.click(within(chat).getByRole('button', { name: 'Save Agent captured contact' }));
    expect(await within(chat).findByText('Member gone-member has no access to this agent.')).toBeTruthy();
    expect(within(chat).getByText('Is required for the member strategy.')).toBeTruthy();
    expect(within(chat).getByLabelText('Secondary owner: member').getAttribute('aria-invalid')).toBe('true');
  });

  it('saves the starting stage from the Contact stage tab, sending no owners (the server keeps them)', async () => {
    const { calls } = pageApi(session, automations(), {
      [`PUT ${base}/automations/manual`]: () => json(200, automations({ manual: { stage_id: stages[1]!.id, customized: true } })),
    });
    renderAt(`${base}/automations?tab=stage`);
    const manual = await section('Manually created contact');
    const select = within(manual).getByLabelText('Starting stage') as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.textContent)).toEqual(['First stage (Lead)', 'Lead', 'Customer']));
    await userEvent.selectOptions(select, stages[1]!.id);
    await userEvent.click(within(manual).getByRole('button', { name: 'Save Manually created contact' }));
    expect(await within(manual).findByText('Manually created contact: saved.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ same_as_chat: false, stage_id: stages[1]!.id });
    const api = await section('API contact');
    expect(within(api).getByText('Lead (the first stage)')).toBeTruthy();
  });

  it('is read-only for users, who can still simulate', async () => {
    const asUser = { ...session, workspaces: [{ id: 'w3', name: 'Engine', role: 'user' }], current_workspace_id: 'w3' };
    const config = automations({
      chat: { customized: true, primary: { strategy: 'round_robin', member_id: null, pool: [ann.id, bob.id], pool_too_small: false, member_gone: false } },
    });
    const ref = (p: { id: string; name: string }) => ({ id: p.id, name: p.name });
    const { calls } = pageApi(asUser, config, {
      [`POST ${base}/automations/chat/simulate`]: () =>
        json(200, {
          items: [
            { primary_owner: ref(ann), secondary_owner: null, stage: ref(stages[0]!) },
            { primary_owner: ref(bob), secondary_owner: null, stage: ref(stages[0]!) },
            { primary_owner: ref(ann), secondary_owner: null, stage: ref(stages[0]!) },
          ],
          pending: 0,
          pending_capped: false,
        }),
    });
    renderAt(`${base}/automations`);
    const chat = await section('Agent captured contact');
    expect(screen.getByText(/Only owners and admins change automations/)).toBeTruthy();
    expect(screen.queryAllByRole('button', { name: /^Save / })).toEqual([]);
    expect((within(chat).getByLabelText('Primary owner strategy') as HTMLSelectElement).disabled).toBe(true);
    expect(within(chat).queryByRole('button', { name: /^Reorder / })).toBeNull();
    expect(within(chat).queryByRole('button', { name: /^Remove / })).toBeNull();
    expect((within(chat).getByLabelText('Email the owners about each new contact') as HTMLInputElement).disabled).toBe(true);

    const simulate = within(chat).getByRole('group', { name: 'Simulate Agent captured contact' });
    await userEvent.click(within(simulate).getByText('Simulate the next contacts'));
    expect(simulate.hasAttribute('open')).toBe(true);
    const count = within(simulate).getByLabelText('Contacts to simulate');
    await userEvent.clear(count);
    await userEvent.type(count, '101');
    await userEvent.click(within(simulate).getByRole('button', { name: 'Simulate' }));
    expect(within(simulate).getByText('Enter a whole number from 1 to 100.')).toBeTruthy();
    await userEvent.clear(count);
    await userEvent.type(count, '3');
    await userEvent.click(within(simulate).getByRole('button', { name: 'Simulate' }));
    const table = await within(simulate).findByRole('table', { name: 'Simulation: Agent captured contact' });
    const rows = within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([
      ['Next 1', ann.name, '—', 'Lead'],
      ['Next 2', bob.name, '—', 'Lead'],
      ['Next 3', ann.name, '—', 'Lead'],
    ]);
    expect(within(simulate).getByText(/A simulation changes nothing/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ count: 3 });
  });
});
