import { Outlet } from 'react-router';
import { currentWorkspace, useSession } from '../session/SessionContext';
import { NoWorkspacePage } from './NoWorkspacePage';

/** Pages of a workspace; a user in none is offered to create one. */
export function RequireWorkspace() {
  const session = useSession();
  return currentWorkspace(session) ? <Outlet /> : <NoWorkspacePage />;
}
