import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Invitation, type Member, type RemovedMember } from '../api/client';
import { listAllAgents } from '../agents/listAll';
import { currentWorkspace, useCapabilities, useSession, useSessionApi } from '../session/SessionContext';
import { useDocumentTitle } from '../ui/dom';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { PeopleIcon } from '../ui/icons';
import { useResource } from '../ui/useResource';
import { InvitationsTable } from './InvitationsTable';
import { InviteForm } from './InviteForm';
import { MembersTable } from './MembersTable';
import { TransferOwnership } from './TransferOwnership';

/** Members, invitations and ownership of the current workspace (owner and admins). */
export function TeamPage() {
  useDocumentTitle('Team');
  const caps = useCapabilities();
  return caps.manageTeam ? <Team /> : <TeamNotAllowed />;
}

function TeamNotAllowed() {
  return (
    <EmptyState
      icon={<PeopleIcon />}
      title="Only owners and admins manage the team"
      action={
        <Link to="/agents" className="btn btn--primary">
          Go to your agents
        </Link>
      }
    >
      You work in the agents shared with you. To invite someone or change who works in an agent, ask an admin of this
      workspace.
    </EmptyState>
  );
}

const loadMembers = () => unwrap(api.GET('/members')).then((page) => page.items);
const loadInvitations = () => unwrap(api.GET('/invitations')).then((page) => page.items);

function Team() {
  const session = useSession();
  const { adopt } = useSessionApi();
  const caps = useCapabilities();
  const workspace = currentWorkspace(session);
  const members = useResource(loadMembers, 'members');
  const invitations = useResource(loadInvitations, 'invitations');
  const agents = useResource(listAllAgents, 'agents');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const report = useCallback((message: { notice?: string; error?: string }) => {
    setNotice(message.notice ?? null);
    setError(message.error ?? null);
  }, []);

  if (members.status === 'error' && members.error.status === 403) return <TeamNotAllowed />;

  function memberChanged(member: Member) {
    if (members.status !== 'ready') return;
    members.replace(members.data.map((m) => (m.user_id === member.user_id ? member : m)));
  }

  function memberRemoved(removed: RemovedMember) {
    if (members.status === 'ready') members.replace(members.data.filter((m) => m.user_id !== removed.member.user_id));
    report({ notice: removedNotice(removed) });
  }

  function invited(invitation: Invitation) {
    if (invitations.status === 'ready') {
      invitations.replace([invitation, ...invitations.data.filter((i) => i.id !== invitation.id)]);
    } else {
      invitations.reload();
    }
  }

  function invitationChanged(invitation: Invitation) {
    if (invitations.status !== 'ready') return;
    if (invitations.data.some((i) => i.id === invitation.id)) {
      invitations.replace(invitations.data.map((i) => (i.id === invitation.id ? invitation : i)));
    } else {
      invitations.reload();
    }
  }

  async function transferred(newOwner: Member) {
    report({ notice: `${newOwner.name} is now the owner of ${workspace?.name ?? 'this workspace'}. You are an admin.` });
    members.reload();
    try {
      // The role in the session changed: what this page offers changes with it.
      adopt(await unwrap(api.GET('/me')));
    } catch {
      // The next page load reads the session again.
    }
  }

  return (
    <div className="team">
      <div className="page__header">
        <div>
          <h1>Team</h1>
          <p className="muted">
            Who works in {workspace?.name ?? 'this workspace'}. Owners and admins work in every agent; users only in the
            agents shared with them.
          </p>
        </div>
      </div>
      <div className="split">
        <div className="split__main">
          {notice && <Alert tone="info">{notice}</Alert>}
          {error && <Alert>{error}</Alert>}
          <section className="card section" aria-labelledby="members-title">
            <h2 id="members-title">Members</h2>
            {members.status === 'loading' && <Loading label="Loading members…" />}
            {members.status === 'error' && (
              <div>
                <Alert>{members.error.message}</Alert>
                <button type="button" className="btn" onClick={members.reload}>
                  Try again
                </button>
              </div>
            )}
            {members.status === 'ready' && (
              <MembersTable
                members={members.data}
                agents={agents}
                actorRole={caps.role}
                actorId={session.user.id}
                workspaceName={workspace?.name ?? 'this workspace'}
                onChanged={memberChanged}
                onRemoved={memberRemoved}
                report={report}
              />
            )}
          </section>
          <section className="card section" aria-labelledby="invitations-title">
            <h2 id="invitations-title">Invitations</h2>
            {invitations.status === 'loading' && <Loading label="Loading invitations…" />}
            {invitations.status === 'error' && (
              <div>
                <Alert>{invitations.error.message}</Alert>
                <button type="button" className="btn" onClick={invitations.reload}>
                  Try again
                </button>
              </div>
            )}
            {invitations.status === 'ready' && (
              <InvitationsTable
                invitations={invitations.data}
                actorRole={caps.role}
                onChanged={invitationChanged}
                report={report}
              />
            )}
          </section>
        </div>
        <aside className="split__side stack">
          <InviteForm actorRole={caps.role} onInvited={invited} report={report} />
          {caps.manageAdmins && members.status === 'ready' && (
            <TransferOwnership
              members={members.data}
              actorId={session.user.id}
              workspaceName={workspace?.name ?? 'this workspace'}
              onTransferred={transferred}
            />
          )}
        </aside>
      </div>
    </div>
  );
}

function removedNotice({ member, open_assignments: n }: RemovedMember): string {
  const removed = `${member.name} was removed from the workspace.`;
  if (n === 0) return `${removed} They owned no open contacts.`;
  return `${removed} ${n} contact${n === 1 ? '' : 's'} they owned ${n === 1 ? 'is' : 'are'} now without that owner: assign ${
    n === 1 ? 'it' : 'them'
  } to someone else.`;
}

export type Report = (message: { notice?: string; error?: string }) => void;
