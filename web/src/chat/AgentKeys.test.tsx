import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ToastProvider } from '../ui/Toast';
import { apiError, fakeApi, json } from '../test/fakeApi';
import { AgentKeys } from './AgentKeys';
import type { AgentKey } from './types';

const agentId = '00000000-0000-7000-8000-0000000000b1';
const path = `/agents/${agentId}/keys`;

function key(id: string, name: string, revoked = false): AgentKey {
  return {
    id,
    agent_id: agentId,
    name,
    scope: 'chat',
    hint: 'gla_AbCdEf…',
    created_by_name: 'Ada Lovelace',
    created_at: '2025-01-01T10:00:00Z',
    revoked_at: revoked ? '2025-01-02T10:00:00Z' : null,
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('AgentKeys', () => {
  it('shows a new key once, lists keys by their hint only, and revokes one', async () => {
    let keys: AgentKey[] = [];
    const { calls } = fakeApi({
      [`GET ${path}`]: () => json(200, { items: keys }),
      [`POST ${path}`]: () => {
        keys = [key('k1', 'Website widget')];
        return json(201, { ...keys[0], secret: 'gla_the-secret-shown-once' });
      },
      [`POST ${path}/k1/revoke`]: () => {
        keys = [key('k1', 'Website widget', true)];
        return json(200, keys[0]);
      },
    });
    render(
      <ToastProvider>
        <AgentKeys agentId={agentId} />
      </ToastProvider>,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Create key' }));
    expect(await screen.findByText('Give the key a name, such as the runtime that will use it.')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('New key name'), 'Website widget');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByTestId('new-key-secret')).textContent).toBe('gla_the-secret-shown-once');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Website widget' });
    const table = await screen.findByRole('table', { name: 'Keys' });
    expect(within(table).queryByText(/the-secret/)).toBeNull();
    expect(within(table).getByText('gla_AbCdEf…')).toBeTruthy();

    await userEvent.click(within(table).getByRole('button', { name: 'Revoke' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke key' }));
    expect(await within(table).findByText(/^Revoked/)).toBeTruthy();
    expect(within(table).queryByRole('button', { name: 'Revoke' })).toBeNull();
  });

  it('says what went wrong when the key cannot be made', async () => {
    fakeApi({
      [`GET ${path}`]: () => json(200, { items: [] }),
      [`POST ${path}`]: () => apiError(403, 'forbidden', 'your role (user) may not update agents'),
    });
    render(
      <ToastProvider>
        <AgentKeys agentId={agentId} />
      </ToastProvider>,
    );
    await userEvent.type(await screen.findByLabelText('New key name'), 'Widget');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText(/may not update agents/)).toBeTruthy();
  });
});
