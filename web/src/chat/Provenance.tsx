import { useCallback } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { formatDateTime } from '../ui/format';
import { useResource } from '../ui/useResource';
import './chat.css';
import { historyLink, type FieldSource } from './types';

/**
 * Where the agent captured the contact's values, by field ("name", "email", "phone",
 * "custom.<key>"). `version` reloads it when the contact changes. Empty while loading or when
 * the list cannot be read: provenance is a hint, never in the way.
 */
export function useFieldSources(agentId: string, contactId: string, version: string): Map<string, FieldSource> {
  const load = useCallback(
    () => unwrap(api.GET('/agents/{agentId}/contacts/{contactId}/sources', { params: { path: { agentId, contactId } } })),
    [agentId, contactId],
  );
  const sources = useResource(load, `${agentId}/${contactId}/${version}`);
  return new Map(sources.status === 'ready' ? sources.data.items.map((s) => [s.field, s]) : []);
}

/** "captured from chat on …", linking to the message the value came from. */
export function CapturedFrom({ agentId, source }: { agentId: string; source: FieldSource | undefined }) {
  if (!source) return null;
  return (
    <Link className="captured-from muted" to={historyLink(agentId, source.conversation_id, source.message_id)}>
      captured from chat on {formatDateTime(source.captured_at)}
    </Link>
  );
}
