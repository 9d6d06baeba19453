import { useState } from 'react';
import { api, unwrap, type Member } from '../api/client';
import { ConfirmDialog } from '../ui/Dialog';
import { SelectField } from '../ui/Field';

/** The owner hands the workspace to an admin and becomes an admin. */
export function TransferOwnership({
  members,
  actorId,
  workspaceName,
  onTransferred,
}: {
  members: Member[];
  actorId: string;
  workspaceName: string;
  onTransferred: (newOwner: Member) => void;
}) {
  const admins = members.filter((m) => m.role === 'admin' && m.user_id !== actorId);
  const [target, setTarget] = useState('');
  const [confirming, setConfirming] = useState(false);
  const chosen = admins.find((m) => m.user_id === target);

  async function transfer(newOwner: Member) {
    await unwrap(api.POST('/workspace/transfer', { body: { user_id: newOwner.user_id } }));
    setConfirming(false);
    setTarget('');
    onTransferred(newOwner);
  }

  return (
    <section className="card form" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Transfer ownership</h2>
      <p className="muted small">
        The new owner may do everything, including deleting the workspace. You become an admin.
      </p>
      {admins.length === 0 ? (
        <p className="muted small">Only an admin can become the owner. Make a member an admin first.</p>
      ) : (
        <>
          <SelectField
            label="New owner"
            name="new_owner"
            value={target}
            onChange={setTarget}
            options={[
              { value: '', label: 'Choose an admin' },
              ...admins.map((m) => ({ value: m.user_id, label: `${m.name} (${m.email})` })),
            ]}
          />
          <button type="button" className="btn btn--danger btn--block" disabled={!chosen} onClick={() => setConfirming(true)}>
            Transfer ownership…
          </button>
        </>
      )}
      {confirming && chosen && (
        <ConfirmDialog
          title="Transfer ownership?"
          confirmLabel="Transfer ownership"
          pendingLabel="Transferring…"
          danger
          onConfirm={() => transfer(chosen)}
          onClose={() => setConfirming(false)}
        >
          <p>
            {chosen.name} ({chosen.email}) becomes the owner of {workspaceName}. You become an admin: you can no longer
            rename or delete the workspace, manage admins or transfer ownership. Only the new owner can give it back.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
