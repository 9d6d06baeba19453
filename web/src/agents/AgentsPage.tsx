import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Agent } from '../api/client';
import { asApiError, type ApiError } from '../api/error';
import { currentWorkspace, useCapabilities, useSession } from '../session/SessionContext';
import { NoWorkspacePage } from '../workspace/NoWorkspacePage';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { BotIcon } from '../ui/icons';
import { useFormSubmit } from '../ui/useFormSubmit';
import { AgentBadges } from './AgentBadges';
import { AgentFields, agentFieldNames } from './AgentForm';
import { validateAgent, type AgentValues } from './options';
import { useDocumentTitle } from '../ui/dom';

const PAGE_SIZE = 50;

interface ListState {
  agents: Agent[];
  nextCursor?: string;
}

export function AgentsPage() {
  useDocumentTitle('Agents');
  const session = useSession();
  const workspace = currentWorkspace(session);
  const caps = useCapabilities();
  const [list, setList] = useState<ListState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [created, setCreated] = useState<Agent | null>(null);

  useEffect(() => {
    let current = true;
    unwrap(api.GET('/agents', { params: { query: { limit: PAGE_SIZE } } })).then(
      (page) => current && setList({ agents: page.items, nextCursor: page.next_cursor }),
      (err: unknown) => current && setError(asApiError(err)),
    );
    return () => {
      current = false;
    };
  }, []);

  async function loadMore() {
    if (!list?.nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await unwrap(api.GET('/agents', { params: { query: { limit: PAGE_SIZE, cursor: list.nextCursor } } }));
      setList({ agents: [...list.agents, ...page.items], nextCursor: page.next_cursor });
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoadingMore(false);
    }
  }

  function onCreated(agent: Agent) {
    setCreated(agent);
    // The list is oldest first: a new agent belongs at the end, once the last page is loaded.
    setList((l) => (l && !l.nextCursor ? { ...l, agents: [...l.agents, agent] } : l));
  }

  // The server answers 403 when the session has no workspace (left or deleted meanwhile).
  if (error?.status === 403 && !list) return <NoWorkspacePage />;

  return (
    <div className="agents">
      <div className="page__header">
        <div>
          <h1>Agents</h1>
          <p className="muted">
            {caps.manageAgents
              ? `The chat agents of ${workspace?.name ?? 'this workspace'}. Each agent has its own CRM: contacts, forms and automations.`
              : `The chat agents of ${workspace?.name ?? 'this workspace'} shared with you. Each agent has its own CRM: contacts, forms and automations.`}
          </p>
        </div>
      </div>
      <div className={caps.manageAgents ? 'split' : undefined}>
        <section className="split__main" aria-label="Agent list">
          {error && <Alert>{error.message}</Alert>}
          {created && (
            <Alert tone="info">
              Agent <Link to={`/agents/${created.id}`}>{created.name}</Link> created.
            </Alert>
          )}
          {!list && !error && <Loading label="Loading agents…" />}
          {list && list.agents.length === 0 && caps.manageAgents && (
            <EmptyState icon={<BotIcon />} title="No agents yet">
              Create your first agent with the form on this page. Its CRM collects the people it talks to.
            </EmptyState>
          )}
          {list && list.agents.length === 0 && !caps.manageAgents && (
            <EmptyState icon={<BotIcon />} title="No agents shared with you yet">
              No agents have been shared with you yet. Ask an admin of {workspace?.name ?? 'this workspace'} to give you
              access to the agents you work in.
            </EmptyState>
          )}
          {list && list.agents.length > 0 && (
            <ul className="agent-list" aria-label="Agents">
              {list.agents.map((agent) => (
                <li key={agent.id} className={`agent-card${created?.id === agent.id ? ' agent-card--new' : ''}`}>
                  <div className="agent-card__icon" aria-hidden="true">
                    <BotIcon />
                  </div>
                  <div className="agent-card__body">
                    <Link to={`/agents/${agent.id}`} className="agent-card__name stretched-link">
                      {agent.name}
                    </Link>
                    <div className="agent-card__meta">
                      <AgentBadges agent={agent} />
                      <span className="muted small">Created {formatDate(agent.created_at)}</span>
                    </div>
                  </div>
                  <span className="agent-card__chevron" aria-hidden="true">
                    ›
                  </span>
                </li>
              ))}
            </ul>
          )}
          {list?.nextCursor && (
            <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more agents'}
            </button>
          )}
        </section>
        {caps.manageAgents && (
          <aside className="split__side">
            <CreateAgentForm onCreated={onCreated} />
          </aside>
        )}
      </div>
    </div>
  );
}

const blank: AgentValues = { name: '', visibility: 'private', access_mode: 'free' };

function CreateAgentForm({ onCreated }: { onCreated: (agent: Agent) => void }) {
  const [values, setValues] = useState<AgentValues>(blank);
  const { errors, message, pending, submit: run } = useFormSubmit(agentFieldNames);

  function submit(e: FormEvent) {
    return run(e, validateAgent(values), async () => {
      const agent = await unwrap(api.POST('/agents', { body: { ...values, name: values.name.trim() } }));
      setValues(blank);
      onCreated(agent);
    });
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="create-agent-title">
      <h2 id="create-agent-title">Create an agent</h2>
      {message && <Alert>{message}</Alert>}
      <AgentFields values={values} onChange={setValues} errors={errors} />
      <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
        {pending ? 'Creating…' : 'Create agent'}
      </button>
    </form>
  );
}
