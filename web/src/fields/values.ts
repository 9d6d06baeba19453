import type { AiPolicy, Contact, CustomField, FieldType } from '../api/client';
import { formatDateTime } from '../ui/format';

export const fieldTypeOptions: { value: FieldType; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'long_text', label: 'Long text' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'datetime', label: 'Date and time' },
  { value: 'checkbox', label: 'Checkbox' },
  { value: 'single_select', label: 'Single select' },
  { value: 'multi_select', label: 'Multi select' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
  { value: 'url', label: 'URL' },
];

export function fieldTypeLabel(type: string): string {
  return fieldTypeOptions.find((o) => o.value === type)?.label ?? type;
}

export const aiPolicyLabels: Record<AiPolicy, string> = {
  off: 'Not for AI',
  fill_empty: 'AI fills when empty',
  overwrite: 'AI may overwrite',
};

export function hasOptions(type: FieldType): boolean {
  return type === 'single_select' || type === 'multi_select';
}

/** The types whose values can be unique among an agent's contacts (mirrors the server). */
export function canBeUnique(type: FieldType): boolean {
  return ['text', 'number', 'date', 'datetime', 'email', 'phone', 'url'].includes(type);
}

/** What a form holds for a field: text for most types, a list for multi select, a flag for checkbox. */
export type FieldInput = string | string[] | boolean;

export function emptyInput(field: Pick<CustomField, 'type'>): FieldInput {
  if (field.type === 'checkbox') return false;
  if (field.type === 'multi_select') return [];
  return '';
}

export function isEmptyInput(input: FieldInput): boolean {
  if (typeof input === 'boolean') return false;
  if (Array.isArray(input)) return input.length === 0;
  return input.trim() === '';
}

export function sameInput(a: FieldInput, b: FieldInput): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  if (typeof a === 'string' && typeof b === 'string') return a.trim() === b.trim();
  return a === b;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An RFC 3339 instant as a datetime-local input's value, in the browser's time zone. */
export function toLocalDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value (the browser's time zone) as an RFC 3339 instant in UTC. */
export function fromLocalDateTime(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace(/\.000Z$/, 'Z');
}

/** A stored value (as the API sends it) as form input. */
export function inputOf(field: Pick<CustomField, 'type'>, value: unknown): FieldInput {
  if (value === null || value === undefined) return emptyInput(field);
  switch (field.type) {
    case 'checkbox':
      return value === true;
    case 'multi_select':
      return Array.isArray(value) ? value.map(String) : [String(value)];
    case 'datetime':
      return typeof value === 'string' ? toLocalDateTime(value) : '';
    case 'number':
      return typeof value === 'number' || typeof value === 'string' ? String(value) : '';
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Form input as the value the API takes. No value is '' (or [] for multi select): the API reads
 * both as "no value". A number the browser cannot read is sent as typed so that the server
 * names what is wrong with it.
 */
export function valueOf(field: Pick<CustomField, 'type'>, input: FieldInput): unknown {
  switch (field.type) {
    case 'checkbox':
      return input === true;
    case 'multi_select':
      return Array.isArray(input) ? input : [];
    case 'number': {
      const text = String(input).trim();
      if (text === '') return '';
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'datetime': {
      const text = String(input).trim();
      return text === '' ? '' : fromLocalDateTime(text);
    }
    default:
      return typeof input === 'string' ? input.trim() : input;
  }
}

/** An option's label by id (or the value itself when it names no option: a label typed elsewhere). */
export function optionLabel(field: Pick<CustomField, 'options'>, id: string): string {
  return field.options.find((o) => o.id === id)?.label ?? id;
}

/** A calendar day (YYYY-MM-DD) in the reader's format, without time zones shifting it a day. */
export function formatDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** A stored value for reading: '' when there is none. */
export function formatValue(field: Pick<CustomField, 'type' | 'options'>, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  switch (field.type) {
    case 'checkbox':
      return value === true ? 'Yes' : 'No';
    case 'single_select':
      return optionLabel(field, String(value));
    case 'multi_select':
      return (Array.isArray(value) ? value : [value]).map((v) => optionLabel(field, String(v))).join(', ');
    case 'date':
      return formatDay(String(value));
    case 'datetime':
      return formatDateTime(String(value));
    case 'number':
      return typeof value === 'number' ? value.toLocaleString() : String(value);
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** A contact's custom values (contacts carry them under `custom`). */
export function customOf(contact: object): Record<string, unknown> {
  const custom = (contact as { custom?: unknown }).custom;
  return typeof custom === 'object' && custom !== null && !Array.isArray(custom) ? (custom as Record<string, unknown>) : {};
}

/** The error-field name the API uses for a custom value: `custom.<key>`. */
export function customFieldName(key: string): string {
  return `custom.${key}`;
}

/**
 * Whether contacts carry custom values (`custom` on Contact and ContactInput) in the contract.
 * Until they do, contact forms, the list's columns and the contact page leave custom fields out
 * (the server refuses unknown body fields). Tied to the generated types: when `custom` appears
 * in docs/openapi.yaml and `npm run gen:api` runs, this stops compiling until it is set to true.
 */
export const contactsCarryCustom = true satisfies ('custom' extends keyof Contact ? true : false);

/** The fields contact screens show: none until contacts carry custom values. */
export function contactFields<T>(fields: readonly T[]): T[] {
  return contactsCarryCustom ? [...fields] : [];
}
