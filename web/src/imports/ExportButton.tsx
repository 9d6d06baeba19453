import { useState } from 'react';
import type { ContactFilters } from '../contacts/query';
import { exportHref } from './exportHref';
import './imports.css';

/** Downloads the contact list as it is shown (filters, sort, custom columns) as a CSV file. */
export function ExportButton({ agentId, filters, columns }: { agentId: string; filters: ContactFilters; columns: readonly string[] }) {
  const [excel, setExcel] = useState(false);
  return (
    <div className="export">
      <a className="btn" href={exportHref(agentId, filters, columns, excel)} download>
        Export CSV
      </a>
      <label className="small muted">
        <input type="checkbox" checked={excel} onChange={(e) => setExcel(e.target.checked)} /> for Excel
      </label>
    </div>
  );
}
