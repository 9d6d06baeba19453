import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, navLink, newUser, signUp } from './flows';

// Saved views of the contact list, and the workspace's default phone country.
describe('saved views and the default country', () => {
  async function openFirstAgent(page: Page) {
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
  }

  async function addContact(page: Page, contact: { name: string; email?: string; phone?: string }) {
    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Add contact' }));
    await dialog.getByLabel('Name').fill(contact.name);
    if (contact.email) await dialog.getByLabel('Email').fill(contact.email);
    if (contact.phone) await dialog.getByLabel('Phone').fill(contact.phone);
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  test('save the filtered list as a view, clear it, choose the view again, delete it', async ({ page }) => {
    const user = newUser('views');
    const tag = user.email.slice(12, 24).replace(/[^a-z0-9]/g, '');
    await signUp(page, user);
    await openFirstAgent(page);
    for (const c of [
      { name: 'Ada Lovelace', email: `ada.${tag}@example.com` },
      { name: 'Ada Byron', email: `byron.${tag}@example.com` },
      { name: 'Grace Hopper', email: `grace.${tag}@example.com` },
    ]) {
      await addContact(page, c);
    }
    const table = await visible(page.getByRole('table', { name: 'Contacts' }));
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);

    // Archive Ada Byron, so that search and status together find her alone.
    await table.getByLabel('Select Ada Byron').check();
    const bar = await visible(page.getByRole('region', { name: 'Selected contacts' }));
    await bar.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => rows.count()).toBe(2);

    const search = page.getByLabel('Search contacts');
    const status = page.getByLabel('Status');
    const views = page.getByRole('group', { name: 'Saved views' }).getByLabel('View');
    await search.fill('Ada');
    await page.waitForURL(/\?q=Ada$/);
    await status.selectOption('archived');
    await page.waitForURL(/\?q=Ada&status=archived$/);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Ada Byron');

    // Save it as "My search" (an owner may share it, but keeps it personal here).
    await page.getByRole('button', { name: 'Save view…' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Save view' }));
    await visible(dialog.getByLabel('Share with the team'));
    await dialog.getByLabel('Name').fill('My search');
    const created = page.waitForResponse((r) => r.url().endsWith('/views') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Save view' }).click();
    const answer = await created;
    expect(answer.status()).toBe(201);
    expect(JSON.parse(answer.request().postData() ?? '{}')).toEqual({
      name: 'My search',
      shared: false,
      query: { q: 'Ada', status: 'archived', columns: [] },
    });
    await dialog.waitFor({ state: 'detached' });
    await page.waitForURL(/\?q=Ada&status=archived&view=[0-9a-f-]{36}$/);
    await expect.poll(() => views.locator('option:checked').textContent()).toBe('My search');
    expect(await views.locator('optgroup[label="Mine"] option').allTextContents()).toEqual(['My search']);
    await snapshot(page, 'contacts-views');

    // Clear: the whole active list, no view.
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await search.inputValue()).toBe('');
    expect(await views.inputValue()).toBe('');

    // Choose the view again: the search, the status and the results come back.
    await views.selectOption({ label: 'My search' });
    await page.waitForURL(/\?q=Ada&status=archived&view=/);
    await expect.poll(() => search.inputValue()).toBe('Ada');
    expect(await status.inputValue()).toBe('archived');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Ada Byron');

    // And after a reload, from the address.
    await page.reload();
    await expect.poll(() => views.locator('option:checked').textContent()).toBe('My search');
    await expect.poll(() => rows.count()).toBe(1);

    // Changing a filter marks the view edited; "Update view" is then offered.
    const update = page.getByRole('button', { name: 'Update view' });
    expect(await update.isDisabled()).toBe(true);
    await status.selectOption('active');
    await visible(page.getByText('Edited', { exact: true }));
    expect(await update.isEnabled()).toBe(true);
    await status.selectOption('archived');
    await expect.poll(() => update.isDisabled()).toBe(true);

    // Delete it, after confirming; the list keeps its filters.
    await page.getByRole('button', { name: 'Delete…' }).click();
    const confirm = await visible(page.getByRole('dialog', { name: 'Delete view?' }));
    await confirm.getByRole('button', { name: 'Delete view' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => new URL(page.url()).search).toBe('?q=Ada&status=archived');
    expect(await views.locator('option').allTextContents()).toEqual(['All contacts']);
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await views.locator('option').allTextContents()).toEqual(['All contacts']);
  });

  test('numbers without a country code are read in the default country', async ({ page }) => {
    const user = newUser('country');
    await signUp(page, user);
    await page.getByRole('link', { name: 'Workspace settings' }).click();
    const form = await visible(page.getByRole('form', { name: 'Default phone country' }));
    await visible(form.getByText('Phone numbers typed without a country code are read as numbers of this country.'));
    await form.getByLabel('Default country').selectOption('GB');
    const saved = page.waitForResponse((r) => r.url().endsWith('/workspace') && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save country' }).click();
    expect((await saved).status()).toBe(200);
    await visible(form.getByText('Default country saved.'));
    await page.reload();
    await expect.poll(() => form.getByLabel('Default country').inputValue()).toBe('GB');

    await navLink(page, 'Agents').click();
    await openFirstAgent(page);
    await addContact(page, { name: 'Sherlock Holmes', phone: '020 7946 0958' });
    const row = page.getByRole('table', { name: 'Contacts' }).getByRole('row').filter({ hasText: 'Sherlock Holmes' });
    await visible(row.getByText('+442079460958'));
  });
});
