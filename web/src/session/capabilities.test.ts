import { describe, expect, it } from 'vitest';
import type { Member } from '../api/client';
import {
  canChangeRole,
  canManageInvitation,
  canGrantAgents,
  canChangeNote,
  canRemove,
  capabilitiesOf,
  invitableRoles,
  ownerFirst,
  roleIn,
  roleLabel,
  worksInAgent,
} from './capabilities';

function member(user_id: string, role: Member['role']): Member {
  return { user_id, role, name: user_id, email: `${user_id}@example.com`, since: '2025-01-01T00:00:00Z', agent_ids: [] };
}

const owner = member('o', 'owner');
const admin = member('a', 'admin');
const otherAdmin = member('a2', 'admin');
const user = member('u', 'user');

describe('capabilities', () => {
  it('follows the role matrix', () => {
    expect(capabilitiesOf('owner')).toEqual({
      role: 'owner',
      manageTeam: true,
      manageAdmins: true,
      manageWorkspace: true,
      manageAgents: true,
      readWholeAudit: true,
      manageContacts: true,
      manageCrmSettings: true,
      manageAllNotes: true,
      deleteFiles: true,
      bulkContacts: true,
      mergeContacts: true,
      contactPrivacy: true,
      shareViews: true,
      manageAutomations: true,
    });
    expect(capabilitiesOf('admin')).toEqual({
      role: 'admin',
      manageTeam: true,
      manageAdmins: false,
      manageWorkspace: false,
      manageAgents: true,
      readWholeAudit: true,
      manageContacts: true,
      manageCrmSettings: true,
      manageAllNotes: true,
      deleteFiles: true,
      bulkContacts: true,
      mergeContacts: true,
      contactPrivacy: true,
      shareViews: true,
      manageAutomations: true,
    });
    for (const role of ['user', null, undefined] as const) {
      expect(capabilitiesOf(role)).toEqual({
        role: role ?? null,
        manageTeam: false,
        manageAdmins: false,
        manageWorkspace: false,
        manageAgents: false,
        readWholeAudit: false,
        manageContacts: false,
        manageCrmSettings: false,
        manageAllNotes: false,
        deleteFiles: false,
        bulkContacts: false,
        mergeContacts: false,
        contactPrivacy: false,
        shareViews: false,
        manageAutomations: false,
      });
    }
  });

  it('reads the role of the current workspace', () => {
    const session = {
      user: { id: 'me', name: 'Me', email: 'me@example.com' },
      workspaces: [
        { id: 'w1', name: 'One', role: 'owner' as const },
        { id: 'w2', name: 'Two', role: 'user' as const },
      ],
      current_workspace_id: 'w2',
    };
    expect(roleIn(session)).toBe('user');
    expect(roleIn({ ...session, current_workspace_id: 'w1' })).toBe('owner');
    expect(roleIn({ ...session, workspaces: [], current_workspace_id: '' })).toBeNull();
  });

  it('lets the owner invite admins and users, an admin users only', () => {
    expect(invitableRoles('owner')).toEqual(['admin', 'user']);
    expect(invitableRoles('admin')).toEqual(['user']);
    expect(invitableRoles('user')).toEqual([]);
    expect(invitableRoles(null)).toEqual([]);
  });

  it('lets only the owner change roles, never the owner’s or their own', () => {
    expect(canChangeRole('owner', 'o', admin)).toBe(true);
    expect(canChangeRole('owner', 'o', user)).toBe(true);
    expect(canChangeRole('owner', 'o', owner)).toBe(false);
    expect(canChangeRole('admin', 'a', user)).toBe(false);
    expect(canChangeRole('admin', 'a', otherAdmin)).toBe(false);
    expect(canChangeRole('user', 'u', user)).toBe(false);
  });

  it('lets the owner remove anyone else, an admin users only', () => {
    expect(canRemove('owner', 'o', admin)).toBe(true);
    expect(canRemove('owner', 'o', user)).toBe(true);
    expect(canRemove('owner', 'o', owner)).toBe(false);
    expect(canRemove('admin', 'a', user)).toBe(true);
    expect(canRemove('admin', 'a', otherAdmin)).toBe(false);
    expect(canRemove('admin', 'a', admin)).toBe(false);
    expect(canRemove('admin', 'a', owner)).toBe(false);
    expect(canRemove('user', 'u', user)).toBe(false);
    expect(canRemove('user', 'x', user)).toBe(false);
  });

  it('lets the owner resend and revoke any invitation, an admin those of users', () => {
    expect(canManageInvitation('owner', { role: 'admin' })).toBe(true);
    expect(canManageInvitation('owner', { role: 'user' })).toBe(true);
    expect(canManageInvitation('admin', { role: 'user' })).toBe(true);
    expect(canManageInvitation('admin', { role: 'admin' })).toBe(false);
    expect(canManageInvitation('user', { role: 'user' })).toBe(false);
  });

  it('grants agents to users only, by the owner or an admin', () => {
    expect(canGrantAgents('owner', user)).toBe(true);
    expect(canGrantAgents('admin', user)).toBe(true);
    expect(canGrantAgents('owner', admin)).toBe(false);
    expect(canGrantAgents('user', user)).toBe(false);
  });

  it('puts the owner first and keeps the rest in order', () => {
    expect(ownerFirst([user, admin, owner, otherAdmin]).map((m) => m.user_id)).toEqual(['o', 'u', 'a', 'a2']);
  });

  it('labels roles', () => {
    expect(roleLabel('admin')).toBe('Admin');
    expect(roleLabel('auditor')).toBe('auditor');
  });

  it('knows who works in an agent: owners and admins in all, users in their grants', () => {
    expect(worksInAgent(owner, 'ag1')).toBe(true);
    expect(worksInAgent(admin, 'ag1')).toBe(true);
    expect(worksInAgent(user, 'ag1')).toBe(false);
    expect(worksInAgent({ ...user, agent_ids: ['ag1'] }, 'ag1')).toBe(true);
  });

  it('lets authors change their notes, owners and admins anyone’s', () => {
    const note = { author_id: 'u' };
    expect(canChangeNote(capabilitiesOf('user'), 'u', note)).toBe(true);
    expect(canChangeNote(capabilitiesOf('user'), 'x', note)).toBe(false);
    expect(canChangeNote(capabilitiesOf('user'), 'u', { author_id: null })).toBe(false);
    expect(canChangeNote(capabilitiesOf('admin'), 'a', note)).toBe(true);
  });
});
