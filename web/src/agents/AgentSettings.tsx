import { useState, type FormEvent } from 'react';
import { api, unwrap, type Agent } from '../api/client';
import type { FieldErrors } from '../api/error';
import { Alert } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { problemsFrom } from '../ui/validate';
import { AgentFields, agentFieldNames } from './AgentForm';
import { useAgent } from './AgentLayout';
import { agentChanges, validateAgent, type AgentValues } from './options';
import { focusFirstInvalid } from '../ui/dom';
import { useCapabilities } from '../session/SessionContext';
import { StagesSettings } from '../contacts/StagesSettings';
import { FieldsSettings } from '../fields/FieldsSettings';
import { AgentKeys } from '../chat/AgentKeys';

function valuesOf(agent: Agent): AgentValues {
  return { name: agent.name, visibility: agent.visibility, access_mode: agent.access_mode };
}

export function AgentSettings() {
  const { agent, setAgent } = useAgent();
  const caps = useCapabilities();
  const readOnly = !caps.manageAgents;
  const [values, setValues] = useState<AgentValues>(() => valuesOf(agent));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);
  const changes = agentChanges(valuesOf(agent), values);
  const dirty = Object.keys(changes).length > 0;

  function edit(next: AgentValues) {
    setValues(next);
    setSaved(false);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateAgent(values);
    setErrors(invalid);
    setMessage(null);
    setSaved(false);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    if (!dirty) return;
    setPending(true);
    try {
      const updated = await unwrap(
        api.PATCH('/agents/{agentId}', { params: { path: { agentId: agent.id } }, body: changes }),
      );
      setAgent(updated);
      setValues(valuesOf(updated));
      setSaved(true);
    } catch (err) {
      const problems = problemsFrom(err, agentFieldNames);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="stack stack--loose">
      <div className="settings">
        <form className="card form" onSubmit={submit} noValidate aria-labelledby="agent-settings-title">
          <h2 id="agent-settings-title">Agent settings</h2>
          {message && <Alert>{message}</Alert>}
          {saved && <Alert tone="info">Changes saved.</Alert>}
          {readOnly && <Alert tone="info">Only owners and admins change an agent’s settings.</Alert>}
          <AgentFields values={values} onChange={edit} errors={errors} disabled={readOnly} />
          {!readOnly && (
            <div className="form__actions">
              <button type="button" className="btn" disabled={!dirty || pending} onClick={() => edit(valuesOf(agent))}>
                Discard changes
              </button>
              <button type="submit" className="btn btn--primary" disabled={!dirty || pending}>
                {pending ? 'Saving…' : 'Save changes'}
              </button>
            </div>
          )}
        </form>
        <dl className="card facts">
          <div>
            <dt>Agent ID</dt>
            <dd>
              <code>{agent.id}</code>
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateTime(agent.created_at)}</dd>
          </div>
          <div>
            <dt>Last changed</dt>
            <dd>{formatDateTime(agent.updated_at)}</dd>
          </div>
        </dl>
      </div>
      <div className="crm-settings-grid">
        <StagesSettings agentId={agent.id} readOnly={!caps.manageCrmSettings} />
        <FieldsSettings agentId={agent.id} readOnly={!caps.manageCrmSettings} />
      </div>
      {caps.manageAgents && <AgentKeys agentId={agent.id} />}
    </div>
  );
}
