import { useState } from 'react';
import { useNavigate } from 'react-router';
import { asApiError } from '../api/error';
import { roleLabel } from '../session/capabilities';
import { useSession, useSessionApi } from '../session/SessionContext';

/** Lists the user's workspaces with their role; choosing one makes it current. */
export function WorkspaceSwitcher({ onError }: { onError: (message: string | null) => void }) {
  const session = useSession();
  const { switchWorkspace } = useSessionApi();
  const navigate = useNavigate();
  const [pending, setPending] = useState(false);

  async function choose(id: string) {
    if (id === session.current_workspace_id) return;
    setPending(true);
    onError(null);
    try {
      await switchWorkspace(id);
      // Pages of the old workspace (an agent, say) do not exist in the new one.
      navigate('/agents');
    } catch (err) {
      onError(asApiError(err).message);
    } finally {
      setPending(false);
    }
  }

  if (session.workspaces.length === 0) return <span className="muted small">No workspace</span>;

  return (
    <div className="switcher">
      <label htmlFor="workspace-switcher" className="visually-hidden">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        className="switcher__select"
        value={session.current_workspace_id ?? ''}
        disabled={pending}
        onChange={(e) => void choose(e.target.value)}
      >
        {session.workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} · {roleLabel(w.role)}
          </option>
        ))}
      </select>
    </div>
  );
}
