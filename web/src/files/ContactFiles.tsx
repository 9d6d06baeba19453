import { useCallback, useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { API_BASE, api, unwrap, type ContactFile } from '../api/client';
import { asApiError } from '../api/error';
import { useCapabilities } from '../session/SessionContext';
import { ConfirmDialog } from '../ui/Dialog';
import { Alert, Loading } from '../ui/feedback';
import { formatBytes, formatDateTime, formatRelative } from '../ui/format';
import { useResource } from '../ui/useResource';

const POLL_MS = 1500;

const statusLabels: Record<ContactFile['status'], string> = { processing: 'Processing', ready: 'Ready', rejected: 'Rejected' };

/** Where a ready file downloads from (a plain link: the browser saves it under its name). */
export function downloadHref(agentId: string, contactId: string, fileId: string): string {
  return `${API_BASE}/agents/${agentId}/contacts/${contactId}/files/${fileId}/download`;
}

/**
 * A contact's files: upload (everyone), download once checked, delete (owners and admins). A new
 * file is checked by a background job, so the list is read again while any file is processing.
 */
export function ContactFiles({ agentId, contactId, onChanged }: { agentId: string; contactId: string; onChanged?: () => void }) {
  const caps = useCapabilities();
  const path = { agentId, contactId };
  // The server's upload limit (GUESTLIST_FILE_MAX_BYTES) comes with the list.
  const [maxBytes, setMaxBytes] = useState<number | null>(null);
  const load = useCallback(
    () =>
      unwrap(api.GET('/agents/{agentId}/contacts/{contactId}/files', { params: { path: { agentId, contactId } } })).then((p) => {
        setMaxBytes(p.max_bytes);
        return p.items;
      }),
    [agentId, contactId],
  );
  const files = useResource(load, `${agentId}/${contactId}`);
  const [uploading, setUploading] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ContactFile | null>(null);
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const list = files.status === 'ready' ? files.data : [];
  const processing = list.some((f) => f.status === 'processing');

  // Poll while the background check runs; a file that becomes ready or rejected ends it.
  const { reload, refreshing } = files;
  useEffect(() => {
    if (!processing || refreshing) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [processing, refreshing, reload, list]);

  const wasProcessing = useRef(new Set<string>());
  useEffect(() => {
    // Tell the timeline when a check finished.
    const now = new Set(list.filter((f) => f.status === 'processing').map((f) => f.id));
    const finished = [...wasProcessing.current].some((id) => !now.has(id));
    wasProcessing.current = now;
    if (finished) onChanged?.();
  }, [list, onChanged]);

  async function upload(e: ChangeEvent<HTMLInputElement>) {
    const chosen = [...(e.target.files ?? [])];
    e.target.value = '';
    setError(null);
    for (const file of chosen) {
      setUploading((u) => [...u, file.name]);
      try {
        const body = new FormData();
        body.append('file', file, file.name);
        const created = await unwrap(
          api.POST('/agents/{agentId}/contacts/{contactId}/files', { params: { path }, body: body as unknown as { file: string } }),
        );
        files.replace([created, ...(files.status === 'ready' ? files.data : []).filter((f) => f.id !== created.id)]);
        files.reload();
        onChanged?.();
      } catch (err) {
        setError(`${file.name} was not uploaded: ${asApiError(err).message}`);
      } finally {
        setUploading((u) => u.filter((n, i) => i !== u.indexOf(file.name) || n !== file.name));
      }
    }
  }

  async function remove(file: ContactFile) {
    await unwrap(api.DELETE('/agents/{agentId}/contacts/{contactId}/files/{fileId}', { params: { path: { ...path, fileId: file.id } } }));
    files.replace(list.filter((f) => f.id !== file.id));
    setDeleting(null);
    onChanged?.();
  }

  return (
    <div className="files">
      <div className="files__upload">
        <input id={inputId} ref={input} type="file" multiple className="visually-hidden" onChange={(e) => void upload(e)} />
        <label htmlFor={inputId} className="btn btn--small">
          <span aria-hidden="true">↑</span> Upload files
        </label>
        <span className="muted small">
          {maxBytes !== null && `Up to ${formatBytes(maxBytes)} each. `}Programs and scripts are refused.
        </span>
      </div>
      {error && <Alert>{error}</Alert>}
      {files.status === 'loading' && <Loading label="Loading files…" />}
      {files.status === 'error' && (
        <div>
          <Alert>{files.error.message}</Alert>
          <button type="button" className="btn" onClick={files.reload}>
            Try again
          </button>
        </div>
      )}
      {files.status === 'ready' && list.length === 0 && uploading.length === 0 && <p className="muted">No files yet.</p>}
      {(list.length > 0 || uploading.length > 0) && (
        <ul className="file-list" aria-label="Files">
          {uploading.map((name, i) => (
            <li key={`uploading-${i}`} className="file">
              <span className="file__name">{name}</span>
              <span className="badge badge--file-processing">Uploading…</span>
            </li>
          ))}
          {list.map((f) => (
            <li key={f.id} className="file">
              <div className="file__main">
                {f.status === 'ready' ? (
                  <a className="file__name" href={downloadHref(agentId, contactId, f.id)} download={f.name}>
                    {f.name}
                  </a>
                ) : (
                  <span className="file__name">{f.name}</span>
                )}
                <span className="muted small">
                  {formatBytes(f.size_bytes)} ·{' '}
                  <time dateTime={f.created_at} title={formatDateTime(f.created_at)}>
                    {formatRelative(f.created_at)}
                  </time>
                </span>
                {f.status === 'rejected' && f.reject_reason && <span className="field__error small">{f.reject_reason}</span>}
              </div>
              <span className={`badge badge--file-${f.status}`} aria-label={`Status: ${statusLabels[f.status]}`}>
                {f.status === 'processing' && <span className="spinner spinner--tiny" aria-hidden="true" />}
                {statusLabels[f.status] ?? f.status}
              </span>
              <span className="file__actions">
                {f.status === 'ready' && (
                  <a
                    className="btn btn--ghost btn--small"
                    href={downloadHref(agentId, contactId, f.id)}
                    download={f.name}
                    aria-label={`Download ${f.name}`}
                  >
                    Download
                  </a>
                )}
                {caps.deleteFiles && (
                  <button type="button" className="btn btn--ghost-danger btn--small" aria-label={`Delete ${f.name}`} onClick={() => setDeleting(f)}>
                    Delete
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete file"
          pendingLabel="Deleting…"
          danger
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p>The file is deleted for good.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
