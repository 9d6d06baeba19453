import { Navigate, Outlet, useLocation } from 'react-router';
import { useSessionApi } from './SessionContext';
import { Alert, Loading } from '../ui/feedback';
import { returnPath } from './returnPath';

function FullPageLoading() {
  return (
    <div className="fullpage">
      <Loading />
    </div>
  );
}

function SessionError({ message, retry }: { message: string; retry: () => void }) {
  return (
    <div className="fullpage">
      <div className="card card--narrow">
        <Alert>{message}</Alert>
        <button type="button" className="btn btn--primary" onClick={retry}>
          Try again
        </button>
      </div>
    </div>
  );
}

/** Routes for signed-in users; everyone else goes to /signin and comes back afterwards. */
export function RequireSession() {
  const { state, reload } = useSessionApi();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageLoading />;
  if (state.status === 'error') return <SessionError message={state.error.message} retry={reload} />;
  if (state.status === 'signed-out') {
    const next = location.pathname + location.search;
    return <Navigate to="/signin" replace state={{ next }} />;
  }
  return <Outlet />;
}

/** Sign-in and sign-up: a signed-in user has nothing to do there. */
export function SignedOutOnly() {
  const { state, reload } = useSessionApi();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageLoading />;
  if (state.status === 'error') return <SessionError message={state.error.message} retry={reload} />;
  if (state.status === 'signed-in') return <Navigate to={returnPath(location.state)} replace />;
  return <Outlet />;
}

