import { api, unwrap, type Agent } from '../api/client';

/** Every agent of the workspace (all pages), oldest first: for pickers such as agent grants. */
export async function listAllAgents(): Promise<Agent[]> {
  const agents: Agent[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(api.GET('/agents', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }));
    agents.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return agents;
}
