import type { components } from '../api/schema';
import type { CustomField } from '../api/client';

export type Import = components['schemas']['Import'];
export type ImportPreview = components['schemas']['ImportPreview'];
export type ImportLimits = components['schemas']['ImportLimits'];
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

/** The limits as a person reads them. */
export function limitsText(l: ImportLimits): string {
  return `CSV files up to ${formatCount(Math.floor(l.max_bytes / (1 << 20)))} MB and ${formatCount(l.max_rows)} rows.`;
}
