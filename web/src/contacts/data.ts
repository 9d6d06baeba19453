import { api, unwrap, type CustomField, type Member, type Stage } from '../api/client';
import { isApiError } from '../api/error';

export function loadStages(agentId: string): Promise<Stage[]> {
  return unwrap(api.GET('/agents/{agentId}/stages', { params: { path: { agentId } } })).then((page) => page.items);
}

/**
 * The agent's custom fields in display order (archived ones too with includeArchived). A server
 * without custom fields (404 on the route) has none.
 */
export function loadFields(agentId: string, includeArchived = false): Promise<CustomField[]> {
  return unwrap(
    api.GET('/agents/{agentId}/fields', {
      params: { path: { agentId }, query: includeArchived ? { include_archived: true } : {} },
    }),
  ).then(
    (page) => page.items,
    (err: unknown) => {
      if (isApiError(err) && err.status === 404 && err.message.toLowerCase().includes('no such endpoint')) return [];
      throw err;
    },
  );
}

/** The workspace's members (owners and admins may list them; users get none). */
export function loadMembers(): Promise<Member[]> {
  return unwrap(api.GET('/members')).then((page) => page.items);
}

export const none = <T,>(): Promise<T[]> => Promise.resolve([]);

/** Where a contact's page is. */
export function contactPath(agentId: string, contactId: string): string {
  return `/agents/${agentId}/contacts/${contactId}`;
}
