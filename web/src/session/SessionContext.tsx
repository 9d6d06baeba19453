import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onUnauthenticated, unwrap, type Session } from '../api/client';
import { asApiError, type ApiError } from '../api/error';
import { capabilitiesOf, roleIn, type Capabilities } from './capabilities';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; session: Session }
  | { status: 'error'; error: ApiError };

interface SessionApi {
  state: SessionState;
  /** Adopts the session an auth call answered with (sign in, sign up, switch, new workspace). */
  adopt: (session: Session) => void;
  reload: () => void;
  signOut: () => Promise<void>;
  switchWorkspace: (workspaceId: string) => Promise<void>;
  createWorkspace: (name: string) => Promise<Session>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    unwrap(api.GET('/me')).then(
      (session) => current && setState({ status: 'signed-in', session }),
      (err: unknown) => {
        if (!current) return;
        const error = asApiError(err);
        setState(error.status === 401 ? { status: 'signed-out' } : { status: 'error', error });
      },
    );
    return () => {
      current = false;
    };
  }, [generation]);

  // Any 401 means the session is gone: drop it, and the route guard sends the user to sign in.
  useEffect(() => onUnauthenticated(() => setState({ status: 'signed-out' })), []);

  const adopt = useCallback((session: Session) => setState({ status: 'signed-in', session }), []);
  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setGeneration((g) => g + 1);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await unwrap(api.POST('/auth/signout'));
    } finally {
      setState({ status: 'signed-out' });
    }
  }, []);

  const switchWorkspace = useCallback(
    async (workspaceId: string) => {
      adopt(await unwrap(api.PUT('/me/workspace', { body: { workspace_id: workspaceId } })));
    },
    [adopt],
  );

  const createWorkspace = useCallback(
    async (name: string) => {
      const session = await unwrap(api.POST('/workspaces', { body: { name } }));
      adopt(session);
      return session;
    },
    [adopt],
  );

  const value = useMemo(
    () => ({ state, adopt, reload, signOut, switchWorkspace, createWorkspace }),
    [state, adopt, reload, signOut, switchWorkspace, createWorkspace],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionApi(): SessionApi {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSessionApi outside SessionProvider');
  return ctx;
}

/** The signed-in session; only for components under RequireSession. */
export function useSession(): Session {
  const { state } = useSessionApi();
  if (state.status !== 'signed-in') throw new Error('useSession without a signed-in session');
  return state.session;
}

export function currentWorkspace(session: Session) {
  return session.workspaces.find((w) => w.id === session.current_workspace_id);
}

/** What the signed-in user's role allows in the current workspace. */
export function useCapabilities(): Capabilities {
  return capabilitiesOf(roleIn(useSession()));
}
