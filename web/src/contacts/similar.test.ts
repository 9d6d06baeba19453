import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimilarContact } from '../api/client';
import { createSimilarChecker, reasonsLabel, similarQuery, type SimilarState } from './similar';

function contact(id: string, reasons: SimilarContact['reasons']): SimilarContact {
  return { id, name: id, email: null, phone: null, status: 'active', reasons, name_similarity: 0.2 };
}

describe('similarQuery', () => {
  it('asks only about values worth asking about', () => {
    expect(similarQuery({ name: 'Ad', email: 'ada@', phone: '555' })).toBeNull();
    expect(similarQuery({ name: ' Ada ', email: 'ADA@Example.com', phone: '+1 (555) 010-99' })).toEqual({
      name: 'Ada',
      email: 'ADA@Example.com',
      phone: '+1 (555) 010-99',
    });
    expect(similarQuery({ name: '', email: 'ada@example.c', phone: '' })).toBeNull();
  });

  it('says why a contact is similar', () => {
    expect(reasonsLabel(['email', 'name'])).toBe('same email, similar name');
  });
});

describe('createSimilarChecker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks once the typing pauses, and only for what changed', async () => {
    const lookup = vi.fn(async (_query: unknown, _signal: AbortSignal) => [contact('c1', ['email']), contact('c2', [])]);
    const states: SimilarState[] = [];
    const checker = createSimilarChecker({ lookup, delay: 300, onChange: (s) => states.push(s) });
    checker.update({ name: '', email: 'ada@example.co', phone: '' });
    await vi.advanceTimersByTimeAsync(100);
    checker.update({ name: '', email: 'ada@example.com', phone: '' });
    await vi.advanceTimersByTimeAsync(299);
    expect(lookup).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup.mock.calls[0]![0]).toEqual({ email: 'ada@example.com' });
    expect(states.at(-1)).toEqual({ status: 'ready', items: [contact('c1', ['email'])] });

    // The same question again (a re-render, trailing spaces) asks nothing.
    checker.update({ name: '', email: ' ada@example.com ', phone: '' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(lookup).toHaveBeenCalledTimes(1);

    // Nothing left to ask about clears the warning at once.
    checker.update({ name: '', email: '', phone: '' });
    expect(states.at(-1)).toEqual({ status: 'idle', items: [] });
    checker.dispose();
  });

  it('drops the answer to a question that was replaced', async () => {
    const answers: ((items: SimilarContact[]) => void)[] = [];
    const lookup = vi.fn(
      (_q: unknown, signal: AbortSignal) =>
        new Promise<SimilarContact[]>((resolve) => {
          answers.push(resolve);
          signal.addEventListener('abort', () => {});
        }),
    );
    const states: SimilarState[] = [];
    const checker = createSimilarChecker({ lookup, delay: 10, onChange: (s) => states.push(s) });
    checker.update({ name: 'Ada Lovelace', email: '', phone: '' });
    await vi.advanceTimersByTimeAsync(10);
    checker.update({ name: 'Grace Hopper', email: '', phone: '' });
    await vi.advanceTimersByTimeAsync(10);
    answers[1]!([contact('grace', ['name'])]);
    await vi.advanceTimersByTimeAsync(0);
    answers[0]!([contact('ada', ['name'])]);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ status: 'ready', items: [contact('grace', ['name'])] });
  });

  it('clears the warning when the lookup fails', async () => {
    const lookup = vi.fn(async () => {
      throw new Error('offline');
    });
    const states: SimilarState[] = [];
    const checker = createSimilarChecker({ lookup, delay: 10, onChange: (s) => states.push(s) });
    checker.update({ name: 'Ada Lovelace', email: '', phone: '' });
    await vi.advanceTimersByTimeAsync(10);
    expect(states.map((s) => s.status)).toEqual(['checking', 'idle']);
  });
});
