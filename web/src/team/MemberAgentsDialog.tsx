import { useId, useState, type FormEvent } from 'react';
import { api, unwrap, type Agent, type Member } from '../api/client';
import { AgentBadges } from '../agents/AgentBadges';
import { problemsFrom } from '../ui/validate';
import { Dialog } from '../ui/Dialog';
import { Alert, Loading } from '../ui/feedback';
import type { Resource } from '../ui/useResource';

/** The agents a user works in: a checklist of the workspace's agents, saved as a whole. */
export function MemberAgentsDialog({
  member,
  agents,
  onSaved,
  onClose,
}: {
  member: Member;
  agents: Resource<Agent[]> & { reload: () => void };
  onSaved: (member: Member) => void;
  onClose: () => void;
}) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set(member.agent_ids));
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const idPrefix = useId();

  function toggle(id: string, on: boolean) {
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (agents.status !== 'ready') return;
    setPending(true);
    setMessage(null);
    try {
      // In the list's order; grants of agents no longer listed are dropped with the rest.
      const agent_ids = agents.data.filter((a) => selected.has(a.id)).map((a) => a.id);
      const updated = await unwrap(
        api.PUT('/members/{userId}/agents', { params: { path: { userId: member.user_id } }, body: { agent_ids } }),
      );
      onSaved(updated);
    } catch (err) {
      setMessage(problemsFrom(err, []).message);
      setPending(false);
    }
  }

  return (
    <Dialog title={`Agents for ${member.name}`} onClose={onClose}>
      <p className="muted">
        {member.name} works only in the agents checked here: their contacts, forms and automations. Owners and admins
        work in every agent.
      </p>
      <form className="form" onSubmit={submit} noValidate>
        {message && <Alert>{message}</Alert>}
        {agents.status === 'loading' && <Loading label="Loading agents…" />}
        {agents.status === 'error' && (
          <div>
            <Alert>{agents.error.message}</Alert>
            <button type="button" className="btn" onClick={agents.reload}>
              Try again
            </button>
          </div>
        )}
        {agents.status === 'ready' && agents.data.length === 0 && (
          <p className="muted">This workspace has no agents yet. Create one on the Agents page first.</p>
        )}
        {agents.status === 'ready' && agents.data.length > 0 && (
          <fieldset className="checklist">
            <legend className="visually-hidden">Agents</legend>
            {agents.data.map((agent, i) => (
              <div key={agent.id} className="checklist__item">
                <input
                  id={`${idPrefix}-${i}`}
                  type="checkbox"
                  checked={selected.has(agent.id)}
                  onChange={(e) => toggle(agent.id, e.target.checked)}
                />
                <label htmlFor={`${idPrefix}-${i}`} className="checklist__label">
                  {agent.name}
                </label>
                <AgentBadges agent={agent} />
              </div>
            ))}
          </fieldset>
        )}
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={pending || agents.status !== 'ready'}>
            {pending ? 'Saving…' : 'Save agents'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
