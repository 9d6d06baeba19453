import { API_BASE } from '../api/client';
import type { FieldErrors } from '../api/error';

/** The audit log's filters, as the API names them; '' means "any". */
export interface AuditFilters {
  actor_id: string;
  action: string;
  resource: string;
  from: string;
  to: string;
}

const keys = ['actor_id', 'action', 'resource', 'from', 'to'] as const satisfies readonly (keyof AuditFilters)[];

export const noFilters: AuditFilters = { actor_id: '', action: '', resource: '', from: '', to: '' };

/** The resources the audit log names (policies/policy.csv), for the resource filter. */
export const auditResources = [
  'workspace',
  'members',
  'admins',
  'agents',
  'contacts',
  'fields',
  'forms',
  'automations',
  'imports',
  'api_keys',
  'billing',
  'audit',
  'invitations',
] as const;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** The filters a page address carries (`/audit?resource=agents&from=2025-01-01`). */
export function filtersFromSearch(params: URLSearchParams): AuditFilters {
  const filters = { ...noFilters };
  for (const key of keys) filters[key] = (params.get(key) ?? '').trim();
  // A hand-edited address with a malformed date would only earn a 400: drop it.
  if (!datePattern.test(filters.from)) filters.from = '';
  if (!datePattern.test(filters.to)) filters.to = '';
  return filters;
}

/** The filters that are set, trimmed, in a fixed order: for the page address, the API and the export. */
export function auditSearch(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = filters[key].trim();
    if (value !== '') params.set(key, value);
  }
  return params;
}

/** The query for GET /audit: the filters that are set, plus the page. */
export function auditQuery(filters: AuditFilters, page: { limit: number; cursor?: string }) {
  const query: Partial<AuditFilters> & { limit: number; cursor?: string } = { limit: page.limit };
  for (const [key, value] of auditSearch(filters)) query[key as keyof AuditFilters] = value;
  if (page.cursor) query.cursor = page.cursor;
  return query;
}

/** GET /audit/export with the same filters: a plain link, so the browser downloads the CSV. */
export function auditExportHref(filters: AuditFilters): string {
  const search = auditSearch(filters).toString();
  return `${API_BASE}/audit/export${search ? `?${search}` : ''}`;
}

/** `to` is exclusive but a date means the end of that day, so from = to is one whole day. */
export function validateFilters(filters: AuditFilters): FieldErrors {
  if (filters.from && filters.to && filters.to < filters.from) {
    return { to: '“To” must be on or after “From”.' };
  }
  return {};
}

/** before/after as indented JSON; null when there is nothing (a create has no before). */
export function prettyJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    // Some values may arrive as JSON text; show them as structure when they are.
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}
