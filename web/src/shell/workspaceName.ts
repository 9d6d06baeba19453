import type { FieldErrors } from '../api/error';
import { collect, length } from '../ui/validate';

export function validateWorkspaceName(name: string): FieldErrors {
  return collect({ name: length(name, 'Workspace name', 3, 100) });
}
