import { describe, expect } from 'vitest';
import { test, visible } from './fixtures';
import { agentLink, createAgent, newUser, signUp } from './flows';

describe('workspaces', () => {
  test('create a second workspace, see it empty, switch back', async ({ page }) => {
    const user = newUser('ws');
    const agentName = 'First workspace bot';
    const second = `Second ${user.workspace}`;
    await signUp(page, user);
    await createAgent(page, agentName);

    await page.getByRole('button', { name: 'New workspace' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'New workspace' }));
    await dialog.getByLabel('Workspace name').fill(second);
    await dialog.getByRole('button', { name: 'Create workspace' }).click();
    await dialog.waitFor({ state: 'detached' });

    const switcher = page.getByLabel('Workspace', { exact: true });
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${second} · Owner`);
    await visible(page.getByText('No agents yet'));
    expect(await agentLink(page, agentName).count()).toBe(0);

    await switcher.selectOption({ label: `${user.workspace} · Owner` });
    await visible(agentLink(page, agentName));
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${user.workspace} · Owner`);

    // The choice is the session's, not the page's: it survives a reload.
    await page.reload();
    await visible(agentLink(page, agentName));
  });
});
