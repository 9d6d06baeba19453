import type { Contact } from '../api/client';

/** What may be typed to confirm erasing a contact: its email or its name (or its phone when it has neither). */
export function eraseConfirmations(contact: Pick<Contact, 'name' | 'email' | 'phone'>): string[] {
  const words = [contact.email ?? '', contact.name.trim()].filter(Boolean);
  if (words.length === 0 && contact.phone) words.push(contact.phone);
  return words;
}

/** Whether the typed text confirms the erase (case and surrounding spaces do not matter). */
export function confirmsErase(contact: Pick<Contact, 'name' | 'email' | 'phone'>, typed: string): boolean {
  const text = typed.trim().toLowerCase();
  return text !== '' && eraseConfirmations(contact).some((w) => w.trim().toLowerCase() === text);
}

/** Where a contact's export (a ZIP) is downloaded from. */
export function exportUrl(base: string, agentId: string, contactId: string): string {
  return `${base}/agents/${agentId}/contacts/${contactId}/export`;
}
