import { asApiError, type FieldErrors } from '../api/error';

/** Client-side checks mirroring docs/openapi.yaml, so most mistakes show before a round trip. */

export function required(value: string, label: string): string | undefined {
  return value.trim() === '' ? `${label} is required.` : undefined;
}

export function length(value: string, label: string, min: number, max: number): string | undefined {
  const n = value.trim().length;
  if (n === 0 && min > 0) return `${label} is required.`;
  if (n < min) return `${label} must be at least ${min} characters.`;
  if (n > max) return `${label} must be at most ${max} characters.`;
  return undefined;
}

// Deliberately loose: the server decides; this only catches obvious typos.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function email(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Email is required.';
  if (v.length > 254) return 'Email must be at most 254 characters.';
  if (!emailPattern.test(v)) return 'Enter an email address like name@example.com.';
  return undefined;
}

/** Drops the fields without a problem. */
export function collect(checks: Record<string, string | undefined>): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, problem] of Object.entries(checks)) {
    if (problem) out[field] = problem;
  }
  return out;
}

export interface FormProblems {
  /** Errors shown next to the fields the form has. */
  fields: FieldErrors;
  /** The message shown above the form, or null when the field errors say it all. */
  message: string | null;
}

/**
 * Splits a failed submission into per-field errors for the fields the form shows and one
 * message for the rest, so that no error the server names is silently dropped.
 */
export function problemsFrom(err: unknown, formFields: readonly string[]): FormProblems {
  const error = asApiError(err);
  const fields: FieldErrors = {};
  const others: string[] = [];
  for (const [name, problem] of Object.entries(error.fields)) {
    if (formFields.includes(name)) fields[name] = problem;
    else others.push(`${name}: ${problem}`);
  }
  if (Object.keys(fields).length > 0 && others.length === 0) {
    return { fields, message: error.code === 'invalid' ? null : error.message };
  }
  const message = others.length > 0 ? `${error.message} (${others.join('; ')})` : error.message;
  return { fields, message };
}
