import { useCallback, useEffect, useRef } from 'react';
import { api, unwrap } from '../api/client';
import { Alert, Loading } from '../ui/feedback';
import { formatDateTime, formatRelative } from '../ui/format';
import { useResource } from '../ui/useResource';
import { describeEntry } from './timeline';

/** The contact's history from the audit log, newest first. `version` reloads it when something changed. */
export function Timeline({ agentId, contactId, version }: { agentId: string; contactId: string; version: string }) {
  const load = useCallback(
    () => unwrap(api.GET('/agents/{agentId}/contacts/{contactId}/timeline', { params: { path: { agentId, contactId } } })).then((p) => p.items),
    [agentId, contactId],
  );
  const entries = useResource(load, `${agentId}/${contactId}`);
  // Read it again when something changed, showing the old entries meanwhile.
  const { reload } = entries;
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    reload();
  }, [version, reload]);

  return (
    <section className="card timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title" className="timeline__title">
        Timeline
      </h2>
      {entries.status === 'loading' && <Loading label="Loading the timeline…" />}
      {entries.status === 'error' && (
        <div>
          <Alert>{entries.error.message}</Alert>
          <button type="button" className="btn btn--small" onClick={entries.reload}>
            Try again
          </button>
        </div>
      )}
      {entries.status === 'ready' && entries.data.length === 0 && <p className="muted small">Nothing has happened yet.</p>}
      {entries.status === 'ready' && entries.data.length > 0 && (
        <ol className="timeline__list" aria-label="History">
          {entries.data.map((entry) => {
            const item = describeEntry(entry);
            return (
              <li key={entry.id} className={`timeline__item timeline__item--${entry.resource}`}>
                <p className="timeline__summary">
                  <strong>{item.actor}</strong> {item.summary}
                </p>
                {item.details.map((d, i) => (
                  <p key={i} className="timeline__detail">
                    {d}
                  </p>
                ))}
                <time className="muted small" dateTime={entry.created_at} title={formatDateTime(entry.created_at)}>
                  {formatRelative(entry.created_at)}
                </time>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
