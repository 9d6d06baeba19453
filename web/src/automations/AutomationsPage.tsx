import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap } from '../api/client';
import { loadStages } from '../contacts/data';
import { useCapabilities } from '../session/SessionContext';
import { Tabs } from '../ui/Tabs';
import { Alert, Loading } from '../ui/feedback';
import { BoltIcon } from '../ui/icons';
import { useResource } from '../ui/useResource';
import { MethodRule } from './MethodRule';
import { draftOf, methods, partOfTab, sameDraft, type Automations, type Method, type RuleDraft, type Tab } from './rules';
import './automations.css';

const tabs: readonly { id: Tab; label: string }[] = [
  { id: 'owners', label: 'Owner assignment' },
  { id: 'stage', label: 'Contact stage' },
];

/**
 * An agent's "Contact created" automation: for each creation method, who owns a new contact
 * and which stage it starts in, each saved on its own, with a simulation of the next contacts.
 * Everyone who works in the agent sees it and simulates; owners and admins change it.
 */
export function AutomationsPage() {
  const { agent } = useAgent();
  const caps = useCapabilities();
  const readOnly = !caps.manageAutomations;
  const config = useResource(
    useCallback(() => unwrap(api.GET('/agents/{agentId}/automations', { params: { path: { agentId: agent.id } } })), [agent.id]),
    agent.id,
  );
  const stages = useResource(useCallback(() => loadStages(agent.id), [agent.id]), agent.id);
  // Unsaved changes per method, shared by both tabs so switching tabs loses nothing.
  const [drafts, setDrafts] = useState<Partial<Record<Method, RuleDraft>>>({});
  const [searchParams, setSearchParams] = useSearchParams();
  const tab: Tab = searchParams.get('tab') === 'stage' ? 'stage' : 'owners';

  function choose(id: Tab) {
    const next = new URLSearchParams(searchParams);
    if (id === 'owners') next.delete('tab');
    else next.set('tab', id);
    setSearchParams(next, { replace: true });
  }

  function saved(method: Method, savedTab: Tab, draft: RuleDraft, next: Automations) {
    config.replace(next);
    const rule = next.rules.find((r) => r.source === method);
    setDrafts((all) => {
      const rest = { ...all };
      if (!rule) return rest;
      // The other tab's unsaved part of this method stays a draft.
      const base = draftOf(rule);
      const kept = partOfTab(savedTab === 'owners' ? 'stage' : 'owners', draft, base);
      if (sameDraft(kept, base)) delete rest[method];
      else rest[method] = kept;
      return rest;
    });
  }

  return (
    <div className="automations">
      <header className="section-header">
        <div>
          <h2 className="section-header__title">Automations</h2>
          <p className="muted">
            What happens to every new contact of {agent.name}, for each way contacts arrive: who owns it and which stage it
            starts in.
          </p>
        </div>
        <p className="automation-trigger">
          <span className="automation-trigger__icon" aria-hidden="true">
            <BoltIcon />
          </span>
          <span>
            <span className="muted small">Trigger</span>
            <strong>Contact created</strong>
          </span>
        </p>
      </header>
      {readOnly && (
        <Alert tone="info">Only owners and admins change automations. You can see them and simulate what they would do.</Alert>
      )}
      {config.status === 'loading' && <Loading label="Loading automations…" />}
      {config.status === 'error' && (
        <div>
          <Alert>{config.error.message}</Alert>
          <button type="button" className="btn" onClick={config.reload}>
            Try again
          </button>
        </div>
      )}
      {config.status === 'ready' && (
        <section className="card card--flush">
          <Tabs tabs={tabs} current={tab} onChoose={choose} label="Automations" idPrefix="automation" />
          <div className="automation-panel" role="tabpanel" id={`automation-panel-${tab}`} aria-labelledby={`automation-tab-${tab}`}>
            {stages.status === 'error' && tab === 'stage' && <Alert>The stages could not be loaded: {stages.error.message}</Alert>}
            {methods.map((m) => {
              const rule = config.data.rules.find((r) => r.source === m.source);
              const chat = config.data.rules.find((r) => r.source === 'chat');
              if (!rule || !chat) return null;
              return (
                <MethodRule
                  // Each tab's section starts afresh: a notice or an error belongs to the tab it came from.
                  key={`${tab}-${m.source}`}
                  agentId={agent.id}
                  tab={tab}
                  rule={rule}
                  chatRule={chat}
                  draft={drafts[m.source] ?? draftOf(rule)}
                  onDraft={(d) => setDrafts((all) => ({ ...all, [m.source]: d }))}
                  onSaved={(draft, next) => saved(m.source, tab, draft, next)}
                  members={config.data.members}
                  privateAgent={agent.visibility === 'private'}
                  stages={stages.status === 'ready' ? stages.data : null}
                  readOnly={readOnly}
                />
              );
            })}
          </div>
        </section>
      )}
    </div>
  );
}

