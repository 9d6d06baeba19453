import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json } from '../test/fakeApi';
import { morePages, TranscriptView } from './TranscriptView';
import { TRANSCRIPT_PAGE_SIZE, type ChatMessage, type Conversation } from './types';

const agentId = '00000000-0000-7000-8000-0000000000b1';
const conversationId = '00000000-0000-7000-8000-0000000000c1';
const path = `/agents/${agentId}/conversations/${conversationId}`;

function conversation(count: number, live: boolean): Conversation {
  return {
    id: conversationId,
    agent_id: agentId,
    visitor_id: 'visitor-1',
    contact_id: null,
    title: 'Long chat',
    message_count: count,
    started_at: '2025-01-01T10:00:00Z',
    last_message_at: '2025-01-01T12:00:00Z',
    ended_at: live ? null : '2025-01-01T12:00:00Z',
    live,
  };
}

function message(seq: number): ChatMessage {
  return {
    id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    conversation_id: conversationId,
    seq,
    client_message_id: `m${seq}`,
    role: seq % 2 ? 'visitor' : 'agent',
    content: `message number ${seq}`,
    sent_at: '2025-01-01T10:00:00Z',
  };
}

/** The server's paging: at most TRANSCRIPT_PAGE_SIZE messages after `after`. */
function transcriptApi(total: number, live = false) {
  const afters: number[] = [];
  const all = Array.from({ length: total }, (_, i) => message(i + 1));
  const api = fakeApi({
    [`GET ${path}`]: (req) => {
      const after = Number(new URL(req.url).searchParams.get('after') ?? 0);
      afters.push(after);
      const messages = all.filter((m) => m.seq > after).slice(0, TRANSCRIPT_PAGE_SIZE);
      return json(200, { conversation: conversation(total, live), label: 'Anonymous User', messages });
    },
  });
  return { ...api, afters };
}

afterEach(() => vi.unstubAllGlobals());

describe('TranscriptView', () => {
  it('reads every page of an ended conversation and highlights a message past the first page', async () => {
    const { afters } = transcriptApi(1234);
    const target = message(1200).id;
    render(
      <MemoryRouter>
        <TranscriptView agentId={agentId} conversationId={conversationId} highlight={target} />
      </MemoryRouter>,
    );
    const list = await screen.findByRole('list', { name: 'Messages' });
    expect(await within(list).findByText('message number 1234')).toBeTruthy();
    expect(within(list).getAllByRole('listitem')).toHaveLength(1234);
    expect(document.getElementById(`message-${target}`)?.className).toContain('chat-message--highlight');
    expect(afters).toEqual([0, 500, 1000]);
    expect(screen.queryByText('Loading more messages…')).toBeNull();
    expect(screen.getByText('Ended')).toBeTruthy();
  });

  it('asks once more after a page of exactly the page size, and stops on the empty answer', async () => {
    const { afters } = transcriptApi(TRANSCRIPT_PAGE_SIZE);
    render(
      <MemoryRouter>
        <TranscriptView agentId={agentId} conversationId={conversationId} />
      </MemoryRouter>,
    );
    expect(await screen.findByText(`message number ${TRANSCRIPT_PAGE_SIZE}`)).toBeTruthy();
    await vi.waitFor(() => expect(screen.queryByText('Loading more messages…')).toBeNull());
    expect(afters).toEqual([0, 500]);
  });

  it('reads on when a page is full, when the conversation counts more, and never on an empty page', () => {
    expect(morePages(TRANSCRIPT_PAGE_SIZE, TRANSCRIPT_PAGE_SIZE, TRANSCRIPT_PAGE_SIZE)).toBe(true);
    expect(morePages(200, 200, 900)).toBe(true);
    expect(morePages(120, 620, 620)).toBe(false);
    expect(morePages(0, 10, 900)).toBe(false);
  });
});
