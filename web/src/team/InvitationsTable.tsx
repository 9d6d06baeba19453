import { useState } from 'react';
import { api, unwrap, type Invitation, type Role } from '../api/client';
import { asApiError } from '../api/error';
import { canManageInvitation, roleLabel } from '../session/capabilities';
import { ConfirmDialog } from '../ui/Dialog';
import { formatDate, formatDateTime } from '../ui/format';
import type { Report } from './TeamPage';

const stateLabels: Record<Invitation['state'], string> = {
  pending: 'Pending',
  expired: 'Expired',
  accepted: 'Accepted',
  revoked: 'Revoked',
};

/** A pending or expired invitation can be sent again or revoked; the others are history. */
function isOpen(invitation: Invitation): boolean {
  return invitation.state === 'pending' || invitation.state === 'expired';
}

/** The workspace's invitations, newest first, with their state. */
export function InvitationsTable({
  invitations,
  actorRole,
  onChanged,
  report,
}: {
  invitations: Invitation[];
  actorRole: Role | null;
  onChanged: (invitation: Invitation) => void;
  report: Report;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  async function resend(invitation: Invitation) {
    setBusy(invitation.id);
    report({});
    try {
      const sent = await unwrap(
        api.POST('/invitations/{invitationId}/resend', { params: { path: { invitationId: invitation.id } } }),
      );
      onChanged(sent);
      report({ notice: `Invitation sent again to ${sent.email}. The earlier link no longer works.` });
    } catch (err) {
      report({ error: asApiError(err).message });
    } finally {
      setBusy(null);
    }
  }

  async function revoke(invitation: Invitation) {
    const revoked = await unwrap(
      api.DELETE('/invitations/{invitationId}', { params: { path: { invitationId: invitation.id } } }),
    );
    setRevoking(null);
    onChanged(revoked);
    report({ notice: `Invitation to ${revoked.email} revoked. Its link no longer works.` });
  }

  if (invitations.length === 0) {
    return <p className="muted">No invitations yet. Invite someone with the form on this page.</p>;
  }

  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label="Invitations">
          <thead>
            <tr>
              <th scope="col">Invitation</th>
              <th scope="col">State</th>
              <th scope="col">Sent</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((inv) => (
              <tr key={inv.id}>
                <td>
                  <div className="table__strong table__wrap">{inv.email}</div>
                  <div className="muted small">
                    {roleLabel(inv.role)} · invited by {inv.invited_by}
                  </div>
                </td>
                <td>
                  <span className={`badge badge--state-${inv.state}`}>{stateLabels[inv.state] ?? inv.state}</span>
                  {inv.state === 'pending' && (
                    <div className="muted small" title={formatDateTime(inv.expires_at)}>
                      until {formatDate(inv.expires_at)}
                    </div>
                  )}
                  {inv.state === 'expired' && (
                    <div className="muted small" title={formatDateTime(inv.expires_at)}>
                      on {formatDate(inv.expires_at)}
                    </div>
                  )}
                </td>
                <td className="nowrap">
                  <time dateTime={inv.created_at} title={formatDateTime(inv.created_at)}>
                    {formatDate(inv.created_at)}
                  </time>
                </td>
                <td className="table__actions">
                  {isOpen(inv) && canManageInvitation(actorRole, inv) && (
                    <>
                      <button
                        type="button"
                        className="btn btn--small"
                        aria-label={`Resend the invitation to ${inv.email}`}
                        disabled={busy === inv.id}
                        onClick={() => void resend(inv)}
                      >
                        {busy === inv.id ? 'Sending…' : 'Resend'}
                      </button>
                      <button
                        type="button"
                        className="btn btn--small btn--ghost-danger"
                        aria-label={`Revoke the invitation to ${inv.email}`}
                        disabled={busy === inv.id}
                        onClick={() => setRevoking(inv)}
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {revoking && (
        <ConfirmDialog
          title="Revoke this invitation?"
          confirmLabel="Revoke invitation"
          pendingLabel="Revoking…"
          danger
          onConfirm={() => revoke(revoking)}
          onClose={() => setRevoking(null)}
        >
          <p>
            The link sent to {revoking.email} stops working. You can invite them again later.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
