import { agent } from './fakeApi';

export const stages = [
  { id: '0190a1b2-0000-7000-8000-00000000a001', name: 'Lead', position: 0, contact_count: 1 },
  { id: '0190a1b2-0000-7000-8000-00000000a002', name: 'Customer', position: 1, contact_count: 0 },
];

export function contact(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    agent_id: agent.id,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: null,
    status: 'active',
    stage: { id: stages[0]!.id, name: 'Lead' },
    primary_owner: null,
    secondary_owner: null,
    source: 'manual',
    source_label: 'via Manual',
    external_id: null,
    created_by: null,
    created_at: '2025-01-05T10:00:00Z',
    updated_at: '2025-01-05T10:00:00Z',
    version: 1,
    ...extra,
  };
}
