import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap } from '../api/client';
import { asApiError } from '../api/error';
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

interface PeopleList {
  items: ChatPerson[];
  /** The cursor of the page after the last one read (opaque); null at the end. */
  next_cursor: string | null;
  /** How many pages the list holds. */
  pages: number;
}

function personKey(p: ChatPerson): string {
  return p.contact_id ? `c:${p.contact_id}` : `v:${p.visitor_id}`;
}

/** The people of a and then b, each once (a person can move between pages as they chat). */
function appendPeople(a: ChatPerson[], b: ChatPerson[]): ChatPerson[] {
  const seen = new Set(a.map(personKey));
  return [...a, ...b.filter((p) => !seen.has(personKey(p)))];
}

/** The agent's conversations grouped by person, with a search by name and the chosen transcript. */
export function HistoryPage() {
  const { agent } = useAgent();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim(), 300);
  const selected = params.get('conversation');
  const listKey = `${agent.id}/${q}`;
  // How many pages "Load more" has opened for this list; the refresh reads as many again.
  const opened = useRef({ key: listKey, pages: 1 });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const page = useCallback(
    (cursor: string | null) =>
      unwrap(
        api.GET('/agents/{agentId}/conversations', {
          params: { path: { agentId: agent.id }, query: { ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [agent.id, q],
  );
  const load = useCallback(async (): Promise<PeopleList> => {
    const want = opened.current.key === listKey ? opened.current.pages : 1;
    let p = await page(null);
    let list: PeopleList = { items: p.items, next_cursor: p.next_cursor, pages: 1 };
    while (list.pages < want && p.next_cursor) {
      p = await page(p.next_cursor);
      list = { items: appendPeople(list.items, p.items), next_cursor: p.next_cursor, pages: list.pages + 1 };
    }
    return list;
  }, [page, listKey]);
  const people = useResource(load, listKey);
  const { reload } = people;
  // What the timer and an answering "Load more" need to know of the latest render.
  const latest = useRef({ listKey, refreshing: false, loadingMore: false });
  latest.current = { listKey, refreshing: people.refreshing, loadingMore };
  useEffect(() => {
    const timer = setInterval(() => {
      // A refresh now would drop the page being added; the next tick catches up.
      if (!latest.current.loadingMore) reload();
    }, LIST_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useEffect(() => setMoreError(null), [listKey]);

  async function loadMore() {
    if (people.status !== 'ready' || !people.data.next_cursor || loadingMore) return;
    const shown = people.data;
    const key = listKey;
    latest.current.loadingMore = true;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const p = await page(shown.next_cursor);
      if (latest.current.listKey !== key) return; // another search meanwhile
      opened.current = { key, pages: shown.pages + 1 };
      // A refresh under way answers with the pages it started with: start it again instead.
      if (latest.current.refreshing) reload();
      else people.replace({ items: appendPeople(shown.items, p.items), next_cursor: p.next_cursor, pages: shown.pages + 1 });
    } catch (err) {
      setMoreError(asApiError(err).message);
    } finally {
      setLoadingMore(false);
    }
  }

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
        {moreError && <Alert>{moreError}</Alert>}
        {people.status === 'ready' && people.data.next_cursor && (
          <div className="load-more">
            <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          </div>
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
