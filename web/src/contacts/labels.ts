import type { ContactSource, ContactStatus } from '../api/client';

export const sourceOptions: { value: ContactSource; label: string }[] = [
  { value: 'chat', label: 'Chat' },
  { value: 'form', label: 'Form' },
  { value: 'manual', label: 'Manual' },
  { value: 'import', label: 'Import' },
  { value: 'api', label: 'API' },
];

export const statusLabels: Record<ContactStatus, string> = { active: 'Active', archived: 'Archived' };

export function statusLabel(status: string): string {
  return statusLabels[status as ContactStatus] ?? status;
}

/** "Ada Lovelace", or what identifies a contact without a name. */
export function displayName(contact: { name: string; email?: string | null; phone?: string | null }): string {
  return contact.name.trim() || contact.email || contact.phone || 'Unnamed contact';
}

/** Up to two initials for an avatar. */
export function initialsOf(name: string): string {
  const parts = name
    .trim()
    .split(/[\s@._-]+/)
    .filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [parts[0]?.[0]];
  return letters.filter(Boolean).join('').toUpperCase() || '?';
}
