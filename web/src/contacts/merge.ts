import type { Contact, CustomField } from '../api/client';
import { customFieldName, customOf, formatValue } from '../fields/values';

/** Which contact a merged row's value comes from: this one (the survivor) or the other (merged away). */
export type Side = 'this' | 'other';

/** One line of the side-by-side table: a field (as `take` names it) and both contacts' values for reading. */
export interface MergeRow {
  /** name, email, phone, stage, owners, external_id or custom.<key>. */
  field: string;
  label: string;
  mine: string;
  theirs: string;
}

function owners(contact: Contact): string {
  if (!contact.primary_owner) return '';
  return contact.secondary_owner ? `${contact.primary_owner.name} + ${contact.secondary_owner.name}` : contact.primary_owner.name;
}

/** The rows to choose from: the built-in details, then each custom field (archived ones left out). */
export function mergeRows(mine: Contact, theirs: Contact, fields: readonly CustomField[]): MergeRow[] {
  const row = (field: string, label: string, read: (c: Contact) => string): MergeRow => ({
    field,
    label,
    mine: read(mine),
    theirs: read(theirs),
  });
  return [
    row('name', 'Name', (c) => c.name.trim()),
    row('email', 'Email', (c) => c.email ?? ''),
    row('phone', 'Phone', (c) => c.phone ?? ''),
    row('stage', 'Stage', (c) => c.stage?.name ?? ''),
    row('owners', 'Owners', owners),
    row('external_id', 'External ID', (c) => c.external_id ?? ''),
    ...fields
      .filter((f) => !f.archived_at)
      .map((f) => row(customFieldName(f.key), f.label, (c) => formatValue(f, customOf(c)[f.key]))),
  ];
}

/** Every row starts with this contact's value. */
export function defaultChoices(rows: readonly MergeRow[]): Record<string, Side> {
  return Object.fromEntries(rows.map((r) => [r.field, 'this' as Side]));
}

/** `take` for POST /contacts/merge: the fields, in table order, whose value comes from the other contact. */
export function takeFrom(rows: readonly MergeRow[], choices: Readonly<Record<string, Side>>): string[] {
  return rows.filter((r) => choices[r.field] === 'other').map((r) => r.field);
}
