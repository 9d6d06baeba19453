import { useState } from 'react';
import { api, unwrap, type Agent, type Member, type RemovedMember, type Role } from '../api/client';
import { asApiError } from '../api/error';
import { canChangeRole, canGrantAgents, canRemove, ownerFirst, roleLabel } from '../session/capabilities';
import { ConfirmDialog } from '../ui/Dialog';
import { formatDate } from '../ui/format';
import type { Resource } from '../ui/useResource';
import { MemberAgentsDialog } from './MemberAgentsDialog';
import type { Report } from './TeamPage';

const changeableRoles = [
  { value: 'admin', label: 'Admin' },
  { value: 'user', label: 'User' },
] as const;

/** The members, owner first: role, agent grants (users only) and removal, as the actor's role allows. */
export function MembersTable({
  members,
  agents,
  actorRole,
  actorId,
  workspaceName,
  onChanged,
  onRemoved,
  report,
}: {
  members: Member[];
  agents: Resource<Agent[]> & { reload: () => void };
  actorRole: Role | null;
  actorId: string;
  workspaceName: string;
  onChanged: (member: Member) => void;
  onRemoved: (removed: RemovedMember) => void;
  report: Report;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [editingAgents, setEditingAgents] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);

  async function changeRole(member: Member, role: 'admin' | 'user') {
    if (role === member.role) return;
    setBusy(member.user_id);
    report({});
    try {
      const updated = await unwrap(api.PATCH('/members/{userId}', { params: { path: { userId: member.user_id } }, body: { role } }));
      onChanged(updated);
      report({ notice: `${updated.name} is now ${updated.role === 'admin' ? 'an admin' : 'a user'}.` });
    } catch (err) {
      report({ error: asApiError(err).message });
    } finally {
      setBusy(null);
    }
  }

  async function remove(member: Member) {
    const removed = await unwrap(api.DELETE('/members/{userId}', { params: { path: { userId: member.user_id } } }));
    setRemoving(null);
    onRemoved(removed);
  }

  const agentNames = new Map((agents.status === 'ready' ? agents.data : []).map((a) => [a.id, a.name]));

  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label="Members">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">Agents</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {ownerFirst(members).map((m) => (
              <tr key={m.user_id}>
                <td>
                  <div className="table__strong">
                    {m.name}
                    {m.user_id === actorId && <span className="muted small"> (you)</span>}
                  </div>
                  <div className="muted small table__wrap">{m.email}</div>
                </td>
                <td>
                  {canChangeRole(actorRole, actorId, m) ? (
                    <select
                      className="table__select"
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      disabled={busy === m.user_id}
                      onChange={(e) => void changeRole(m, e.target.value as 'admin' | 'user')}
                    >
                      {changeableRoles.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className={`badge badge--role-${m.role}`}>{roleLabel(m.role)}</span>
                  )}
                </td>
                <td className="nowrap">
                  <time dateTime={m.since}>{formatDate(m.since)}</time>
                </td>
                <td>
                  {m.role === 'user' ? (
                    <div className="grants">
                      <span className="small">{grantSummary(m.agent_ids, agentNames)}</span>
                      {canGrantAgents(actorRole, m) && (
                        <button
                          type="button"
                          className="btn btn--small"
                          aria-label={`Edit agents of ${m.name}`}
                          onClick={() => setEditingAgents(m)}
                        >
                          Edit agents
                        </button>
                      )}
                    </div>
                  ) : (
                    <span className="muted small">All agents</span>
                  )}
                </td>
                <td className="table__actions">
                  {canRemove(actorRole, actorId, m) && (
                    <button
                      type="button"
                      className="btn btn--small btn--ghost-danger"
                      aria-label={`Remove ${m.name}`}
                      onClick={() => setRemoving(m)}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editingAgents && (
        <MemberAgentsDialog
          member={editingAgents}
          agents={agents}
          onSaved={(member) => {
            setEditingAgents(null);
            onChanged(member);
            report({ notice: `Agents of ${member.name} saved.` });
          }}
          onClose={() => setEditingAgents(null)}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove member"
          pendingLabel="Removing…"
          danger
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
        >
          <p>
            {removing.name} ({removing.email}) loses access to {workspaceName} at once, and their agent grants go with
            them. Contacts they own stay, without that owner.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function grantSummary(ids: string[], names: Map<string, string>): string {
  if (ids.length === 0) return 'No agents yet';
  if (names.size === 0) return `${ids.length} agent${ids.length === 1 ? '' : 's'}`;
  const known = ids.map((id) => names.get(id)).filter((n): n is string => n !== undefined);
  if (known.length === 0) return `${ids.length} agent${ids.length === 1 ? '' : 's'}`;
  const shown = known.slice(0, 3).join(', ');
  const more = ids.length - Math.min(known.length, 3);
  return more > 0 ? `${shown} +${more} more` : shown;
}
