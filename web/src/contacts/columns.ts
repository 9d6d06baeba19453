import type { CustomField } from '../api/client';

/** Where the custom-field columns chosen for an agent's contact list are remembered. */
export function columnsKey(agentId: string): string {
  return `guestlist.contacts.columns.${agentId}`;
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

function defaultStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage disabled (privacy settings): the choice lasts for the page only
  }
}

/** The field keys chosen for an agent, as saved (unknown keys included: fields may load later). */
export function loadColumns(agentId: string, storage: Storage | undefined = defaultStorage()): string[] {
  try {
    const raw = storage?.getItem(columnsKey(agentId));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

export function saveColumns(agentId: string, keys: readonly string[], storage: Storage | undefined = defaultStorage()) {
  try {
    storage?.setItem(columnsKey(agentId), JSON.stringify(keys));
  } catch {
    // Full or disabled storage: the choice lasts for the page only.
  }
}

/** The chosen columns that are active fields, in the fields' order (the settings decide the order). */
export function visibleColumns(fields: readonly CustomField[], chosen: readonly string[]): CustomField[] {
  const set = new Set(chosen);
  return fields.filter((f) => !f.archived_at && set.has(f.key));
}

/** Adds or removes a field's key from the choice. */
export function toggleColumn(chosen: readonly string[], key: string, on: boolean): string[] {
  const rest = chosen.filter((k) => k !== key);
  return on ? [...rest, key] : rest;
}
