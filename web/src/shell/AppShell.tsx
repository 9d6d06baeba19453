import { useCallback, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { capabilitiesOf, roleIn } from '../session/capabilities';
import { currentWorkspace, useSessionApi } from '../session/SessionContext';
import { Alert } from '../ui/feedback';
import { GearIcon } from '../ui/icons';
import { Logo } from '../ui/Logo';
import { NewWorkspaceDialog } from './NewWorkspaceDialog';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

/**
 * The frame of every page but sign-in and sign-up. Signed out (the dev outbox, a
 * not-found page) it shows only the logo and a sign-in link.
 */
export function AppShell() {
  const { state, signOut } = useSessionApi();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [headerError, setHeaderError] = useState<string | null>(null);
  const closeDialog = useCallback(() => setCreating(false), []);
  const session = state.status === 'signed-in' ? state.session : null;
  const inWorkspace = session ? currentWorkspace(session) !== undefined : false;
  const caps = capabilitiesOf(session ? roleIn(session) : null);

  async function onSignOut() {
    try {
      await signOut();
    } finally {
      navigate('/signin', { replace: true });
    }
  }

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar__inner">
          <Logo to={session ? '/agents' : '/'} />
          {session && (
            <>
              <div className="topbar__workspace">
                <WorkspaceSwitcher onError={setHeaderError} />
                {inWorkspace && (
                  <NavLink
                    to="/settings"
                    className="btn btn--ghost btn--small btn--icon"
                    aria-label="Workspace settings"
                    title="Workspace settings"
                  >
                    <GearIcon />
                  </NavLink>
                )}
                <button type="button" className="btn btn--ghost btn--small" onClick={() => setCreating(true)}>
                  <span aria-hidden="true">+</span> New workspace
                </button>
              </div>
              <nav className="topbar__nav" aria-label="Main">
                <NavLink to="/agents">Agents</NavLink>
                {caps.manageTeam && <NavLink to="/team">Team</NavLink>}
                {inWorkspace && <NavLink to="/audit">Audit log</NavLink>}
              </nav>
              <div className="topbar__user">
                <span className="avatar" aria-hidden="true">
                  {initials(session.user.name)}
                </span>
                <span className="topbar__name" title={session.user.email}>
                  {session.user.name}
                </span>
                <button type="button" className="btn btn--small" onClick={() => void onSignOut()}>
                  Sign out
                </button>
              </div>
            </>
          )}
          {state.status === 'signed-out' && (
            <div className="topbar__user">
              <NavLink to="/signin" className="btn btn--small">
                Sign in
              </NavLink>
            </div>
          )}
        </div>
      </header>
      {headerError && (
        <div className="page">
          <Alert>{headerError}</Alert>
        </div>
      )}
      {/* Keyed by workspace: switching remounts the page, which loads that workspace's data. */}
      <main className="page" key={session?.current_workspace_id ?? 'anonymous'}>
        <Outlet />
      </main>
      {creating && <NewWorkspaceDialog onClose={closeDialog} />}
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [parts[0]?.[0]];
  return letters.filter(Boolean).join('').toUpperCase() || '?';
}
