import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { agent, apiError, fakeApi, json, session } from '../test/fakeApi';

const base = `/agents/${agent.id}`;
const conversationId = '00000000-0000-7000-8000-0000000000c1';

function agentContact(id: string, name: string, email: string) {
  return { id, name, email, phone: null, external_id: null, source: 'chat', source_label: 'Chat', custom: {}, created_at: '2025-01-01T10:00:00Z' };
}

function demoApi(lookup: () => Response) {
  return fakeApi({
    'GET /me': () => json(200, session),
    [`GET ${base}`]: () => json(200, agent),
    'POST /chat/conversations': () => json(201, { id: conversationId }),
    [`POST /chat/conversations/${conversationId}/messages`]: (_req, body) => json(201, body),
    'POST /chat/lookup': lookup,
    'POST /chat/save': (_req, body) => {
      const b = body as { name?: string; email?: string; contact_id?: string };
      if (!b.email) return apiError(400, 'invalid', 'an email or a phone is required', { email: 'an email or a phone is required' });
      const existing = b.contact_id === 'k-grace';
      return json(existing ? 200 : 201, {
        contact: agentContact(b.contact_id ?? 'k-new', existing ? 'Grace Hopper' : (b.name ?? ''), b.email),
        conversation_id: conversationId,
        created: !existing,
        written: existing ? [] : ['email', 'name'],
        kept: [],
      });
    },
  });
}

async function say(text: string) {
  await userEvent.type(screen.getByLabelText('Your message'), text);
  await userEvent.click(screen.getByRole('button', { name: 'Send' }));
}

beforeEach(() => sessionStorage.setItem(`guestlist.demo-chat.key.${agent.id}`, 'gla_test'));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe('Demo chat', () => {
  it('keeps a name alone on the page, then looks up and saves it with the email', async () => {
    const { calls } = demoApi(() => apiError(404, 'not_found', 'no contact of this agent has these details'));
    render(
      <MemoryRouter initialEntries={[`${base}/demo-chat`]}>
        <App />
      </MemoryRouter>,
    );
    const chat = await screen.findByRole('list', { name: 'Chat' });
    await say("I'm Ada Lovelace");
    expect(await within(chat).findByText('Nice to meet you Ada! What is the best email or phone number to reach you?')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/chat/save' || c.path === '/chat/lookup')).toEqual([]);
    expect(screen.getByRole('note').textContent).toMatch(/not saved yet: Ada Lovelace/);

    await say('ada@example.com');
    expect(await within(chat).findByText(/Thank you Ada, I have noted your details/)).toBeTruthy();
    const tools = calls.filter((c) => c.path === '/chat/save' || c.path === '/chat/lookup');
    expect(tools.map((c) => c.path)).toEqual(['/chat/lookup', '/chat/save']);
    expect(tools[0]!.body).toEqual({ email: 'ada@example.com' });
    expect(tools[1]!.body).toMatchObject({ conversation_id: conversationId, name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(within(chat).getByText('lookup → no contact with these details')).toBeTruthy();
    expect(within(screen.getByRole('status')).getByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('welcomes back a visitor the lookup finds and saves to that contact', async () => {
    const { calls } = demoApi(() => json(200, agentContact('k-grace', 'Grace Hopper', 'grace@example.com')));
    render(
      <MemoryRouter initialEntries={[`${base}/demo-chat`]}>
        <App />
      </MemoryRouter>,
    );
    const chat = await screen.findByRole('list', { name: 'Chat' });
    await say('Hi, it is me again: grace@example.com');
    expect(await within(chat).findByText(/^Welcome back Grace!/)).toBeTruthy();
    expect(within(chat).getByText('lookup → found contact Grace Hopper')).toBeTruthy();
    const save = calls.find((c) => c.path === '/chat/save');
    expect(save?.body).toMatchObject({ contact_id: 'k-grace', email: 'grace@example.com' });
  });
});
