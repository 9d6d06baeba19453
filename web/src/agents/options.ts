import type { AccessMode, Visibility } from '../api/client';
import { collect, length } from '../ui/validate';
import type { FieldErrors } from '../api/error';

export const visibilityOptions: { value: Visibility; label: string; hint: string }[] = [
  { value: 'private', label: 'Private', hint: 'Only your team can use the agent.' },
  { value: 'public', label: 'Public', hint: 'Visitors can chat with the agent, as its access mode allows.' },
];

export const accessModeOptions: { value: AccessMode; label: string; hint: string }[] = [
  { value: 'free', label: 'Free', hint: 'Anyone may chat.' },
  { value: 'restricted', label: 'Restricted', hint: 'Only people who are contacts may chat.' },
  { value: 'paid', label: 'Paid', hint: 'Only people with active paid access may chat.' },
];

export function visibilityLabel(v: Visibility): string {
  return visibilityOptions.find((o) => o.value === v)?.label ?? v;
}

export function accessModeLabel(m: AccessMode): string {
  return accessModeOptions.find((o) => o.value === m)?.label ?? m;
}

export function accessModeHint(m: AccessMode): string {
  return accessModeOptions.find((o) => o.value === m)?.hint ?? '';
}

export function visibilityHint(v: Visibility): string {
  return visibilityOptions.find((o) => o.value === v)?.hint ?? '';
}

export interface AgentValues {
  name: string;
  visibility: Visibility;
  access_mode: AccessMode;
}

export function validateAgent(v: AgentValues): FieldErrors {
  return collect({ name: length(v.name, 'Name', 1, 100) });
}

/** Only what changed, so a PATCH never rewrites fields the user did not touch. */
export function agentChanges(before: AgentValues, after: AgentValues): Partial<AgentValues> {
  const changes: Partial<AgentValues> = {};
  if (after.name.trim() !== before.name) changes.name = after.name.trim();
  if (after.visibility !== before.visibility) changes.visibility = after.visibility;
  if (after.access_mode !== before.access_mode) changes.access_mode = after.access_mode;
  return changes;
}
