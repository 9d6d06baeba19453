import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, newUser, signUp } from './flows';

describe('workspace settings', () => {
  test('rename, then delete with the exact name typed, down to no workspace', async ({ page }) => {
    const user = newUser('settings');
    const second = `Second ${user.workspace}`;
    const renamed = `Renamed ${user.workspace}`;
    await signUp(page, user);
    const switcher = page.getByLabel('Workspace', { exact: true });

    // A second workspace, which becomes current.
    await page.getByRole('button', { name: 'New workspace' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'New workspace' }));
    await dialog.getByLabel('Workspace name').fill(second);
    await dialog.getByRole('button', { name: 'Create workspace' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Rename it.
    await page.getByRole('link', { name: 'Workspace settings' }).click();
    await visible(page.getByRole('heading', { name: 'Workspace settings', level: 1 }));
    const rename = page.getByRole('form', { name: 'Workspace name' });
    await rename.getByLabel('Name').fill(renamed);
    await rename.getByRole('button', { name: 'Rename workspace' }).click();
    await visible(rename.getByText('Workspace renamed.'));
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${renamed} · Owner`);
    await page.reload();
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${renamed} · Owner`);

    // Delete it: the button waits for the exact name.
    const danger = page.getByRole('form', { name: 'Danger zone' });
    const confirm = danger.getByLabel('Type the workspace name to confirm');
    const remove = danger.getByRole('button', { name: 'Delete workspace' });
    await confirm.fill(renamed.toLowerCase());
    expect(await remove.isDisabled()).toBe(true);
    await confirm.fill(renamed);
    expect(await remove.isEnabled()).toBe(true);
    await snapshot(page, 'settings');
    await remove.click();

    // The session moves to the workspace that is left.
    await page.waitForURL('**/agents');
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`${user.workspace} · Owner`);
    expect(await switcher.locator('option').allTextContents()).toEqual([`${user.workspace} · Owner`]);
    await visible(agentLink(page, 'My first agent'));

    // Deleting the last one leaves the user in no workspace, with a way out.
    await page.getByRole('link', { name: 'Workspace settings' }).click();
    await danger.getByLabel('Type the workspace name to confirm').fill(user.workspace);
    await danger.getByRole('button', { name: 'Delete workspace' }).click();
    await page.waitForURL('**/agents');
    const empty = await visible(page.getByRole('region', { name: 'You are not in a workspace' }));
    await page.reload();
    await visible(empty);
    await snapshot(page, 'no-workspace');

    await empty.getByRole('button', { name: 'New workspace' }).click();
    const again = await visible(page.getByRole('dialog', { name: 'New workspace' }));
    await again.getByLabel('Workspace name').fill(`Fresh ${user.workspace}`);
    await again.getByRole('button', { name: 'Create workspace' }).click();
    await visible(page.getByText('No agents yet'));
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe(`Fresh ${user.workspace} · Owner`);
  });
});
