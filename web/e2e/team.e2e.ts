import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { acceptAsNewUser, agentLink, createAgent, invitationPath, invite, navLink, newUser, signUp } from './flows';

describe('team', () => {
  test('invite an admin and a user, grant an agent, read the audit log', async ({ page: owner, newPage }) => {
    const ownerUser = newUser('team-owner');
    const adminUser = newUser('team-admin');
    const member = newUser('team-user');
    const workspace = ownerUser.workspace;

    // The owner signs up (which creates "My first agent") and adds a second agent.
    await signUp(owner, ownerUser);
    await createAgent(owner, 'Granted bot');

    // The owner invites an admin from the Team page.
    await navLink(owner, 'Team').click();
    await visible(owner.getByRole('heading', { name: 'Team', level: 1 }));
    await invite(owner, adminUser.email, 'Admin');
    const invitations = owner.getByRole('table', { name: 'Invitations' });
    await visible(invitations.getByRole('row').filter({ hasText: adminUser.email }).getByText('Pending'));

    // The admin, in a second browser context, accepts the link from the outbox.
    const admin = await newPage();
    await acceptAsNewUser(admin, await invitationPath(owner, adminUser.email), adminUser, workspace);
    const switcher = admin.getByLabel('Workspace', { exact: true });
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${workspace} · Admin`);

    // The admin invites a user: the role select offers only "User".
    await navLink(admin, 'Team').click();
    const form = await visible(admin.getByRole('form', { name: 'Invite someone' }));
    expect(await form.getByLabel('Role').locator('option').allTextContents()).toEqual(['User']);
    await invite(admin, member.email, 'User');

    // The user, in a third context, accepts and sees no agent yet, and no Team page.
    const user = await newPage();
    await acceptAsNewUser(user, await invitationPath(admin, member.email), member, workspace);
    await visible(user.getByText('No agents shared with you yet'));
    await snapshot(user, 'agents-user');
    expect(await user.getByRole('form', { name: 'Create an agent' }).count()).toBe(0);
    expect(await navLink(user, 'Team').count()).toBe(0);

    // The admin grants "Granted bot" to the user.
    await admin.reload();
    await admin.getByRole('button', { name: `Edit agents of ${member.name}` }).click();
    const dialog = await visible(admin.getByRole('dialog', { name: `Agents for ${member.name}` }));
    await dialog.getByLabel('Granted bot', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Save agents' }).click();
    await dialog.waitFor({ state: 'detached' });
    await visible(admin.getByRole('status').filter({ hasText: `Agents of ${member.name} saved.` }));
    const memberRow = admin.getByRole('table', { name: 'Members' }).getByRole('row').filter({ hasText: member.email });
    await visible(memberRow.getByText('Granted bot'));
    await snapshot(admin, 'team');

    // The user now sees exactly that agent.
    await user.reload();
    await visible(agentLink(user, 'Granted bot'));
    expect(await user.getByRole('list', { name: 'Agents' }).getByRole('listitem').count()).toBe(1);
    expect(await agentLink(user, 'My first agent').count()).toBe(0);
    expect(await navLink(user, 'Team').count()).toBe(0);

    // The owner sees both invitations in the audit log, with before and after.
    await navLink(owner, 'Audit log').click();
    const filters = await visible(owner.getByRole('search', { name: 'Filter the audit log' }));
    await filters.getByLabel('Resource').selectOption('invitations');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await owner.waitForURL(/\/audit\?resource=invitations$/);
    const entries = owner.getByRole('table', { name: 'Audit entries' });
    const byOwner = entries.locator('tbody').filter({ hasText: ownerUser.name }).filter({ hasText: 'create' });
    const byAdmin = entries.locator('tbody').filter({ hasText: adminUser.name }).filter({ hasText: 'create' });
    await visible(byOwner.first());
    await visible(byAdmin.first());
    expect(await entries.locator('tbody').filter({ hasText: 'accept' }).count()).toBe(2);
    const exportHref = await owner.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(exportHref).toBe('/api/v1/audit/export?resource=invitations');
    const csv = await owner.request.get(exportHref!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('time,actor_email,actor_name,action,resource,resource_id,outcome,ip,request_id,before,after');
    expect(lines.slice(1).every((line) => line.includes(',invitations,'))).toBe(true);
    expect(lines.join('\n')).toContain(member.email);

    const details = byOwner.first().getByRole('button', { name: 'Details' });
    await details.click();
    expect(await details.getAttribute('aria-expanded')).toBe('true');
    await visible(byOwner.first().getByRole('region', { name: 'Before' }));
    const after = await visible(byOwner.first().getByRole('region', { name: 'After' }));
    expect(await after.locator('pre').textContent()).toContain(`"email": "${adminUser.email}"`);
    await snapshot(owner, 'audit');

    // The user sees only their own entries, and no member filter.
    await navLink(user, 'Audit log').click();
    const own = await visible(user.getByRole('table', { name: 'Audit entries' }));
    expect(await user.getByRole('search').getByLabel('Member').count()).toBe(0);
    const rows = own.locator('tbody');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await rows.filter({ hasNotText: member.name }).count()).toBe(0);
  });

  test('someone with an account joins with its password while signed in elsewhere', async ({ page: inviter, newPage }) => {
    const owner = newUser('join-owner');
    const existing = newUser('join-existing');
    await signUp(inviter, owner);
    await navLink(inviter, 'Team').click();
    await invite(inviter, existing.email, 'User');

    // Signed in to their own workspace in this browser, they open the link.
    const page = await newPage();
    await signUp(page, existing);
    await page.goto(await invitationPath(inviter, existing.email));
    await visible(page.getByRole('heading', { name: `Sign in to join ${owner.workspace}` }));
    expect(await page.getByLabel('Your name').count()).toBe(0);

    await page.getByLabel('Password').fill(`${existing.password}-wrong`);
    await page.getByRole('button', { name: 'Sign in and join' }).click();
    const password = page.getByLabel('Password');
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/\/invite#/);

    await password.fill(existing.password);
    await page.getByRole('button', { name: 'Sign in and join' }).click();
    await page.waitForURL('**/agents');
    // In the workspace just joined, as a user, with both workspaces to switch between.
    const switcher = page.getByLabel('Workspace', { exact: true });
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${owner.workspace} · User`);
    expect(await switcher.locator('option').allTextContents()).toEqual(
      expect.arrayContaining([`${existing.workspace} · Owner`, `${owner.workspace} · User`]),
    );
    await visible(page.getByText('No agents shared with you yet'));
  });
});
