import type { components } from '../api/schema';
import type { CustomField, Member, Stage } from '../api/client';
import { formatValue } from '../fields/values';
import { formatBytes } from '../ui/format';

export type Import = components['schemas']['Import'];
export type ImportPreview = components['schemas']['ImportPreview'];
export type ImportLimits = components['schemas']['ImportLimits'];
export type PreviewRow = ImportPreview['rows'][number];
export type ImportMode = Import['mode'];
export type ImportStatus = Import['status'];

export const modeLabels: Record<ImportMode, string> = {
  create_and_update: 'Create new contacts and update existing ones',
  create_only: 'Create new contacts only (skip existing ones)',
  update_only: 'Update existing contacts only (skip new ones)',
};

export const statusLabels: Record<ImportStatus, string> = {
  uploaded: 'Waiting for mapping',
  queued: 'Queued',
  running: 'Importing',
  finished: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
  undoing: 'Undoing',
  undone: 'Undone',
};

/** Statuses in which the run may still change: the page polls while in them. */
export function isActive(status: ImportStatus): boolean {
  return status === 'queued' || status === 'running' || status === 'undoing';
}

const builtinTargets: { value: string; label: string }[] = [
  { value: 'ignore', label: 'Don’t import' },
  { value: 'name', label: 'Name' },
  { value: 'first_name', label: 'First name' },
  { value: 'last_name', label: 'Last name' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
  { value: 'stage', label: 'Stage (by name)' },
  { value: 'owner', label: 'Owner (member’s email)' },
  { value: 'external_id', label: 'External id' },
];

/** What a column can be mapped to: the built-in fields, then the agent's active custom fields. */
export function targetOptions(fields: CustomField[]): { value: string; label: string }[] {
  return [
    ...builtinTargets,
    ...fields.filter((f) => !f.archived_at).map((f) => ({ value: `custom:${f.key}`, label: `Custom field: ${f.label}` })),
  ];
}

/** The problem with a mapping the server would refuse too, or null. */
export function mappingProblem(mapping: string[]): string | null {
  const used = mapping.filter((t) => t !== 'ignore');
  const twice = used.find((t, i) => used.indexOf(t) !== i);
  if (twice) return `“${labelOf(twice)}” is chosen for two columns.`;
  if (used.includes('name') && (used.includes('first_name') || used.includes('last_name'))) {
    return 'Map either Name, or First and Last name, not both.';
  }
  if (!used.some((t) => t === 'email' || t === 'phone' || t === 'external_id')) {
    return 'Map a column to Email, Phone or External id: contacts are found and created by them.';
  }
  return null;
}

function labelOf(target: string): string {
  return builtinTargets.find((t) => t.value === target)?.label ?? target.replace(/^custom:/, '');
}

/** How far a run is, as a whole percentage (0 to 100). */
export function percentDone(p: Import['progress']): number {
  if (p.total <= 0) return 0;
  return Math.min(100, Math.floor((p.rows_done / p.total) * 100));
}

/** Seconds as "about 2 min" or "12 s"; an unknown time as an empty string. */
export function formatTimeLeft(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'less than a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `about ${Math.round(seconds / 60)} min`;
}

/** Whole numbers with thousands separators. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat('en-US').format(Math.round(n));
}

/** The limits as a person reads them, from the API's figures. */
export function limitsText(l: ImportLimits): string {
  return `CSV files up to ${formatBytes(l.max_bytes)} and ${formatCount(l.max_rows)} rows.`;
}

/** What the preview's cells are read against: the agent's fields, stages and members. */
export interface PreviewLookups {
  fields: readonly CustomField[];
  stages: readonly Stage[];
  members: readonly Member[];
}

/** A column of the preview's table: one per mapped target. */
export interface PreviewColumn {
  key: string;
  label: string;
  cell: (row: PreviewRow) => string;
}

/**
 * The preview's columns for a mapping, in the file's column order: one per mapped target
 * (first and last name make one Name column), none for ignored columns.
 */
export function previewColumns(mapping: readonly string[], lookups: PreviewLookups): PreviewColumn[] {
  const columns: PreviewColumn[] = [];
  const seen = new Set<string>();
  const add = (c: PreviewColumn) => {
    if (seen.has(c.key)) return;
    seen.add(c.key);
    columns.push(c);
  };
  for (const target of mapping) {
    switch (target) {
      case 'ignore':
        break;
      case 'name':
      case 'first_name':
      case 'last_name':
        add({ key: 'name', label: 'Name', cell: (r) => r.name ?? '' });
        break;
      case 'email':
        add({ key: 'email', label: 'Email', cell: (r) => r.email ?? '' });
        break;
      case 'phone':
        add({ key: 'phone', label: 'Phone', cell: (r) => r.phone ?? '' });
        break;
      case 'external_id':
        add({ key: 'external_id', label: 'External id', cell: (r) => r.external_id ?? '' });
        break;
      case 'stage':
        add({
          key: 'stage',
          label: 'Stage',
          cell: (r) => (r.stage_id ? (lookups.stages.find((s) => s.id === r.stage_id)?.name ?? r.stage_id) : ''),
        });
        break;
      case 'owner':
        add({
          key: 'owner',
          label: 'Owner',
          cell: (r) => {
            if (!r.owner_id) return '';
            const m = lookups.members.find((x) => x.user_id === r.owner_id);
            return m ? m.name || m.email : r.owner_id;
          },
        });
        break;
      default: {
        if (!target.startsWith('custom:')) break;
        const key = target.slice('custom:'.length);
        const field = lookups.fields.find((f) => f.key === key);
        add({
          key: target,
          label: field?.label ?? key,
          cell: (r) => {
            const value = r.custom[key];
            if (field) return formatValue(field, value);
            return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
          },
        });
      }
    }
  }
  return columns;
}

function contacts(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'contact' : 'contacts'}`;
}

/** Contacts the run created or updated: what an undo would take back. */
export function written(p: Pick<Import['progress'], 'created' | 'updated'>): number {
  return p.created + p.updated;
}

/**
 * Whether the run can be undone: it ended (a failed undo may be asked for again) and wrote
 * something. The server refuses to undo a run that created and updated nothing.
 */
export function canUndo(imp: Pick<Import, 'status' | 'progress'>): boolean {
  const ended = imp.status === 'finished' || imp.status === 'cancelled' || imp.status === 'failed';
  return ended && written(imp.progress) > 0;
}

/**
 * What an ended run left, in words, where the counts alone do not say it: after a cancel, that
 * the rows written before it stay (and undo removes them); after a run that wrote nothing, that
 * nothing changed. null when the counts say enough.
 */
export function resultNote(imp: Pick<Import, 'status' | 'progress'>): string | null {
  const p = imp.progress;
  const n = written(p);
  if (imp.status === 'cancelled') {
    if (n === 0) return 'The import was cancelled before it created or updated any contact: nothing changed.';
    const what = [p.created > 0 ? `${contacts(p.created)} created` : '', p.updated > 0 ? `${contacts(p.updated)} updated` : '']
      .filter(Boolean)
      .join(' and ');
    const undo =
      p.updated === 0
        ? 'Undo import deletes them.'
        : p.created === 0
          ? 'Undo import gives them back their earlier values.'
          : 'Undo import deletes the ones created and gives the updated ones back their earlier values.';
    return `The import was cancelled. The rows imported before the cancel were kept: ${what}. ${undo}`;
  }
  if ((imp.status === 'finished' || imp.status === 'failed') && n === 0) {
    return 'The import created and updated no contacts: nothing changed, and there is nothing to undo.';
  }
  return null;
}

/** What undoing a run does, for its confirmation: exactly what the undo job deletes and restores. */
export function undoWarning(p: Pick<Import['progress'], 'created' | 'updated'>): string[] {
  const out: string[] = [];
  if (p.created > 0) {
    const one = p.created === 1;
    out.push(
      `The ${contacts(p.created)} it created ${one ? 'is' : 'are'} deleted with ${one ? 'its' : 'their'} conversations, notes and files, ` +
        `edited or not since the import. Deleted contacts cannot be brought back.`,
    );
  }
  if (p.updated > 0) {
    const one = p.updated === 1;
    out.push(
      `The ${contacts(p.updated)} it updated get${one ? 's' : ''} back the values ${one ? 'it' : 'they'} had before the import, ` +
        `unless ${one ? 'it has' : 'they have'} changed since or a value to restore (external id, email, phone, a unique custom field) now belongs to another contact: ` +
        'those are kept as they are, and listed.',
    );
  }
  if (out.length === 0) out.push('It created and updated no contacts, so no contact changes.');
  return out;
}
