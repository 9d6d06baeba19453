import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { problemsFrom } from '../ui/validate';
import { MAX_SIMULATE, parseSimulateCount, type AutomationSimulation, type Method } from './rules';

/**
 * "Simulate": who the next N contacts of a method would be assigned to, and their stage, as the
 * saved rule stands. The server works it out in a transaction it rolls back, so nothing changes;
 * contacts already created whose automation has not run yet come first, and the panel says so.
 */
export function SimulatePanel({ agentId, source, label, unsaved }: { agentId: string; source: Method; label: string; unsaved: boolean }) {
  const [count, setCount] = useState('5');
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<({ count: number } & AutomationSimulation) | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseSimulateCount(count);
    setMessage(null);
    if ('error' in parsed) return setError(parsed.error);
    setError(undefined);
    setPending(true);
    try {
      const answer = await unwrap(
        api.POST('/agents/{agentId}/automations/{method}/simulate', {
          params: { path: { agentId, method: source } },
          body: { count: parsed.count },
        }),
      );
      setResult({ count: parsed.count, ...answer });
    } catch (err) {
      const problems = problemsFrom(err, ['count']);
      setError(problems.fields.count);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
  }

  const name = (ref: { name: string } | null) => (ref ? ref.name || 'A member' : '—');
  return (
    <details className="simulate" aria-label={`Simulate ${label}`}>
      <summary className="simulate__title">Simulate the next contacts</summary>
      <form className="simulate__form" onSubmit={submit} noValidate aria-label={`Simulate ${label}`}>
        <TextField
          label="Contacts to simulate"
          name="count"
          type="number"
          inputMode="numeric"
          step="1"
          value={count}
          onChange={setCount}
          error={error}
        />
        <button type="submit" className="btn" disabled={pending}>
          {pending ? 'Simulating…' : 'Simulate'}
        </button>
      </form>
      <p className="muted small simulate__note">
        A simulation changes nothing: no contact is created and no rotation moves. It uses the saved rule
        {unsaved ? ' — save your changes first to simulate them' : ''}. 1 to {MAX_SIMULATE} contacts.
      </p>
      {message && <Alert>{message}</Alert>}
      {result && result.pending > 0 && (
        <Alert tone={result.pending_capped ? 'warning' : 'info'}>
          {result.pending_capped
            ? `More than ${result.pending.toLocaleString('en-US')} contacts already created are still waiting for their automation. The simulation counts the first ${result.pending.toLocaleString('en-US')} of them only, so the rotation may be further along than it shows.`
            : `${result.pending === 1 ? '1 contact' : `${result.pending.toLocaleString('en-US')} contacts`} already created ${result.pending === 1 ? 'is' : 'are'} still waiting for ${result.pending === 1 ? 'its' : 'their'} automation: the simulation counts ${result.pending === 1 ? 'it' : 'them'} first, as the jobs will.`}
        </Alert>
      )}
      {result && (
        <div className="table-wrap simulate__result">
          <table className="table simulate__table" aria-label={`Simulation: ${label}`}>
            <caption className="visually-hidden">
              Who the next {result.count} contacts would get. Nothing was changed.
            </caption>
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col">Primary owner</th>
                <th scope="col">Secondary owner</th>
                <th scope="col">Stage</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((a, i) => (
                <tr key={i}>
                  <td>Next {i + 1}</td>
                  <td>{name(a.primary_owner)}</td>
                  <td>{name(a.secondary_owner)}</td>
                  <td>{name(a.stage)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
