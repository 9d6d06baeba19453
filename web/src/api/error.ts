import type { components } from './schema';

export type ErrorBody = components['schemas']['Error'];

/** Field name (as the API names it, e.g. `workspace_name`) to what is wrong with it. */
export type FieldErrors = Record<string, string>;

/**
 * The one error of the API, `{"error": {"code", "message", "fields"}}`, as a typed exception.
 * Codes come from the API (invalid, unauthenticated, forbidden, not_found, conflict,
 * precondition_failed, rate_limited, body_too_large, csrf, internal); `network` means no answer
 * arrived at all.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;
  /** What a client needs to act on the error, e.g. `existing_contact_id` on a duplicate contact. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.details = details;
  }

  /** The error for one field, if the API named that field. */
  field(name: string): string | undefined {
    return this.fields[name];
  }

  hasFieldErrors(): boolean {
    return Object.keys(this.fields).length > 0;
  }

  /** A detail that is a non-empty string, if the API sent one. */
  detail(name: string): string | undefined {
    const value = this.details[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }
}

const fallbackCodes: Record<number, string> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'body_too_large',
  429: 'rate_limited',
};

const fallbackMessages: Record<string, string> = {
  invalid: 'Some of the values are not valid.',
  unauthenticated: 'Please sign in again.',
  forbidden: 'You are not allowed to do that.',
  not_found: 'Not found.',
  conflict: 'That conflicts with something that already exists.',
  precondition_failed: 'This changed since you loaded it. Reload and try again.',
  body_too_large: 'That is too large to send.',
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
  internal: 'Something went wrong on our side. Please try again.',
};

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const inner = (body as { error: unknown }).error;
  return typeof inner === 'object' && inner !== null;
}

/**
 * The server writes terse lowercase messages ("must be 1 to 100 characters"); shown to people
 * they read better as sentences.
 */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

function stringFields(raw: unknown): FieldErrors {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' && value.trim() !== '') out[key] = sentence(value);
  }
  return out;
}

/**
 * Turns an error response into an ApiError. Anything that is not the documented shape
 * (an HTML page from a proxy, an empty body) still becomes an ApiError with a code
 * derived from the status, so callers handle one type.
 */
export function toApiError(status: number, body: unknown): ApiError {
  const fallbackCode = fallbackCodes[status] ?? 'internal';
  if (!isErrorBody(body)) {
    return new ApiError(status, fallbackCode, fallbackMessages[fallbackCode] ?? fallbackMessages.internal!);
  }
  const { code, message, fields, details } = body.error as Partial<ErrorBody['error']>;
  const finalCode = typeof code === 'string' && code !== '' ? code : fallbackCode;
  const finalMessage =
    typeof message === 'string' && message.trim() !== ''
      ? sentence(message)
      : (fallbackMessages[finalCode] ?? fallbackMessages.internal!);
  const plainDetails = typeof details === 'object' && details !== null && !Array.isArray(details) ? details : {};
  return new ApiError(status, finalCode, finalMessage, stringFields(fields), plainDetails);
}

/** The error for a request that got no answer (offline, server down, aborted). */
export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, 'network', 'Cannot reach Guestlist. Check your connection and try again.');
  (err as { cause?: unknown }).cause = cause;
  return err;
}

/** Any thrown value as an ApiError, for code that catches `unknown`. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const wrapped = new ApiError(0, 'internal', fallbackMessages.internal!);
  (wrapped as { cause?: unknown }).cause = err;
  return wrapped;
}

/** Whether `err` is an ApiError with the given code. */
export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}
