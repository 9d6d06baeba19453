import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap } from '../api/client';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { formatDateTime, formatRelative } from '../ui/format';
import { PeopleIcon } from '../ui/icons';
import { useDebounced } from '../ui/useDebounced';
import { useResource } from '../ui/useResource';
import './chat.css';
import { TranscriptView } from './TranscriptView';
import type { ChatPerson } from './types';

/** How often the list of people refreshes, so new conversations show up. */
const LIST_POLL_MS = 5000;

/** The agent's conversations grouped by person, with a search by name and the chosen transcript. */
export function HistoryPage() {
  const { agent } = useAgent();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim(), 300);
  const selected = params.get('conversation');
  const load = useCallback(
    () =>
      unwrap(api.GET('/agents/{agentId}/conversations', { params: { path: { agentId: agent.id }, query: q ? { q } : {} } })),
    [agent.id, q],
  );
  const people = useResource(load, `${agent.id}/${q}`);
  const { reload } = people;
  useEffect(() => {
    const timer = setInterval(reload, LIST_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);

  function choose(conversationId: string) {
    const next = new URLSearchParams(params);
    next.set('conversation', conversationId);
    next.delete('message');
    setParams(next);
  }

  return (
    <div className="chat-history">
      <section className="chat-people card" aria-label="People">
        <div className="field">
          <label htmlFor="history-search">Search by name</label>
          <input id="history-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {people.status === 'loading' && <Loading label="Loading conversations…" />}
        {people.status === 'error' && <Alert>{people.error.message}</Alert>}
        {people.status === 'ready' && people.data.items.length === 0 && (
          <p className="muted">{q ? `Nobody named like “${q}” has chatted.` : 'No conversations yet.'}</p>
        )}
        {people.status === 'ready' && people.data.items.length > 0 && (
          <ul className="chat-people__list">
            {people.data.items.map((p) => (
              <Person key={p.contact_id ?? `v:${p.visitor_id}`} agentId={agent.id} person={p} selected={selected} onChoose={choose} />
            ))}
          </ul>
        )}
      </section>
      <div>
        {selected ? (
          <TranscriptView agentId={agent.id} conversationId={selected} highlight={params.get('message')} />
        ) : (
          <EmptyState icon={<PeopleIcon />} title="Choose a conversation">
            Conversations of the agent with its visitors appear on the left, grouped by person. Try the{' '}
            <Link to={`/agents/${agent.id}/demo-chat`}>demo chat</Link> to start one.
          </EmptyState>
        )}
      </div>
    </div>
  );
}

function Person({
  agentId,
  person,
  selected,
  onChoose,
}: {
  agentId: string;
  person: ChatPerson;
  selected: string | null;
  onChoose: (id: string) => void;
}) {
  return (
    <li className="chat-person">
      <div className="chat-person__head">
        {person.contact_id ? (
          <Link to={`/agents/${agentId}/contacts/${person.contact_id}?tab=chat`}>{person.label}</Link>
        ) : (
          <span>{person.label}</span>
        )}
        {person.live ? <span className="chat-live">Live</span> : <span className="muted">{formatRelative(person.last_activity)}</span>}
      </div>
      <ul className="chat-person__convs">
        {person.conversations.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="chat-conv-button"
              aria-current={c.id === selected ? 'true' : undefined}
              onClick={() => onChoose(c.id)}
            >
              {c.title || `Conversation of ${formatDateTime(c.started_at)}`}{' '}
              <span className="muted">
                ({c.message_count} message{c.message_count === 1 ? '' : 's'})
              </span>
            </button>
          </li>
        ))}
      </ul>
    </li>
  );
}
