import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type SimilarContact } from '../api/client';

/** What is being typed into a contact form. */
export interface SimilarValues {
  name: string;
  email: string;
  phone: string;
}

export interface SimilarQuery {
  name?: string;
  email?: string;
  phone?: string;
}

/**
 * What is worth asking about: a name of 3 or more characters, something that looks like a whole
 * email, a phone with 6 or more digits (the server ignores what it cannot read; this only
 * spares requests on every keystroke of a half-typed value). null: nothing to ask.
 */
export function similarQuery(values: SimilarValues): SimilarQuery | null {
  const query: SimilarQuery = {};
  const name = values.name.trim();
  const email = values.email.trim();
  const phone = values.phone.trim();
  if (name.length >= 3) query.name = name;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email)) query.email = email;
  if (phone.replace(/\D/g, '').length >= 6) query.phone = phone;
  return Object.keys(query).length > 0 ? query : null;
}

const reasonLabels: Record<SimilarContact['reasons'][number], string> = {
  email: 'same email',
  phone: 'same phone',
  name: 'similar name',
};

/** "same email, similar name". */
export function reasonsLabel(reasons: readonly string[]): string {
  return reasons.map((r) => reasonLabels[r as keyof typeof reasonLabels] ?? r).join(', ');
}

export type SimilarState =
  | { status: 'idle'; items: SimilarContact[] }
  | { status: 'checking'; items: SimilarContact[] }
  | { status: 'ready'; items: SimilarContact[] };

export type SimilarLookup = (query: SimilarQuery, signal: AbortSignal) => Promise<SimilarContact[]>;

/**
 * The duplicate warning's logic, apart from React: update() with every change of the values;
 * after `delay` ms without a change it asks `lookup`, and reports the contacts that match for a
 * reason. A newer question cancels an older one, so a slow answer never overwrites a newer one;
 * a failed lookup clears the warning (it is a hint, not a check: the server checks on submit).
 */
export function createSimilarChecker(options: {
  lookup: SimilarLookup;
  delay: number;
  onChange: (state: SimilarState) => void;
}) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  let lastKey = '';
  let state: SimilarState = { status: 'idle', items: [] };
  const set = (next: SimilarState) => {
    state = next;
    options.onChange(next);
  };

  return {
    update(values: SimilarValues) {
      const query = similarQuery(values);
      const key = query ? JSON.stringify(query) : '';
      if (key === lastKey) return;
      lastKey = key;
      clearTimeout(timer);
      inFlight?.abort();
      if (!query) {
        if (state.status !== 'idle' || state.items.length > 0) set({ status: 'idle', items: [] });
        return;
      }
      timer = setTimeout(() => {
        const controller = new AbortController();
        inFlight = controller;
        set({ status: 'checking', items: state.items });
        options.lookup(query, controller.signal).then(
          (items) => {
            if (controller.signal.aborted) return;
            set({ status: 'ready', items: items.filter((c) => c.reasons.length > 0) });
          },
          () => {
            if (!controller.signal.aborted) set({ status: 'idle', items: [] });
          },
        );
      }, options.delay);
    },
    dispose() {
      clearTimeout(timer);
      inFlight?.abort();
    },
  };
}

function apiLookup(agentId: string, exclude?: string): SimilarLookup {
  return (query, signal) =>
    unwrap(
      api.GET('/agents/{agentId}/contacts/similar', {
        params: { path: { agentId }, query: { ...query, ...(exclude ? { exclude } : {}) } },
        signal,
      }),
    ).then((page) => page.items);
}

/** Contacts like the ones being typed into a contact form, for "a similar contact exists". */
export function useSimilarContacts(
  agentId: string,
  values: SimilarValues,
  options: { exclude?: string; delay?: number; enabled?: boolean } = {},
): SimilarState {
  const [state, setState] = useState<SimilarState>({ status: 'idle', items: [] });
  const checker = useRef<ReturnType<typeof createSimilarChecker> | null>(null);
  const { exclude, delay = 350, enabled = true } = options;

  useEffect(() => {
    const c = createSimilarChecker({ lookup: apiLookup(agentId, exclude), delay, onChange: setState });
    checker.current = c;
    return () => {
      c.dispose();
      checker.current = null;
    };
  }, [agentId, exclude, delay]);

  const { name, email, phone } = values;
  useEffect(() => {
    checker.current?.update(enabled ? { name, email, phone } : { name: '', email: '', phone: '' });
  }, [name, email, phone, enabled, agentId, exclude, delay]);

  return state;
}
