import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { agent, fakeApi, json, session } from '../test/fakeApi';
import type { ChatPerson } from './types';

const base = `/agents/${agent.id}`;

function person(n: number): ChatPerson {
  const id = `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  return {
    contact_id: id,
    visitor_id: '',
    label: `Person ${n}`,
    email: null,
    phone: null,
    last_activity: '2025-01-01T10:00:00Z',
    live: false,
    conversations: [
      {
        id: `10000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
        agent_id: agent.id,
        visitor_id: `visitor-${n}`,
        contact_id: id,
        title: `Chat ${n}`,
        message_count: 2,
        started_at: '2025-01-01T09:00:00Z',
        last_message_at: '2025-01-01T10:00:00Z',
        ended_at: '2025-01-01T10:00:00Z',
        live: false,
      },
    ],
  };
}

const people = Array.from({ length: 52 }, (_, i) => person(i + 1));

/** Pages of 50 behind opaque cursors; the second page repeats the last person of the first (a tie). */
function historyApi() {
  const queries: string[] = [];
  fakeApi({
    'GET /me': () => json(200, session),
    [`GET ${base}`]: () => json(200, agent),
    [`GET ${base}/conversations`]: (req) => {
      const search = new URL(req.url).searchParams;
      queries.push(search.toString());
      if (search.get('cursor') === 'opaque/next?page=2') return json(200, { items: people.slice(49), next_cursor: null });
      return json(200, { items: people.slice(0, 50), next_cursor: 'opaque/next?page=2' });
    },
  });
  return queries;
}

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('History', () => {
  it('pages through people with the cursor and shows each person once', async () => {
    const queries = historyApi();
    renderAt(`${base}/history`);
    const region = await screen.findByRole('region', { name: 'People' });
    expect(await within(region).findByRole('link', { name: 'Person 50' })).toBeTruthy();
    expect(within(region).queryByRole('link', { name: 'Person 51' })).toBeNull();
    expect(queries).toEqual(['']);

    await userEvent.click(within(region).getByRole('button', { name: 'Load more' }));
    expect(await within(region).findByRole('link', { name: 'Person 52' })).toBeTruthy();
    expect(queries[1]).toBe(new URLSearchParams({ cursor: 'opaque/next?page=2' }).toString());
    expect(within(region).getAllByRole('link', { name: 'Person 50' })).toHaveLength(1);
    expect(within(region).getAllByRole('link', { name: /^Person \d+$/ })).toHaveLength(52);
    expect(within(region).queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('keeps the pages it has opened when the list refreshes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const queries = historyApi();
    renderAt(`${base}/history`);
    const region = await screen.findByRole('region', { name: 'People' });
    await userEvent.click(await within(region).findByRole('button', { name: 'Load more' }));
    expect(await within(region).findByRole('link', { name: 'Person 52' })).toBeTruthy();
    const before = queries.length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5000);
    });
    // The refresh reads both pages again, the second with the cursor of the first.
    await waitFor(() => expect(queries.length).toBe(before + 2));
    expect(queries.slice(before)).toEqual(['', new URLSearchParams({ cursor: 'opaque/next?page=2' }).toString()]);
    expect(within(region).getByRole('link', { name: 'Person 52' })).toBeTruthy();
  });
});
