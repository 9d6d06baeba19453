import { useCallback } from 'react';
import { api, unwrap } from '../api/client';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { formatDateTime, formatRelative } from '../ui/format';
import { MailIcon } from '../ui/icons';
import { useResource } from '../ui/useResource';
import { useDocumentTitle } from '../ui/dom';

/** Development only: the emails the server would have sent (no SMTP_URL configured). */
export function OutboxPage() {
  useDocumentTitle('Dev outbox');
  const load = useCallback(() => unwrap(api.GET('/dev/outbox')), []);
  const outbox = useResource(load, 'outbox');

  return (
    <div className="outbox">
      <div className="page__header">
        <div>
          <h1>Dev outbox</h1>
          <p className="muted">Emails the server would have sent, newest first. Nothing here left the machine.</p>
        </div>
        <button
          type="button"
          className="btn"
          onClick={outbox.reload}
          disabled={outbox.status === 'loading' || outbox.refreshing}
        >
          {outbox.refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {outbox.status === 'loading' && <Loading label="Loading outbox…" />}
      {outbox.status === 'error' && outbox.error.status === 404 && (
        <EmptyState icon={<MailIcon />} title="Outbox not available">
          The outbox exists only in development mode, when the server has no SMTP_URL and keeps emails instead of
          sending them. This server sends real email.
        </EmptyState>
      )}
      {outbox.status === 'error' && outbox.error.status !== 404 && <Alert>{outbox.error.message}</Alert>}
      {outbox.status === 'ready' && outbox.data.items.length === 0 && (
        <EmptyState icon={<MailIcon />} title="No emails yet">
          Emails appear here as the app sends them, for example the welcome email after signing up.
        </EmptyState>
      )}
      {outbox.status === 'ready' && outbox.data.items.length > 0 && (
        <ul className="mail-list" aria-label="Emails">
          {outbox.data.items.map((mail) => (
            <li key={mail.id} className="mail">
              <details>
                <summary>
                  <span className="mail__subject">{mail.subject}</span>
                  <span className="mail__to">To: {mail.to}</span>
                  <time className="mail__time muted small" dateTime={mail.sent_at} title={formatDateTime(mail.sent_at)}>
                    {formatRelative(mail.sent_at)}
                  </time>
                </summary>
                <pre className="mail__body">{mail.text}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
