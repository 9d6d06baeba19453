import { useCallback, useId, useState, type ChangeEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap } from '../api/client';
import { asApiError } from '../api/error';
import { useCapabilities } from '../session/SessionContext';
import { useDocumentTitle } from '../ui/dom';
import { Alert, Loading } from '../ui/feedback';
import { formatBytes, formatDateTime } from '../ui/format';
import { useResource } from '../ui/useResource';
import { formatCount, limitsText, statusLabels, type Import } from './imports';
import './imports.css';

/** An agent's imports (owners and admins): upload a CSV file, which opens its wizard, and the history. */
export function ImportsPage() {
  const { agent } = useAgent();
  useDocumentTitle(`Imports · ${agent.name}`);
  if (!useCapabilities().manageContacts) {
    return <Alert tone="info">Owners and admins import contacts into this agent.</Alert>;
  }
  return <Imports key={agent.id} />;
}

const PAGE_SIZE = 50;

/** The pages "Load more" added after the first one, and where the next one starts. */
interface MorePages {
  items: Import[];
  nextCursor?: string;
}

function Imports() {
  const { agent } = useAgent();
  const navigate = useNavigate();
  const inputId = useId();
  const history = useResource(
    useCallback(() => unwrap(api.GET('/agents/{agentId}/imports', { params: { path: { agentId: agent.id }, query: { limit: PAGE_SIZE } } })), [agent.id]),
    agent.id,
  );
  const [more, setMore] = useState<MorePages | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const items = history.status === 'ready' ? [...history.data.items, ...(more?.items ?? [])] : [];
  const nextCursor = more ? more.nextCursor : history.status === 'ready' ? history.data.next_cursor : undefined;

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await unwrap(
        api.GET('/agents/{agentId}/imports', { params: { path: { agentId: agent.id }, query: { limit: PAGE_SIZE, cursor: nextCursor } } }),
      );
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.next_cursor }));
    } catch (err) {
      setMoreError(asApiError(err).message);
    } finally {
      setLoadingMore(false);
    }
  }

  async function upload(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setError(null);
    setUploading(file.name);
    try {
      const body = new FormData();
      body.append('file', file, file.name);
      const created = await unwrap(
        api.POST('/agents/{agentId}/imports', { params: { path: { agentId: agent.id } }, body: body as unknown as { file: string } }),
      );
      navigate(created.id);
    } catch (err) {
      const e = asApiError(err);
      // A problem with the file reads as a sentence about it: "big.csv has no rows." (field
      // errors come as sentences of their own: "Has no rows.")
      const problem = e.field('file');
      setError(
        problem ? `${file.name} ${problem.charAt(0).toLowerCase()}${problem.slice(1)}` : `${file.name} cannot be imported: ${e.message}`,
      );
    } finally {
      setUploading(null);
    }
  }

  return (
    <section className="imports" aria-labelledby="imports-title">
      <h2 id="imports-title">Import contacts</h2>
      <div className="imports__upload">
        <input id={inputId} type="file" accept=".csv,.tsv,.txt,text/csv" className="visually-hidden" onChange={(e) => void upload(e)} disabled={uploading !== null} />
        <label htmlFor={inputId} className="btn btn--primary">
          Choose a CSV file
        </label>
        <span className="muted small">
          {history.status === 'ready' ? limitsText(history.data.limits) : 'CSV files.'} Comma, semicolon, tab or pipe separated;
          UTF-8, UTF-16 or Windows-1252. You map the columns and see a preview before anything is written.
        </span>
      </div>
      {uploading && <Loading label={`Uploading and reading ${uploading}…`} />}
      {error && <Alert>{error}</Alert>}
      <h3>History</h3>
      {history.status === 'loading' && <Loading label="Loading imports…" />}
      {history.status === 'error' && <Alert>{history.error.message}</Alert>}
      {history.status === 'ready' && items.length === 0 && <p className="muted">No imports yet.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Imports">
            <thead>
              <tr>
                <th>File</th>
                <th>Status</th>
                <th>Rows</th>
                <th>Created</th>
                <th>Updated</th>
                <th>Skipped</th>
                <th>Rejected</th>
                <th>Uploaded</th>
              </tr>
            </thead>
            <tbody>
              {items.map((imp) => (
                <tr key={imp.id}>
                  <td>
                    <Link to={imp.id} className="table__strong">
                      {imp.file_name}
                    </Link>
                    <div className="muted small">{formatBytes(imp.size_bytes)}</div>
                  </td>
                  <td>{statusLabels[imp.status]}</td>
                  <td>{formatCount(imp.progress.total)}</td>
                  <td>{formatCount(imp.progress.created)}</td>
                  <td>{formatCount(imp.progress.updated)}</td>
                  <td>{formatCount(imp.progress.skipped)}</td>
                  <td>{formatCount(imp.progress.rejected)}</td>
                  <td>{formatDateTime(imp.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError && <Alert>{moreError}</Alert>}
      {nextCursor && (
        <div className="imports__more">
          <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}
