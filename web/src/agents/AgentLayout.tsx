import { Suspense, useCallback, useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useMatch, useOutletContext, useParams } from 'react-router';
import { api, unwrap, type Agent } from '../api/client';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { CompassIcon } from '../ui/icons';
import { useResource } from '../ui/useResource';
import { useDocumentTitle } from '../ui/dom';
import { AgentBadges } from './AgentBadges';

interface AgentContext {
  agent: Agent;
  setAgent: (agent: Agent) => void;
}

const tabs = [
  { to: 'contacts', label: 'Contacts' },
  { to: 'board', label: 'Board' },
  { to: 'history', label: 'History' },
  { to: 'demo-chat', label: 'Demo chat' },
  { to: 'forms', label: 'Forms' },
  { to: 'automations', label: 'Automations' },
  { to: 'imports', label: 'Imports' },
  { to: 'settings', label: 'Settings' },
];

/** An agent's page: its name, and the CRM sections as tabs. */
export function AgentLayout() {
  const { agentId = '' } = useParams();
  const load = useCallback(() => unwrap(api.GET('/agents/{agentId}', { params: { path: { agentId } } })), [agentId]);
  const agent = useResource(load, agentId);
  // A contact's page has its own heading: the agent's shrinks to the breadcrumb.
  const onContact = useMatch('/agents/:agentId/contacts/:contactId') !== null;
  const section = useMatch('/agents/:agentId/:section/*')?.params.section ?? '';
  const strip = useRef<HTMLElement>(null);
  // On a phone the strip scrolls sideways and starts at its first tab: the active one (Imports,
  // Automations) would be out of sight. Only the strip is scrolled, never the page, so a page
  // opened further down stays where it is (scrollIntoView would move it too).
  useEffect(() => {
    const nav = strip.current;
    const active = nav?.querySelector<HTMLElement>('.tabs__tab--active');
    if (!nav || !active) return;
    const outer = nav.getBoundingClientRect();
    const inner = active.getBoundingClientRect();
    if (inner.left < outer.left) nav.scrollLeft -= outer.left - inner.left;
    else if (inner.right > outer.right) nav.scrollLeft += inner.right - outer.right;
  }, [section, agent.status]);
  useDocumentTitle(agent.status === 'ready' ? agent.data.name : agent.status === 'error' ? 'Agent not found' : undefined);

  if (agent.status === 'loading') return <Loading label="Loading agent…" />;
  if (agent.status === 'error') {
    // Another workspace's agent answers 404 too; a malformed id may answer 400.
    if (agent.error.code === 'not_found' || agent.error.status === 404 || agent.error.status === 400) {
      return (
        <EmptyState
          icon={<CompassIcon />}
          title="Agent not found"
          action={
            <Link to="/agents" className="btn btn--primary">
              Back to agents
            </Link>
          }
        >
          This agent does not exist in the current workspace. It may have been deleted, or it belongs to another
          workspace.
        </EmptyState>
      );
    }
    return (
      <div>
        <Alert>{agent.error.message}</Alert>
        <button type="button" className="btn" onClick={agent.reload}>
          Try again
        </button>
      </div>
    );
  }

  const context: AgentContext = { agent: agent.data, setAgent: agent.replace };
  return (
    <div className="agent">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/agents">Agents</Link>
        <span aria-hidden="true">/</span>
        {onContact ? (
          <Link to={`/agents/${agent.data.id}/contacts`}>{agent.data.name}</Link>
        ) : (
          <span aria-current="page">{agent.data.name}</span>
        )}
      </nav>
      {!onContact && (
        <div className="page__header">
          <div>
            <h1>{agent.data.name}</h1>
            <AgentBadges agent={agent.data} />
          </div>
        </div>
      )}
      <nav className="tabs" aria-label="Agent CRM" ref={strip}>
        {tabs.map((tab) => (
          <NavLink key={tab.to} to={tab.to} className={({ isActive }) => `tabs__tab${isActive ? ' tabs__tab--active' : ''}`}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <div className="tabs__panel">
        <Suspense fallback={<Loading />}>
          <Outlet context={context} />
        </Suspense>
      </div>
    </div>
  );
}

export function useAgent(): AgentContext {
  return useOutletContext<AgentContext>();
}
