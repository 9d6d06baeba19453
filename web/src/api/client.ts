import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { ApiError, networkError, toApiError } from './error';

export type Session = components['schemas']['Session'];
export type Agent = components['schemas']['Agent'];
export type AgentInput = components['schemas']['AgentInput'];
export type AgentPatch = components['schemas']['AgentPatch'];
export type AgentPage = components['schemas']['AgentPage'];
export type OutboxMail = components['schemas']['OutboxMail'];
export type WorkspaceMembership = components['schemas']['WorkspaceMembership'];
export type Workspace = components['schemas']['Workspace'];
export type Member = components['schemas']['Member'];
export type RemovedMember = components['schemas']['RemovedMember'];
export type Invitation = components['schemas']['Invitation'];
export type InvitationPreview = components['schemas']['InvitationPreview'];
export type AuditEntry = components['schemas']['AuditEntry'];
export type Stage = components['schemas']['Stage'];
export type Contact = components['schemas']['Contact'];
export type ContactInput = components['schemas']['ContactInput'];
export type ContactStatus = Contact['status'];
export type ContactSource = Contact['source'];
export type SimilarContact = components['schemas']['SimilarContact'];
export type Note = components['schemas']['Note'];
export type Ref = components['schemas']['Ref'];
export type CustomField = components['schemas']['CustomField'];
export type CustomFieldInput = components['schemas']['CustomFieldInput'];
export type FieldOption = components['schemas']['FieldOption'];
export type FieldType = CustomField['type'];
export type AiPolicy = CustomField['ai_policy'];
export type ContactFile = components['schemas']['ContactFile'];
export type SavedView = components['schemas']['SavedView'];
export type SavedViewQuery = components['schemas']['SavedViewQuery'];
export type SavedViewInput = components['schemas']['SavedViewInput'];
export type ContactSort = components['schemas']['ContactSort'];
export type Role = WorkspaceMembership['role'];
export type InvitableRole = Invitation['role'];
export type Visibility = Agent['visibility'];
export type AccessMode = Agent['access_mode'];

export const API_BASE = '/api/v1';

/** A typed client for docs/openapi.yaml. Session cookies are same-origin only. */
export function createApi(options: { baseUrl?: string; fetch?: (input: Request) => Promise<Response> } = {}) {
  return createClient<paths>({
    // Absolute, because fetch outside a browser (unit tests) cannot resolve a relative URL.
    baseUrl: options.baseUrl ?? (typeof location === 'undefined' ? API_BASE : location.origin + API_BASE),
    credentials: 'same-origin',
    fetch: markNetworkFailures(options.fetch ?? ((input: Request) => globalThis.fetch(input))),
  });
}

/** A request that got no answer at all, as opposed to an answer we could not read. */
class NoAnswer extends Error {}

function markNetworkFailures(fetchImpl: (input: Request) => Promise<Response>) {
  return async (input: Request) => {
    try {
      return await fetchImpl(input);
    } catch (err) {
      throw new NoAnswer('no answer', { cause: err });
    }
  };
}

export type Api = ReturnType<typeof createApi>;

type Result<T> = { data?: T; error?: unknown; response: Response };

const unauthenticatedListeners = new Set<() => void>();

/** Called whenever a request answers 401: the session is gone (expired, signed out elsewhere). */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError built from the
 * one error shape. A request that gets no answer throws an ApiError with code `network`.
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (err) {
    if (err instanceof NoAnswer) throw networkError(err.cause);
    // An answer arrived but could not be read (say, a success that is not JSON).
    const unreadable = new ApiError(0, 'internal', 'The server sent an answer the app cannot read. Please try again.');
    (unreadable as { cause?: unknown }).cause = err;
    throw unreadable;
  }
  if (result.response.ok) return result.data as T;
  const error = toApiError(result.response.status, result.error);
  if (error.status === 401) unauthenticatedListeners.forEach((listener) => listener());
  return Promise.reject(error);
}

/**
 * Like unwrap, and also the answer's ETag (for a later If-Match); `fallback` when the answer has
 * none (a proxy may drop it).
 */
export async function unwrapWithEtag<T>(call: Promise<Result<T>>, fallback: (data: T) => string): Promise<{ data: T; etag: string }> {
  let response: Response | undefined;
  const data = await unwrap(
    call.then((result) => {
      response = result.response;
      return result;
    }),
  );
  return { data, etag: response?.headers.get('ETag') ?? fallback(data) };
}

/** A versioned resource's ETag as the API writes it: its version, quoted. */
export function versionEtag(resource: { version: number }): string {
  return `"${resource.version}"`;
}

/** The app's client. */
export const api = createApi();
