import { useCallback, useState } from 'react';
import { NewWorkspaceDialog } from '../shell/NewWorkspaceDialog';
import { useDocumentTitle } from '../ui/dom';
import { EmptyState } from '../ui/feedback';
import { CompassIcon } from '../ui/icons';

/** Signed in, but in no workspace: every workspace was deleted, or the user was removed from it. */
export function NoWorkspacePage() {
  useDocumentTitle('No workspace');
  const [creating, setCreating] = useState(false);
  const close = useCallback(() => setCreating(false), []);
  return (
    <>
      <EmptyState
        icon={<CompassIcon />}
        title="You are not in a workspace"
        action={
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
            New workspace
          </button>
        }
      >
        Your workspaces were deleted, or you were removed from them. Create a new workspace to start again, or ask a
        workspace’s owner or admin for an invitation.
      </EmptyState>
      {creating && <NewWorkspaceDialog onClose={close} />}
    </>
  );
}
