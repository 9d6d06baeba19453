import type { CustomField, CustomFieldInput, FieldType } from '../api/client';
import type { FieldErrors } from '../api/error';
import { canBeUnique, emptyInput, hasOptions, inputOf, isEmptyInput, sameInput, valueOf, type FieldInput } from './values';

/** An option as the editor holds it: `id` once saved; `ref` identifies it in the form either way. */
export interface OptionDraft {
  ref: string;
  id?: string;
  label: string;
  retired: boolean;
}

/** What the field dialog holds. */
export interface FieldValues {
  label: string;
  key: string;
  type: FieldType;
  help_text: string;
  required: boolean;
  unique: boolean;
  /** For select fields: option refs. */
  default_value: FieldInput;
  options: OptionDraft[];
  /** "Allow for AI": off, or the policy it may write with. */
  ai: boolean;
  ai_policy: 'fill_empty' | 'overwrite';
  ai_hint: string;
}

export const fieldFormNames = ['label', 'key', 'type', 'help_text', 'required', 'unique', 'default_value', 'options', 'ai_policy', 'ai_hint'] as const;

let nextRef = 1;
export function newRef(): string {
  return `new-${nextRef++}`;
}

export function blankField(): FieldValues {
  return {
    label: '',
    key: '',
    type: 'text',
    help_text: '',
    required: false,
    unique: false,
    default_value: '',
    options: [],
    ai: false,
    ai_policy: 'fill_empty',
    ai_hint: '',
  };
}

export function valuesOfField(field: CustomField): FieldValues {
  return {
    label: field.label,
    key: field.key,
    type: field.type,
    help_text: field.help_text,
    required: field.required,
    unique: field.unique,
    default_value: inputOf(field, field.default_value),
    options: field.options.map((o) => ({ ref: o.id, id: o.id, label: o.label, retired: o.retired })),
    ai: field.ai_policy !== 'off',
    ai_policy: field.ai_policy === 'overwrite' ? 'overwrite' : 'fill_empty',
    ai_hint: field.ai_hint,
  };
}

/** The same rules as the server's derivation, for the key preview ("Lead score" → lead_score). */
export function deriveKey(label: string): string {
  const folded = label
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ø/g, 'o')
    .replace(/[đð]/g, 'd')
    .replace(/ł/g, 'l')
    .replace(/þ/g, 'th')
    .replace(/['’]/g, '')
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '');
  let key = folded
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('_');
  if (key === '') key = 'field';
  if (/^[0-9]/.test(key)) key = `field_${key}`;
  return key.slice(0, 64).replace(/_+$/, '');
}

const keyPattern = /^[a-z][a-z0-9_]*$/;

export function validateField(values: FieldValues, creating: boolean): FieldErrors {
  const errors: FieldErrors = {};
  const label = values.label.trim();
  if (label === '') errors.label = 'Label is required.';
  else if (label.length > 80) errors.label = 'Label must be at most 80 characters.';
  if (creating && values.key.trim() !== '' && !keyPattern.test(values.key.trim())) {
    errors.key = 'Use lower-case letters, digits and _, starting with a letter.';
  }
  if (values.help_text.length > 500) errors.help_text = 'Help text must be at most 500 characters.';
  if (values.ai_hint.length > 500) errors.ai_hint = 'The hint must be at most 500 characters.';
  if (hasOptions(values.type)) {
    const labels = values.options.map((o) => o.label.trim().toLowerCase());
    if (values.options.length === 0) errors.options = 'Add at least one option.';
    else if (labels.some((l) => l === '')) errors.options = 'Every option needs a label.';
    else if (new Set(labels).size !== labels.length) errors.options = 'Two options have the same label.';
  }
  return errors;
}

/** A select default: the chosen option's id, or its label while it is new (the server takes either). */
type DefaultValue = CustomFieldInput['default_value'];

function defaultFor(values: FieldValues): DefaultValue {
  if (values.unique && canBeUnique(values.type)) return null;
  if (hasOptions(values.type)) {
    const toValue = (ref: string) => {
      const o = values.options.find((x) => x.ref === ref);
      return o ? (o.id ?? o.label.trim()) : ref;
    };
    if (values.type === 'single_select') return typeof values.default_value === 'string' && values.default_value ? toValue(values.default_value) : null;
    return Array.isArray(values.default_value) && values.default_value.length > 0 ? values.default_value.map(toValue) : null;
  }
  if (values.type === 'checkbox') return values.default_value === true ? true : null;
  return isEmptyInput(values.default_value) ? null : (valueOf({ type: values.type }, values.default_value) as DefaultValue);
}

function optionsFor(values: FieldValues): NonNullable<CustomFieldInput['options']> {
  return values.options.map((o) => ({ ...(o.id ? { id: o.id } : {}), label: o.label.trim(), retired: o.retired }));
}

export function fieldCreateBody(values: FieldValues): CustomFieldInput & { label: string; type: FieldType } {
  const body: CustomFieldInput & { label: string; type: FieldType } = {
    label: values.label.trim(),
    type: values.type,
    help_text: values.help_text.trim(),
    required: values.required,
    unique: canBeUnique(values.type) && values.unique,
    ai_policy: values.ai ? values.ai_policy : 'off',
    ai_hint: values.ai ? values.ai_hint.trim() : '',
  };
  if (values.key.trim()) body.key = values.key.trim();
  if (hasOptions(values.type)) body.options = optionsFor(values);
  const def = defaultFor(values);
  if (def !== null) body.default_value = def;
  return body;
}

/** PATCH body: only what changed (options as the whole list when any of them changed). */
export function fieldChanges(field: CustomField, values: FieldValues): CustomFieldInput {
  const before = valuesOfField(field);
  const body: CustomFieldInput = {};
  if (values.label.trim() !== before.label) body.label = values.label.trim();
  if (values.help_text.trim() !== before.help_text) body.help_text = values.help_text.trim();
  if (values.required !== before.required) body.required = values.required;
  const unique = canBeUnique(field.type) && values.unique;
  if (unique !== before.unique) body.unique = unique;
  const policy = values.ai ? values.ai_policy : 'off';
  if (policy !== field.ai_policy) body.ai_policy = policy;
  const hint = values.ai ? values.ai_hint.trim() : field.ai_hint;
  if (hint !== before.ai_hint) body.ai_hint = hint;
  if (hasOptions(field.type)) {
    const was = JSON.stringify(optionsFor(before));
    const now = optionsFor(values);
    if (JSON.stringify(now) !== was) body.options = now;
  }
  const def = defaultFor({ ...values, type: field.type });
  const beforeDef = field.default_value ?? null;
  const changedDefault = hasOptions(field.type) || field.type === 'checkbox' || field.type === 'number'
    ? JSON.stringify(def) !== JSON.stringify(beforeDef)
    : !sameInput(values.default_value, before.default_value) || (unique && beforeDef !== null);
  if (changedDefault) body.default_value = def;
  return body;
}

/** Whether the default can be set for this field (a unique field has none). */
export function takesDefault(values: Pick<FieldValues, 'type' | 'unique'>): boolean {
  return !(values.unique && canBeUnique(values.type));
}

export { emptyInput };
