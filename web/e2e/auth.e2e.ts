import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, createAgent, newUser, signIn, signUp } from './flows';

describe('accounts and agents', () => {
  const user = newUser('auth');
  const agentName = `Support bot ${user.email.slice(4, 16)}`;

  test('sign up, create an agent, open its Contacts tab', async ({ page }) => {
    await signUp(page, user);
    await visible(page.getByText(user.name, { exact: true }));
    // Sign-up creates a first agent.
    await visible(page.getByRole('list', { name: 'Agents' }));

    await createAgent(page, agentName);
    await snapshot(page, 'agents');

    await agentLink(page, agentName).click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    await visible(page.getByRole('heading', { level: 1, name: agentName }));
    for (const tab of ['Contacts', 'Forms', 'Automations', 'Settings']) {
      await visible(page.getByRole('navigation', { name: 'Agent CRM' }).getByRole('link', { name: tab }));
    }
    const empty = await visible(page.getByRole('region', { name: 'No contacts yet' }));
    expect(await empty.textContent()).toMatch(/chat.*form.*import.*API/s);
    expect(await empty.getByRole('button').count()).toBe(0);
    await snapshot(page, 'contacts');
  });

  test('sign out, sign back in, wrong password', async ({ page }) => {
    await signIn(page, user);
    await page.waitForURL('**/agents');
    await visible(agentLink(page, agentName));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await visible(page.getByRole('heading', { name: 'Sign in' }));

    // Signed out means signed out: the agents page sends us back.
    await page.goto('/agents');
    await page.waitForURL('**/signin');

    await signIn(page, { email: user.email, password: `${user.password}-wrong` });
    const alert = await visible(page.getByRole('alert'));
    expect((await alert.textContent())?.trim()).not.toBe('');
    expect(page.url()).toMatch(/\/signin$/);

    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/agents');
    await visible(agentLink(page, agentName));
  });
});
