import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { asApiError } from '../api/error';
import { Alert, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import './chat.css';
import { historyLink, LIVE_POLL_MS, roleLabels, TRANSCRIPT_PAGE_SIZE, type ChatMessage, type Conversation } from './types';

/**
 * Whether to ask for the next page of a transcript: the page came back full, or it brought
 * messages and the conversation counts more than we have (should the server's page shrink).
 * An empty page always ends the reading, so a count that is off cannot loop.
 */
export function morePages(pageLength: number, have: number, messageCount: number): boolean {
  if (pageLength === 0) return false;
  return pageLength >= TRANSCRIPT_PAGE_SIZE || have < messageCount;
}

/**
 * A conversation's messages in order. The server answers at most TRANSCRIPT_PAGE_SIZE messages
 * a call, so it reads on (after the last seq it has) while a page comes back full, whether or
 * not the conversation is live. While the conversation is live it asks every two seconds for
 * the messages after the last one it has. `highlight` marks (and scrolls to) one message.
 */
export function TranscriptView({
  agentId,
  conversationId,
  highlight,
  showHistoryLink,
}: {
  agentId: string;
  conversationId: string;
  highlight?: string | null;
  showHistoryLink?: boolean;
}) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [label, setLabel] = useState('');
  const [messages, setMessages] = useState<ChatMessage[] | null>(null);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const scrolled = useRef(false);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    let all: ChatMessage[] = [];
    setMessages(null);
    setConversation(null);
    setComplete(false);
    setError(null);
    scrolled.current = false;
    async function load() {
      try {
        let live = false;
        for (;;) {
          const t = await unwrap(
            api.GET('/agents/{agentId}/conversations/{conversationId}', {
              params: { path: { agentId, conversationId }, query: { after: last } },
            }),
          );
          if (cancelled) return;
          all = [...all, ...t.messages];
          last = all.length > 0 ? all[all.length - 1]!.seq : last;
          setConversation(t.conversation);
          setLabel(t.label);
          setMessages(all);
          live = t.conversation.live;
          if (!morePages(t.messages.length, all.length, t.conversation.message_count)) break;
        }
        setComplete(true);
        if (live) timer = setTimeout(() => void load(), LIVE_POLL_MS);
      } catch (err) {
        if (!cancelled) setError(asApiError(err).message);
      }
    }
    void load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [agentId, conversationId]);

  useEffect(() => {
    if (!highlight || !messages || scrolled.current) return;
    const el = document.getElementById(`message-${highlight}`);
    if (el) {
      el.scrollIntoView?.({ block: 'center' });
      scrolled.current = true;
    }
  }, [highlight, messages]);

  if (error) return <Alert>{error}</Alert>;
  if (!conversation || !messages) return <Loading label="Loading conversation…" />;
  return (
    <section className="chat-transcript card" aria-label={`Conversation with ${label}`}>
      <header className="chat-person__head">
        <span>
          {conversation.title || 'Conversation'} — {label}
        </span>
        {conversation.live ? <span className="chat-live">Live</span> : <span className="muted">Ended</span>}
      </header>
      <p className="muted">
        Started {formatDateTime(conversation.started_at)} · {conversation.message_count} message
        {conversation.message_count === 1 ? '' : 's'}
        {showHistoryLink && (
          <>
            {' · '}
            <Link to={historyLink(agentId, conversation.id)}>Open in History</Link>
          </>
        )}
      </p>
      {messages.length === 0 ? (
        <p className="muted">No messages yet.</p>
      ) : (
        <ol className="chat-messages" aria-label="Messages" aria-live={conversation.live ? 'polite' : undefined}>
          {messages.map((m) => (
            <li
              key={m.id}
              id={`message-${m.id}`}
              className={`chat-message chat-message--${m.role}${m.id === highlight ? ' chat-message--highlight' : ''}`}
            >
              <span className="chat-message__meta">
                {roleLabels[m.role]} · {formatDateTime(m.sent_at)}
              </span>
              {m.content}
            </li>
          ))}
        </ol>
      )}
      {!complete && <Loading label="Loading more messages…" />}
    </section>
  );
}
