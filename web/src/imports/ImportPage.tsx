import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { API_BASE, api, unwrap } from '../api/client';
import { asApiError } from '../api/error';
import { loadMembers, loadStages } from '../contacts/data';
import { ConfirmDialog } from '../ui/Dialog';
import { useDocumentTitle } from '../ui/dom';
import { Alert, Loading } from '../ui/feedback';
import { formatBytes, formatDateTime } from '../ui/format';
import { useResource } from '../ui/useResource';
import {
  canUndo,
  formatCount,
  formatTimeLeft,
  isActive,
  mappingProblem,
  modeLabels,
  percentDone,
  previewColumns,
  resultNote,
  statusLabels,
  targetOptions,
  undoWarning,
  type Import,
  type ImportMode,
  type ImportPreview,
  type PreviewColumn,
} from './imports';
import './imports.css';

const POLL_MS = 700;
/** After this long without a row done, the rate so far says nothing about the time left. */
const STALL_MS = 10_000;

/**
 * One import, as a wizard: map the columns and choose the mode, preview what would happen,
 * run it with a live progress bar, then the result with the error report and undo.
 */
export function ImportPage() {
  const { agent } = useAgent();
  const { importId = '' } = useParams();
  const path = { agentId: agent.id, importId };
  const load = useCallback(
    () => unwrap(api.GET('/agents/{agentId}/imports/{importId}', { params: { path: { agentId: agent.id, importId } } })),
    [agent.id, importId],
  );
  const imp = useResource(load, importId);
  const fields = useResource(
    useCallback(() => unwrap(api.GET('/agents/{agentId}/fields', { params: { path: { agentId: agent.id } } })).then((p) => p.items), [agent.id]),
    agent.id,
  );
  useDocumentTitle(imp.status === 'ready' ? `Import ${imp.data.file_name}` : 'Import');

  // Poll while the run (or its undo) is under way.
  const { reload, refreshing } = imp;
  const active = imp.status === 'ready' && isActive(imp.data.status);
  useEffect(() => {
    if (!active || refreshing) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [active, refreshing, reload, imp]);

  if (imp.status === 'loading') return <Loading label="Loading import…" />;
  if (imp.status === 'error') return <Alert>{imp.error.message}</Alert>;
  const data = imp.data;
  return (
    <section className="imports" aria-labelledby="import-title">
      <p>
        <Link to=".." relative="path">
          ← All imports
        </Link>
      </p>
      <h2 id="import-title">{data.file_name}</h2>
      <p className="muted small">
        {formatBytes(data.size_bytes)} · {formatCount(data.progress.total)} rows · {data.encoding} ·{' '}
        {data.delimiter === '\t' ? 'tab' : `“${data.delimiter}”`} separated · {statusLabels[data.status]}
      </p>
      {data.status === 'uploaded' && fields.status === 'ready' && (
        <MappingStep key={`${data.id}:${data.has_header}`} imp={data} fields={fields.data} path={path} onChange={imp.replace} />
      )}
      {data.status === 'uploaded' && fields.status === 'loading' && <Loading />}
      {(data.status === 'queued' || data.status === 'running') && <RunStep imp={data} path={path} onChange={imp.replace} />}
      {!isActive(data.status) && data.status !== 'uploaded' && <ResultStep imp={data} path={path} onChange={imp.replace} />}
      {data.status === 'undoing' && <Loading label="Undoing the import…" />}
    </section>
  );
}

type Path = { agentId: string; importId: string };

function MappingStep({ imp, fields, path, onChange }: { imp: Import; fields: Parameters<typeof targetOptions>[0]; path: Path; onChange: (i: Import) => void }) {
  const [mapping, setMapping] = useState<string[]>(imp.mapping);
  const [mode, setMode] = useState<ImportMode>(imp.mode);
  const [preview, setPreview] = useState<{ result: ImportPreview; columns: PreviewColumn[] } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'start' | 'header' | null>(null);
  const [firstRowIsHeader, setFirstRowIsHeader] = useState(imp.has_header);
  const [error, setError] = useState<string | null>(null);
  const [confirmAgain, setConfirmAgain] = useState(false);
  const options = targetOptions(fields);
  const problem = mappingProblem(mapping);

  async function save() {
    const saved = await unwrap(api.PUT('/agents/{agentId}/imports/{importId}/mapping', { params: { path }, body: { mode, mapping } }));
    onChange(saved);
  }

  async function runPreview() {
    setBusy('preview');
    setError(null);
    try {
      await save();
      // Stages and owners come back as ids: read against the agent's stages and the members.
      // Without them (a failed read) the cells show the ids rather than no preview at all.
      const [result, stages, members] = await Promise.all([
        unwrap(api.POST('/agents/{agentId}/imports/{importId}/preview', { params: { path } })),
        mapping.includes('stage') ? loadStages(path.agentId).catch(() => []) : [],
        mapping.includes('owner') ? loadMembers().catch(() => []) : [],
      ]);
      setPreview({ result, columns: previewColumns(mapping, { fields, stages, members }) });
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(null);
    }
  }

  async function start() {
    setBusy('start');
    setError(null);
    try {
      await save();
      onChange(await unwrap(api.POST('/agents/{agentId}/imports/{importId}/start', { params: { path }, body: { confirm_reimport: confirmAgain } })));
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(null);
    }
  }

  // The upload guessed whether the first row names the columns; saying otherwise names the
  // columns anew and suggests a mapping for them (the step starts over with it).
  async function setHeader(hasHeader: boolean) {
    setBusy('header');
    setFirstRowIsHeader(hasHeader);
    setError(null);
    try {
      onChange(await unwrap(api.PUT('/agents/{agentId}/imports/{importId}/mapping', { params: { path }, body: { mode, has_header: hasHeader } })));
    } catch (err) {
      setError(asApiError(err).message);
      setFirstRowIsHeader(!hasHeader);
      setBusy(null);
    }
  }

  function choose(i: number, target: string) {
    setMapping((m) => m.map((t, j) => (j === i ? target : t)));
    setPreview(null);
  }

  return (
    <div className="import-step">
      <h3>1. Map the columns</h3>
      <label className="import-header-choice">
        <input type="checkbox" checked={firstRowIsHeader} disabled={busy !== null} onChange={(e) => void setHeader(e.target.checked)} />
        The first row names the columns
      </label>
      <div className="table-wrap">
        <table className="table import-mapping" aria-label="Column mapping">
          <thead>
            <tr>
              <th>Column in the file</th>
              <th>Import as</th>
            </tr>
          </thead>
          <tbody>
            {imp.headers.map((h, i) => (
              <tr key={i}>
                <td>{h}</td>
                <td>
                  <select aria-label={`Import ${h} as`} className="table__select" value={mapping[i]} onChange={(e) => choose(i, e.target.value)}>
                    {options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <fieldset className="import-modes">
        <legend>Existing contacts (matched by external id, then email, then phone)</legend>
        {(Object.keys(modeLabels) as ImportMode[]).map((m) => (
          <label key={m}>
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => (setMode(m), setPreview(null))} /> {modeLabels[m]}
          </label>
        ))}
        <p className="muted small">Empty cells keep a contact’s existing values.</p>
      </fieldset>
      {problem && <Alert tone="warning">{problem}</Alert>}
      <h3>2. Preview</h3>
      <button type="button" className="btn" disabled={problem !== null || busy !== null} onClick={() => void runPreview()}>
        {busy === 'preview' ? 'Reading the whole file…' : 'Preview'}
      </button>
      {preview && <PreviewView preview={preview.result} columns={preview.columns} />}
      <h3>3. Import</h3>
      {imp.earlier_import && (
        <Alert tone="warning">
          This file was already imported on {new Date(imp.earlier_import.created_at).toLocaleDateString()} ({imp.earlier_import.file_name}).{' '}
          <label>
            <input type="checkbox" checked={confirmAgain} onChange={(e) => setConfirmAgain(e.target.checked)} /> Import it again anyway
          </label>
        </Alert>
      )}
      {error && <Alert>{error}</Alert>}
      <button
        type="button"
        className="btn btn--primary"
        disabled={problem !== null || busy !== null || (imp.earlier_import !== null && !confirmAgain)}
        onClick={() => void start()}
      >
        {busy === 'start' ? 'Starting…' : 'Start import'}
      </button>
    </div>
  );
}

function PreviewView({ preview, columns }: { preview: ImportPreview; columns: PreviewColumn[] }) {
  return (
    <div className="import-preview" aria-label="Preview">
      <p className="import-summary">
        Would create <strong>{formatCount(preview.create)}</strong>, update <strong>{formatCount(preview.update)}</strong>, skip{' '}
        <strong>{formatCount(preview.skip)}</strong>, reject <strong>{formatCount(preview.reject)}</strong>.
      </p>
      {preview.reasons.length > 0 && (
        <ul className="import-reasons" aria-label="Reasons">
          {preview.reasons.map((r, i) => (
            <li key={i}>
              {r.outcome === 'reject' ? 'Rejected' : 'Skipped'}: {r.reason} ({formatCount(r.rows)})
            </li>
          ))}
        </ul>
      )}
      {/* Every mapped column: on a narrow screen the table scrolls sideways, the row number stays. */}
      <div className="table-wrap import-preview__scroll" role="region" aria-label="First rows as mapped" tabIndex={0}>
        <table className="table import-preview__table" aria-label="First rows">
          <thead>
            <tr>
              <th scope="col">Row</th>
              {columns.map((c) => (
                <th key={c.key} scope="col">
                  {c.label}
                </th>
              ))}
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => (
              <tr key={r.row}>
                <th scope="row">{r.row}</th>
                {columns.map((c) => (
                  <td key={c.key}>{c.cell(r)}</td>
                ))}
                <td className="import-preview__outcome">
                  <span className={`badge import-outcome--${r.outcome}`}>{r.outcome}</span> {r.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Counts({ imp }: { imp: Import }) {
  const p = imp.progress;
  return (
    <dl className="import-counts">
      <div>
        <dt>Created</dt>
        <dd>{formatCount(p.created)}</dd>
      </div>
      <div>
        <dt>Updated</dt>
        <dd>{formatCount(p.updated)}</dd>
      </div>
      <div>
        <dt>Skipped</dt>
        <dd>{formatCount(p.skipped)}</dd>
      </div>
      <div>
        <dt>Rejected</dt>
        <dd>{formatCount(p.rejected)}</dd>
      </div>
    </dl>
  );
}

/**
 * Whether `rows` has stayed as it is for `ms`. It remembers the count it stalled at rather than
 * a flag, so a count that moves on is not stalled from the very render that shows it.
 */
function useStalled(rows: number, ms: number): boolean {
  const [stalledAt, setStalledAt] = useState<number | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setStalledAt(rows), ms);
    return () => clearTimeout(timer);
  }, [rows, ms]);
  return stalledAt === rows;
}

function RunStep({ imp, path, onChange }: { imp: Import; path: Path; onChange: (i: Import) => void }) {
  const p = imp.progress;
  const pct = percentDone(p);
  // A stop cannot be taken back (a stopped run does not resume), so it is asked for first.
  const [stopping, setStopping] = useState(false);
  // The time left comes from the rate so far: unknown before the first rows, and stale once no
  // rows have moved for a while (a slow chunk, a retry), when it would count down to nothing.
  const stalled = useStalled(p.rows_done, STALL_MS);
  const timeLeft = p.rows_per_second > 0 && !stalled ? formatTimeLeft(p.seconds_left) : '';
  return (
    <div className="import-step">
      <h3>{statusLabels[imp.status]}</h3>
      {imp.status === 'queued' && <p className="muted">Waiting to start.</p>}
      <div
        className="import-progress"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${formatCount(p.rows_done)} of ${formatCount(p.total)} rows`}
      >
        <div className="import-progress__bar" style={{ width: `${pct}%` }} />
      </div>
      <p className="import-progress__text">
        {formatCount(p.rows_done)} of {formatCount(p.total)} rows ({pct}%)
        {p.rows_per_second > 0 && ` · ${formatCount(p.rows_per_second)} rows/s`}
        {timeLeft && ` · ${timeLeft} left`}
      </p>
      <Counts imp={imp} />
      {/* "Stop", not "Cancel": the dialog's own Cancel button means "keep importing". */}
      <button type="button" className="btn" disabled={imp.cancel_requested} onClick={() => setStopping(true)}>
        {imp.cancel_requested ? 'Stopping: the rows in flight are rolled back…' : 'Stop import'}
      </button>
      {stopping && (
        <ConfirmDialog
          title="Stop this import?"
          confirmLabel="Stop import"
          pendingLabel="Stopping…"
          danger
          onClose={() => setStopping(false)}
          onConfirm={async () => {
            // An error (the run finished meanwhile, say) is shown by the dialog, which stays until closed.
            onChange(await unwrap(api.POST('/agents/{agentId}/imports/{importId}/cancel', { params: { path } })));
            setStopping(false);
          }}
        >
          {imp.status === 'queued' ? (
            <p>It has not started yet: no contact is created or changed.</p>
          ) : (
            <>
              <p>
                The rows already written stay ({formatCount(p.rows_done)} of {formatCount(p.total)} rows done so far), and Undo import
                can remove them afterwards.
              </p>
              <p>The chunk of rows being written when the stop arrives is rolled back, and the rest of the file is not imported.</p>
            </>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}

function ResultStep({ imp, path, onChange }: { imp: Import; path: Path; onChange: (i: Import) => void }) {
  const [undoing, setUndoing] = useState(false);
  // An undo the server refused (the dialog says why) may mean the import changed meanwhile.
  const [undoFailed, setUndoFailed] = useState(false);
  const errorsHref = `${API_BASE}/agents/${path.agentId}/imports/${path.importId}/errors`;
  const note = resultNote(imp);

  function closeUndo() {
    setUndoing(false);
    if (!undoFailed) return;
    // The page shows the import as it is now: undone by someone else, undoing, or as it was.
    setUndoFailed(false);
    unwrap(api.GET('/agents/{agentId}/imports/{importId}', { params: { path } })).then(onChange, () => {});
  }

  return (
    <div className="import-step">
      <h3>{statusLabels[imp.status]}</h3>
      {imp.error && <Alert>{imp.error}</Alert>}
      <p>
        {formatCount(imp.progress.rows_done)} of {formatCount(imp.progress.total)} rows done.
      </p>
      <Counts imp={imp} />
      {note && <p>{note}</p>}
      {imp.file_erased_at && (
        <p className="muted" role="note">
          The file was deleted on {formatDateTime(imp.file_erased_at)}: import files are kept for a limited time after the run, and
          deleted sooner when a contact they held is erased. Its error report went with it.
        </p>
      )}
      <div className="import-actions">
        {imp.progress.rejected > 0 && !imp.file_erased_at && (
          <a className="btn" href={errorsHref} download>
            Download error report
          </a>
        )}
        {canUndo(imp) && (
          <button type="button" className="btn btn--danger" onClick={() => setUndoing(true)}>
            Undo import
          </button>
        )}
      </div>
      {imp.status === 'undone' && (
        <div>
          <p>
            The contacts this import created were deleted with their conversations, notes and files, and the ones it updated got their
            values back.
          </p>
          {imp.undo_kept.length > 0 && (
            <>
              <p>These contacts were kept as they are:</p>
              <ul aria-label="Kept contacts">
                {imp.undo_kept.map((k) => (
                  <li key={k.id}>
                    <Link to={`../../contacts/${k.id}`} relative="path">{k.name || k.email || k.phone}</Link>
                    <span className="muted">: {k.reason}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {undoing && (
        <ConfirmDialog
          title="Undo this import?"
          confirmLabel="Undo import"
          pendingLabel="Undoing…"
          danger
          onClose={closeUndo}
          onConfirm={async () => {
            try {
              onChange(await unwrap(api.POST('/agents/{agentId}/imports/{importId}/undo', { params: { path } })));
            } catch (err) {
              // The dialog shows the error and stays until closed.
              setUndoFailed(true);
              throw err;
            }
            setUndoing(false);
          }}
        >
          {undoWarning(imp.progress).map((text) => (
            <p key={text}>{text}</p>
          ))}
        </ConfirmDialog>
      )}
    </div>
  );
}
