import type { components } from '../api/schema';

export type AgentKey = components['schemas']['AgentKey'];
export type Conversation = components['schemas']['Conversation'];
export type ChatMessage = components['schemas']['ChatMessage'];
export type ChatPerson = components['schemas']['ChatPerson'];
export type Transcript = components['schemas']['Transcript'];
export type FieldSource = components['schemas']['FieldSource'];

/** How often a live conversation's transcript asks for new messages. */
export const LIVE_POLL_MS = 2000;

/** The most messages one transcript answer carries (the server's TranscriptPageSize); a full page means more may follow. */
export const TRANSCRIPT_PAGE_SIZE = 500;

/** Where a conversation (and one of its messages) is shown in the History page. */
export function historyLink(agentId: string, conversationId: string, messageId?: string | null): string {
  const q = new URLSearchParams({ conversation: conversationId });
  if (messageId) q.set('message', messageId);
  return `/agents/${agentId}/history?${q.toString()}`;
}

export const roleLabels: Record<ChatMessage['role'], string> = { visitor: 'Visitor', agent: 'Agent', tool: 'Tool' };
