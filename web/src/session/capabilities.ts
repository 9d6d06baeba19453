import type { InvitableRole, Member, Role, Session } from '../api/client';

/**
 * What a role may do in the workspace, mirroring policies/policy.csv. The UI hides or disables
 * what the role cannot do; the server still decides (and a 403 is still handled).
 */
export interface Capabilities {
  role: Role | null;
  /** Team page: list members and invitations, invite, manage users. */
  manageTeam: boolean;
  /** Invite admins, change roles, remove admins. */
  manageAdmins: boolean;
  /** Rename and delete the workspace, transfer ownership. */
  manageWorkspace: boolean;
  /** Create agents and change their settings. */
  manageAgents: boolean;
  /** The whole audit log (a user sees only their own entries). */
  readWholeAudit: boolean;
  /** Add, edit, assign, archive, restore and delete contacts (a user only moves them between stages). */
  manageContacts: boolean;
  /** Shape the pipeline (stages) and the custom fields of an agent. */
  manageCrmSettings: boolean;
  /** Edit and delete anyone's notes (everyone edits and deletes their own). */
  manageAllNotes: boolean;
  /** Delete a contact's files (everyone may read and upload them). */
  deleteFiles: boolean;
  /** Select contacts in the list and assign, move, archive, restore or delete them at once. */
  bulkContacts: boolean;
  /** Merge two contacts into one. */
  mergeContacts: boolean;
  /** Privacy: export everything about a contact, erase a contact completely. */
  contactPrivacy: boolean;
  /** Save, change and delete the contact list's shared views (everyone keeps personal ones). */
  shareViews: boolean;
  /** Change an agent's automations (everyone who works in the agent sees and simulates them). */
  manageAutomations: boolean;
}

export const roleLabels: Record<Role, string> = { owner: 'Owner', admin: 'Admin', user: 'User' };

export function roleLabel(role: string): string {
  return roleLabels[role as Role] ?? role;
}

/** The signed-in user's role in the current workspace, or null without one. */
export function roleIn(session: Session): Role | null {
  return session.workspaces.find((w) => w.id === session.current_workspace_id)?.role ?? null;
}

export function capabilitiesOf(role: Role | null | undefined): Capabilities {
  const owner = role === 'owner';
  const admin = owner || role === 'admin';
  return {
    role: role ?? null,
    manageTeam: admin,
    manageAdmins: owner,
    manageWorkspace: owner,
    manageAgents: admin,
    readWholeAudit: admin,
    manageContacts: admin,
    manageCrmSettings: admin,
    manageAllNotes: admin,
    deleteFiles: admin,
    bulkContacts: admin,
    mergeContacts: admin,
    contactPrivacy: admin,
    shareViews: admin,
    manageAutomations: admin,
  };
}

/** The roles the actor may invite: the owner admins and users, an admin users only. */
export function invitableRoles(actor: Role | null): InvitableRole[] {
  if (actor === 'owner') return ['admin', 'user'];
  if (actor === 'admin') return ['user'];
  return [];
}

/** Only the owner changes roles (between admin and user), never their own nor the owner's. */
export function canChangeRole(actor: Role | null, actorId: string, target: Member): boolean {
  return actor === 'owner' && target.role !== 'owner' && target.user_id !== actorId;
}

/** The owner removes admins and users; an admin removes users; nobody removes the owner or themselves here. */
export function canRemove(actor: Role | null, actorId: string, target: Member): boolean {
  if (target.role === 'owner' || target.user_id === actorId) return false;
  if (actor === 'owner') return true;
  return actor === 'admin' && target.role === 'user';
}

/** Resend or revoke: the owner any invitation, an admin invitations of users. */
export function canManageInvitation(actor: Role | null, invitation: { role: InvitableRole }): boolean {
  return invitableRoles(actor).includes(invitation.role);
}

/** Agent grants matter for users only: owners and admins work in every agent. */
export function canGrantAgents(actor: Role | null, target: Member): boolean {
  return (actor === 'owner' || actor === 'admin') && target.role === 'user';
}

/** Owners and admins work in every agent; a user only in the agents granted to them. */
export function worksInAgent(member: Member, agentId: string): boolean {
  return member.role !== 'user' || member.agent_ids.includes(agentId);
}

/** Whether the signed-in member may edit or delete a note: its author, or an owner or admin. */
export function canChangeNote(caps: Capabilities, actorId: string, note: { author_id?: string | null }): boolean {
  return caps.manageAllNotes || (!!note.author_id && note.author_id === actorId);
}

/** Owner first; everyone else in the server's order. */
export function ownerFirst(members: readonly Member[]): Member[] {
  return [...members.filter((m) => m.role === 'owner'), ...members.filter((m) => m.role !== 'owner')];
}
