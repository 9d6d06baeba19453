import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api } from '../api/client';
import { asApiError, toApiError } from '../api/error';
import { useCapabilities } from '../session/SessionContext';
import { Alert } from '../ui/feedback';
import './chat.css';
import { extract, isEmpty, nextReply, type Captured } from './extract';

interface Line {
  id: string;
  role: 'visitor' | 'agent' | 'tool';
  content: string;
}

function newId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Throws the one error shape of a runtime call; never signs the member out (a bad key is a 401 too). */
async function runtime<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}

function contactLabel(c: { name: string; email: string | null; phone: string | null }): string {
  return c.name || c.email || c.phone || 'contact';
}

const keyStore = (agentId: string) => `guestlist.demo-chat.key.${agentId}`;

/**
 * Plays the chat runtime without an LLM: a visitor types, plain rules (./extract) find a name,
 * an email or a phone, and the page calls the agent tools with an agent key, exactly as a
 * runtime would. The conversation and the captured contact show up in History and the CRM.
 */
export function DemoChatPage() {
  const { agent } = useAgent();
  const caps = useCapabilities();
  const [key, setKey] = useState(() => sessionStorage.getItem(keyStore(agent.id)) ?? '');
  const [draftKey, setDraftKey] = useState('');
  const [keyProblem, setKeyProblem] = useState<string | null>(null);
  const [visitor, setVisitor] = useState(() => `demo-${newId()}`);
  const [conversation, setConversation] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [known, setKnown] = useState<Captured>({});
  const [contact, setContact] = useState<{ id: string; label: string; created: boolean } | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const bottom = useRef<HTMLLIElement | null>(null);
  const auth = { Authorization: `Bearer ${key}` };

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [lines]);

  function rememberKey(k: string) {
    sessionStorage.setItem(keyStore(agent.id), k);
    setKey(k);
  }

  async function createDemoKey() {
    setKeyProblem(null);
    try {
      const made = await runtime(api.POST('/agents/{agentId}/keys', { params: { path: { agentId: agent.id } }, body: { name: 'Demo chat page' } }));
      rememberKey(made.secret);
    } catch (err) {
      setKeyProblem(asApiError(err).message);
    }
  }

  function reset() {
    setVisitor(`demo-${newId()}`);
    setConversation(null);
    setLines([]);
    setKnown({});
    setContact(null);
    setProblem(null);
  }

  async function say(conv: string, role: Line['role'], content: string): Promise<string> {
    const id = newId();
    await runtime(
      api.POST('/chat/conversations/{conversationId}/messages', {
        params: { path: { conversationId: conv } },
        headers: auth,
        body: { client_message_id: id, role, content },
      }),
    );
    setLines((l) => [...l, { id, role, content }]);
    return id;
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    const message = text.trim();
    if (!message || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      let conv = conversation;
      if (!conv) {
        const started = await runtime(
          api.POST('/chat/conversations', { headers: auth, body: { visitor_id: visitor, title: 'Demo chat' } }),
        );
        conv = started.id;
        setConversation(conv);
      }
      setText('');
      const messageId = await say(conv, 'visitor', message);
      const fresh = extract(message);
      // What the visitor has given so far; a contact needs an email or a phone, so a name alone
      // waits here (not saved) until one of them arrives.
      let next: Captured = { ...known, ...fresh };
      let refused: string | undefined;
      let returning = false;
      if (!isEmpty(fresh) && (contact || next.email || next.phone)) {
        try {
          let contactId = contact?.id;
          if (!contactId) {
            // The visitor may be a contact already: ask before saving, as a runtime would.
            const by = { ...(next.email ? { email: next.email } : {}), ...(next.phone ? { phone: next.phone } : {}) };
            try {
              const found = await runtime(api.POST('/chat/lookup', { headers: auth, body: by }));
              contactId = found.id;
              returning = true;
              await say(conv, 'tool', `lookup → found contact ${contactLabel(found)}`);
            } catch (err) {
              if (asApiError(err).status !== 404) throw err;
              await say(conv, 'tool', 'lookup → no contact with these details');
            }
          }
          // A new contact gets everything given so far (the name said earlier too); a known one
          // what this message adds.
          const details = contact ? fresh : next;
          const saved = await runtime(
            api.POST('/chat/save', {
              headers: auth,
              body: { conversation_id: conv, message_id: messageId, ...(contactId ? { contact_id: contactId } : {}), ...details },
            }),
          );
          const c = saved.contact;
          next = { name: c.name || undefined, email: c.email ?? undefined, phone: c.phone ?? undefined };
          setContact({ id: c.id, label: contactLabel(c), created: saved.created });
          await say(conv, 'tool', `save → ${saved.created ? 'created' : 'updated'} contact; written: ${saved.written.join(', ') || 'nothing new'}`);
        } catch (err) {
          const error = asApiError(err);
          if (error.status === 401) throw err;
          returning = false;
          const field = Object.keys(error.fields)[0];
          refused = field ? `that ${field} does not look right (${error.fields[field]})` : error.message;
          // Ask again for what was refused; keep the rest.
          if (field === 'email' || field === 'phone' || field === 'name') next = { ...next, [field]: known[field] };
          if (contact) next = known;
        }
      }
      setKnown(next);
      await say(conv, 'agent', nextReply(next, fresh, refused, returning));
    } catch (err) {
      const error = asApiError(err);
      setProblem(error.status === 401 ? 'This key is not valid for this agent (revoked or mistyped). Use another key.' : error.message);
    } finally {
      setBusy(false);
    }
  }

  if (!key) {
    return (
      <section className="card stack chat-demo" aria-labelledby="demo-title">
        <h2 id="demo-title">Demo chat</h2>
        <p>
          This page plays the chat runtime without an LLM: simple rules find names, emails and phone numbers in what the
          visitor types, and it calls the agent tools with one of the agent’s keys, exactly as a runtime would.
        </p>
        {keyProblem && <Alert>{keyProblem}</Alert>}
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (draftKey.trim()) rememberKey(draftKey.trim());
          }}
        >
          <div className="field">
            <label htmlFor="demo-key">Agent key</label>
            <input id="demo-key" value={draftKey} onChange={(e) => setDraftKey(e.target.value)} placeholder="gla_…" autoComplete="off" />
          </div>
          <div className="form__actions">
            {caps.manageAgents && (
              <button type="button" className="btn" onClick={() => void createDemoKey()}>
                Create a key for this demo
              </button>
            )}
            <button type="submit" className="btn btn--primary">
              Use this key
            </button>
          </div>
        </form>
        {!caps.manageAgents && <p className="muted">Ask an owner or admin for a key of this agent (agent settings).</p>}
      </section>
    );
  }

  return (
    <section className="card stack chat-demo" aria-labelledby="demo-title">
      <div className="chat-person__head">
        <h2 id="demo-title">Demo chat</h2>
        <div>
          <button type="button" className="btn btn--small" onClick={reset}>
            New visitor
          </button>{' '}
          <button
            type="button"
            className="btn btn--small btn--ghost"
            onClick={() => {
              sessionStorage.removeItem(keyStore(agent.id));
              setKey('');
              reset();
            }}
          >
            Change key
          </button>
        </div>
      </div>
      <p className="muted">
        You are the visitor. Try “Hi, I’m Ada Lovelace, ada@example.com”.
        {conversation && (
          <>
            {' '}
            <Link to={`/agents/${agent.id}/history?conversation=${conversation}`}>See it in History</Link>
          </>
        )}
      </p>
      {contact && (
        <Alert tone="info">
          Saved as contact{' '}
          <Link to={`/agents/${agent.id}/contacts/${contact.id}?tab=chat`}>{contact.label}</Link> (via Chat)
        </Alert>
      )}
      {!contact && (known.name || known.email || known.phone) && (
        <p className="muted" role="note">
          Noted, not saved yet: {[known.name, known.email, known.phone].filter(Boolean).join(', ')}. A contact needs an email or a phone; it is saved as soon as the visitor gives one.
        </p>
      )}
      {problem && <Alert>{problem}</Alert>}
      <ol className="chat-messages" aria-label="Chat" aria-live="polite">
        {lines.length === 0 && (
          <li className="chat-message chat-message--agent">Hello! I’m the assistant of {agent.name}. How can I help you?</li>
        )}
        {lines.map((l) => (
          <li key={l.id} className={`chat-message chat-message--${l.role}`}>
            {l.content}
          </li>
        ))}
        <li ref={bottom} aria-hidden="true" />
      </ol>
      <form className="chat-demo__form" onSubmit={send}>
        <label htmlFor="demo-message" className="visually-hidden">
          Your message
        </label>
        <input
          id="demo-message"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Type a message"
          maxLength={32000}
          autoComplete="off"
        />
        <button type="submit" className="btn btn--primary" disabled={busy || !text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
