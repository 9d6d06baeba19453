import { useCallback, useState } from 'react';
import { api, unwrap } from '../api/client';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { PeopleIcon } from '../ui/icons';
import { useResource } from '../ui/useResource';
import './chat.css';
import { TranscriptView } from './TranscriptView';

/** A contact's conversations with the agent (the contact page's Chat Conversation tab). */
export function ContactChats({ agentId, contactId }: { agentId: string; contactId: string }) {
  const load = useCallback(
    () => unwrap(api.GET('/agents/{agentId}/contacts/{contactId}/conversations', { params: { path: { agentId, contactId } } })),
    [agentId, contactId],
  );
  const convs = useResource(load, `${agentId}/${contactId}`);
  const [chosen, setChosen] = useState<string | null>(null);

  if (convs.status === 'loading') return <Loading label="Loading conversations…" />;
  if (convs.status === 'error') return <Alert>{convs.error.message}</Alert>;
  const items = convs.data.items;
  if (items.length === 0) {
    return (
      <EmptyState icon={<PeopleIcon />} title="No chats yet">
        Conversations of the agent with this contact will appear here.
      </EmptyState>
    );
  }
  const current = chosen ?? items[0]!.id;
  return (
    <div className="stack">
      {items.length > 1 && (
        <div className="field">
          <label htmlFor="contact-conversation">Conversation</label>
          <select id="contact-conversation" value={current} onChange={(e) => setChosen(e.target.value)}>
            {items.map((c) => (
              <option key={c.id} value={c.id}>
                {(c.title || 'Conversation') + ' — ' + formatDateTime(c.started_at)}
              </option>
            ))}
          </select>
        </div>
      )}
      <TranscriptView agentId={agentId} conversationId={current} showHistoryLink />
    </div>
  );
}
