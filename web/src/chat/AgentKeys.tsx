import { useCallback, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { asApiError } from '../api/error';
import { CopyButton } from '../ui/CopyButton';
import { ConfirmDialog } from '../ui/Dialog';
import { Alert, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { useResource } from '../ui/useResource';
import './chat.css';
import type { AgentKey } from './types';

/**
 * The agent's keys for the chat runtime (owners and admins): make one (its secret is shown
 * once, here), see them, revoke one.
 */
export function AgentKeys({ agentId }: { agentId: string }) {
  const load = useCallback(() => unwrap(api.GET('/agents/{agentId}/keys', { params: { path: { agentId } } })), [agentId]);
  const keys = useResource(load, agentId);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<AgentKey | null>(null);

  async function create(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Give the key a name, such as the runtime that will use it.');
    setPending(true);
    setError(null);
    try {
      const made = await unwrap(api.POST('/agents/{agentId}/keys', { params: { path: { agentId } }, body: { name: trimmed } }));
      setSecret({ name: made.name, secret: made.secret });
      setName('');
      keys.reload();
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="agent-keys-title">
      <h2 id="agent-keys-title">Chat runtime keys</h2>
      <p className="muted">
        The chat runtime (your LLM) calls Guestlist with a key of this agent, over REST (<code>/api/v1/chat/…</code>) or
        MCP (<code>/mcp</code>), sending <code>Authorization: Bearer &lt;key&gt;</code>. A key reaches only this agent’s
        contacts and conversations.
      </p>
      {secret && (
        <Alert tone="info">
          <p className="alert__title">Key “{secret.name}” created — copy it now, it will not be shown again</p>
          <div className="chat-secret">
            <code data-testid="new-key-secret">{secret.secret}</code>
            <CopyButton text={secret.secret} what="key" />
          </div>
        </Alert>
      )}
      <form className="form" onSubmit={create} noValidate>
        <div className={`field${error ? ' field--invalid' : ''}`}>
          <label htmlFor="agent-key-name">New key name</label>
          <input id="agent-key-name" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} aria-invalid={!!error} />
          {error && <p className="field__error">{error}</p>}
        </div>
        <div className="form__actions">
          <button type="submit" className="btn btn--primary" disabled={pending}>
            {pending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
      {keys.status === 'loading' && <Loading label="Loading keys…" />}
      {keys.status === 'error' && <Alert>{keys.error.message}</Alert>}
      {keys.status === 'ready' && keys.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Keys">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>Status</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.hint}</code>
                  </td>
                  <td>
                    {formatDateTime(k.created_at)}
                    {k.created_by_name && <span className="muted"> by {k.created_by_name}</span>}
                  </td>
                  <td>{k.revoked_at ? `Revoked ${formatDateTime(k.revoked_at)}` : 'Active'}</td>
                  <td>
                    {!k.revoked_at && (
                      <button type="button" className="btn btn--small btn--ghost-danger" onClick={() => setRevoking(k)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke the key “${revoking.name}”?`}
          confirmLabel="Revoke key"
          pendingLabel="Revoking…"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await unwrap(
              api.POST('/agents/{agentId}/keys/{keyId}/revoke', { params: { path: { agentId, keyId: revoking.id } } }),
            );
            setRevoking(null);
            keys.reload();
          }}
        >
          <p>A runtime using this key is refused from now on. This cannot be undone: make a new key instead.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
