import type { Contact, ContactInput, CustomField, Member } from '../api/client';
import type { FieldErrors } from '../api/error';
import { worksInAgent } from '../session/capabilities';
import { customFieldName, customOf, emptyInput, inputOf, isEmptyInput, sameInput, valueOf, type FieldInput } from '../fields/values';

/** What the contact forms (add, edit) hold. '' means none. */
export interface ContactValues {
  name: string;
  email: string;
  phone: string;
  stage_id: string;
  primary_owner_id: string;
  secondary_owner_id: string;
  custom: Record<string, FieldInput>;
}

/** ContactInput with custom values, which contacts take once custom fields exist. */
export type ContactBody = ContactInput & { custom?: Record<string, unknown> };

/** The form's own field names, as the API names them in errors. */
export function contactFieldNames(fields: readonly CustomField[]): string[] {
  return [
    'name',
    'email',
    'phone',
    'stage_id',
    'primary_owner_id',
    'secondary_owner_id',
    ...fields.map((f) => customFieldName(f.key)),
  ];
}

/** The active fields, in their order: the ones a form shows. */
export function activeFields(fields: readonly CustomField[]): CustomField[] {
  return fields.filter((f) => !f.archived_at);
}

/** A new contact's form: the first stage, each field's default. */
export function blankContact(stageId: string, fields: readonly CustomField[]): ContactValues {
  const custom: Record<string, FieldInput> = {};
  for (const f of activeFields(fields)) custom[f.key] = inputOf(f, f.default_value);
  return { name: '', email: '', phone: '', stage_id: stageId, primary_owner_id: '', secondary_owner_id: '', custom };
}

export function valuesOf(contact: Contact, fields: readonly CustomField[]): ContactValues {
  const stored = customOf(contact);
  const custom: Record<string, FieldInput> = {};
  for (const f of activeFields(fields)) custom[f.key] = inputOf(f, stored[f.key]);
  return {
    name: contact.name,
    email: contact.email ?? '',
    phone: contact.phone ?? '',
    stage_id: contact.stage?.id ?? '',
    primary_owner_id: contact.primary_owner?.id ?? '',
    secondary_owner_id: contact.secondary_owner?.id ?? '',
    custom,
  };
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Client-side checks mirroring the API; the server has the last word. */
export function validateContact(values: ContactValues, fields: readonly CustomField[]): FieldErrors {
  const errors: FieldErrors = {};
  if (values.name.trim().length > 200) errors.name = 'Name must be at most 200 characters.';
  const email = values.email.trim();
  if (email === '' && values.phone.trim() === '') errors.email = 'Add an email or a phone.';
  else if (email !== '' && !emailPattern.test(email)) errors.email = 'Enter an email address like name@example.com.';
  if (values.secondary_owner_id && !values.primary_owner_id) errors.secondary_owner_id = 'Choose a primary owner first.';
  else if (values.secondary_owner_id && values.secondary_owner_id === values.primary_owner_id) {
    errors.secondary_owner_id = 'The secondary owner must be someone else than the primary owner.';
  }
  for (const f of activeFields(fields)) {
    if (f.required && f.type !== 'checkbox' && isEmptyInput(values.custom[f.key] ?? emptyInput(f))) {
      errors[customFieldName(f.key)] = `${f.label} is required.`;
    }
  }
  return errors;
}

const orNull = (v: string) => (v.trim() === '' ? null : v.trim());

/** The body of POST /contacts: what is filled in (the server fills in defaults for the rest). */
export function createBody(values: ContactValues, fields: readonly CustomField[]): ContactBody {
  const body: ContactBody = {};
  if (values.name.trim()) body.name = values.name.trim();
  if (values.email.trim()) body.email = values.email.trim();
  if (values.phone.trim()) body.phone = values.phone.trim();
  if (values.stage_id) body.stage_id = values.stage_id;
  if (values.primary_owner_id) body.primary_owner_id = values.primary_owner_id;
  if (values.primary_owner_id && values.secondary_owner_id) body.secondary_owner_id = values.secondary_owner_id;
  const custom: Record<string, unknown> = {};
  for (const f of activeFields(fields)) {
    const input = values.custom[f.key];
    if (input !== undefined && !isEmptyInput(input)) custom[f.key] = valueOf(f, input);
  }
  if (Object.keys(custom).length > 0) body.custom = custom;
  return body;
}

/** The body of PATCH /contacts/{id}: only what changed, null to clear. */
export function contactChanges(before: ContactValues, after: ContactValues, fields: readonly CustomField[]): ContactBody {
  const body: ContactBody = {};
  if (after.name.trim() !== before.name.trim()) body.name = after.name.trim();
  if (after.email.trim() !== before.email.trim()) body.email = orNull(after.email);
  if (after.phone.trim() !== before.phone.trim()) body.phone = orNull(after.phone);
  if (after.stage_id !== before.stage_id && after.stage_id) body.stage_id = after.stage_id;
  if (after.primary_owner_id !== before.primary_owner_id) body.primary_owner_id = orNull(after.primary_owner_id);
  const secondary = after.primary_owner_id ? after.secondary_owner_id : '';
  if (secondary !== before.secondary_owner_id) body.secondary_owner_id = orNull(secondary);
  const custom: Record<string, unknown> = {};
  for (const f of activeFields(fields)) {
    const was = before.custom[f.key] ?? emptyInput(f);
    const now = after.custom[f.key] ?? emptyInput(f);
    if (!sameInput(was, now)) custom[f.key] = valueOf(f, now);
  }
  if (Object.keys(custom).length > 0) body.custom = custom;
  return body;
}

export interface OwnerOption {
  value: string;
  label: string;
  disabled?: boolean;
}

/** The members who may own the agent's contacts: those who work in it. */
export function ownerCandidates(members: readonly Member[], agentId: string): Member[] {
  return members.filter((m) => worksInAgent(m, agentId));
}

/**
 * Options of the owner selects. The secondary owner cannot be the primary one: that member is
 * greyed out. A current owner who no longer works in the agent stays listed, so the form does not
 * silently change them.
 */
export function ownerOptions(
  members: readonly Member[],
  agentId: string,
  current: { id: string; name: string } | null,
  exclude?: string,
): OwnerOption[] {
  const candidates = ownerCandidates(members, agentId);
  const options: OwnerOption[] = [
    { value: '', label: 'No owner' },
    ...candidates.map((m) => ({
      value: m.user_id,
      label: m.name,
      disabled: exclude !== undefined && exclude !== '' && m.user_id === exclude,
    })),
  ];
  if (current && !candidates.some((m) => m.user_id === current.id)) {
    options.push({ value: current.id, label: `${current.name} (no longer in this agent)`, disabled: current.id === exclude });
  }
  return options;
}
