import type { AuditEntry } from '../api/client';

export interface TimelineItem {
  /** "Ada Lovelace", or "Guestlist" for the system (background jobs). */
  actor: string;
  /** What happened, as a sentence without the actor: "moved the contact to Customer". */
  summary: string;
  /** Details: the changed values, a note's first words, a rejection's reason. */
  details: string[];
}

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

function refName(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'object') return String(asObject(v).name ?? '—');
  return String(v);
}

/** A note's text without its formatting, shortened. */
export function plainText(html: unknown, max = 120): string {
  if (typeof html !== 'string') return '';
  const text = html
    .replace(/<(br|\/p|\/li|\/h\d)\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const contactFields: [string, string][] = [
  ['name', 'Name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['primary_owner', 'Primary owner'],
  ['secondary_owner', 'Secondary owner'],
  ['external_id', 'External ID'],
];

function contactChanges(before: Json, after: Json): string[] {
  const out: string[] = [];
  for (const [key, label] of contactFields) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) {
      out.push(`${label}: ${refName(before[key])} → ${refName(after[key])}`);
    }
  }
  const was = asObject(before.custom);
  const now = asObject(after.custom);
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (JSON.stringify(was[key] ?? null) !== JSON.stringify(now[key] ?? null)) {
      out.push(`${key}: ${refName(was[key])} → ${refName(now[key])}`);
    }
  }
  return out;
}

/** An audit entry of a contact's history as a line of its timeline. */
export function describeEntry(entry: AuditEntry): TimelineItem {
  const actor = entry.actor?.name ?? 'Guestlist';
  const before = asObject(entry.before);
  const after = asObject(entry.after);
  const item = (summary: string, details: string[] = []): TimelineItem => ({
    actor,
    summary: entry.outcome === 'success' ? summary : `tried to ${entry.action} (${entry.outcome})`,
    details,
  });
  switch (entry.resource) {
    case 'contacts': {
      switch (entry.action) {
        case 'create':
          return item(`added the contact${after.source_label ? ` (${String(after.source_label)})` : ''}`);
        case 'archive':
          return item('archived the contact');
        case 'restore':
          return item('restored the contact');
        case 'delete':
          return item('deleted the contact');
        case 'merge':
          return item('merged another contact into this one', contactChanges(before, after));
        case 'automate':
          // The "contact created" automation (a background job, so the actor is Guestlist).
          return item('assigned the owners by automation', contactChanges(before, after));
        case 'merged_into': {
          // Before is the contact merged away.
          const name = typeof before.name === 'string' && before.name.trim() ? before.name.trim() : (before.email ?? before.phone);
          return item(name ? `merged ${String(name)} into this contact` : 'merged another contact into this one');
        }
        case 'update': {
          const stageChanged = JSON.stringify(before.stage ?? null) !== JSON.stringify(after.stage ?? null);
          const changes = contactChanges(before, after);
          if (stageChanged && changes.length === 0) return item(`moved the contact to ${refName(after.stage)}`, [`Stage: ${refName(before.stage)} → ${refName(after.stage)}`]);
          if (stageChanged) changes.unshift(`Stage: ${refName(before.stage)} → ${refName(after.stage)}`);
          return item('changed the contact', changes);
        }
      }
      break;
    }
    case 'contact_notes': {
      const text = plainText(after.body_html ?? before.body_html);
      const details = text ? [text] : [];
      if (entry.action === 'create') return item('added a note', details);
      if (entry.action === 'update') return item('edited a note', details);
      if (entry.action === 'delete') return item('deleted a note', details);
      break;
    }
    case 'contact_files': {
      const name = String(after.name ?? before.name ?? 'a file');
      if (entry.action === 'create') return item(`uploaded ${name}`);
      if (entry.action === 'delete') return item(`deleted ${name}`);
      if (entry.action === 'update' && after.status === 'ready') return item(`checked ${name}: ready`);
      if (entry.action === 'update' && after.status === 'rejected') {
        return item(`rejected ${name}`, after.reject_reason ? [String(after.reject_reason)] : []);
      }
      break;
    }
  }
  return item(`${entry.action} ${entry.resource.replace(/_/g, ' ')}`);
}
