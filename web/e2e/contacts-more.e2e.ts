import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, newUser, signIn, signUp } from './flows';

// Bulk actions, merging and privacy requests (owners and admins).
describe('contacts: bulk, merge, privacy', () => {
  const user = newUser('crm2');
  const tag = user.email.slice(9, 22).replace(/[^a-z0-9]/g, '');
  const ann = { name: 'Ann Survivor', email: `ann.${tag}@example.com` };
  const bea = { name: 'Bea Merged', email: `bea.${tag}@example.com`, phone: '+442079460123' };
  const cid = { name: 'Cid Erased', email: `cid.${tag}@example.com` };
  let contactsPath = '';

  async function openContacts(page: Page) {
    await signIn(page, user);
    await page.waitForURL('**/agents');
    await page.goto(contactsPath);
    return visible(page.getByRole('table', { name: 'Contacts' }));
  }

  async function addContact(page: Page, contact: { name: string; email: string; phone?: string }) {
    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Add contact' }));
    await dialog.getByLabel('Name').fill(contact.name);
    await dialog.getByLabel('Email').fill(contact.email);
    if (contact.phone) await dialog.getByLabel('Phone').fill(contact.phone);
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  const toast = (page: Page, text: string) => visible(page.getByRole('status').filter({ hasText: text }));

  test('select two contacts and archive them, then restore them from the archived list', async ({ page }) => {
    await signUp(page, user);
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    contactsPath = new URL(page.url()).pathname;
    for (const c of [ann, bea, cid]) await addContact(page, c);
    const table = await visible(page.getByRole('table', { name: 'Contacts' }));
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);

    // "Select all on this page", then leave Ann out: two selected.
    await table.getByLabel('Select all on this page').check();
    const bar = await visible(page.getByRole('region', { name: 'Selected contacts' }));
    await visible(bar.getByText('3 selected'));
    await table.getByLabel(`Select ${ann.name}`).uncheck();
    await visible(bar.getByText('2 selected'));
    await snapshot(page, 'contacts-bulk');
    const archived = page.waitForResponse((r) => r.url().endsWith('/contacts/bulk'));
    await bar.getByRole('button', { name: 'Archive' }).click();
    expect((await archived).status()).toBe(200);
    await toast(page, '2 contacts updated');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(ann.email);
    expect(await bar.count()).toBe(0); // the selection is gone with them

    // In the archived list the bar restores.
    await page.getByLabel('Status').selectOption('archived');
    await expect.poll(() => rows.count()).toBe(2);
    await table.getByLabel('Select all on this page').check();
    await page.getByRole('region', { name: 'Selected contacts' }).getByRole('button', { name: 'Restore' }).click();
    await toast(page, '2 contacts updated');
    await visible(page.getByRole('region', { name: 'No contacts match' }));
    await page.getByLabel('Status').selectOption('active');
    await expect.poll(() => rows.count()).toBe(3);
  });

  test('merge another contact in, keeping its phone', async ({ page }) => {
    const table = await openContacts(page);
    await table.getByRole('link', { name: ann.name }).click();
    await visible(page.getByRole('heading', { level: 1, name: ann.name }));
    await page.getByRole('button', { name: 'Merge with…' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: `Merge ${ann.name} with…` }));
    await dialog.getByLabel('Find the other contact').fill(bea.email);
    await dialog.getByRole('list', { name: 'Matching contacts' }).getByRole('button', { name: bea.name }).click();

    const values = await visible(dialog.getByRole('table', { name: 'Values to keep' }));
    expect(await values.getByLabel('Keep this contact’s phone').isChecked()).toBe(true);
    await values.getByLabel('Keep the other contact’s phone').check();
    await snapshot(page, 'contact-merge');
    const merged = page.waitForResponse((r) => r.url().endsWith('/contacts/merge'));
    await dialog.getByRole('button', { name: 'Merge contacts' }).click();
    const answer = await merged;
    expect(answer.status()).toBe(200);
    expect(JSON.parse(answer.request().postData() ?? '{}').take).toEqual(['phone']);
    await dialog.waitFor({ state: 'detached' });
    await toast(page, `${bea.name} merged into ${ann.name}`);

    // The survivor keeps its name and email and now has Bea's phone; Bea is gone.
    await visible(page.getByRole('heading', { level: 1, name: ann.name }));
    await visible(page.locator('.contact-header').getByRole('link', { name: bea.phone }));
    await page.getByRole('link', { name: 'All contacts' }).click();
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.filter({ hasText: bea.email }).count()).toBe(0);
  });

  test('export a contact’s data, then erase the contact once its email is typed', async ({ page }) => {
    const table = await openContacts(page);
    await table.getByRole('link', { name: cid.name }).click();
    await visible(page.getByRole('heading', { level: 1, name: cid.name }));
    const privacy = await visible(page.getByRole('region', { name: 'Privacy' }));

    const href = await privacy.getByRole('link', { name: 'Export data' }).getAttribute('href');
    const exported = await page.request.get(href!);
    expect(exported.status()).toBe(200);
    expect(exported.headers()['content-type']).toContain('zip');

    await privacy.getByRole('button', { name: 'Erase contact' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: `Erase ${cid.name}?` }));
    const erase = dialog.getByRole('button', { name: 'Erase contact' });
    await dialog.getByLabel('Type the contact’s email or name to confirm').fill('not them');
    expect(await erase.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the contact’s email or name to confirm').fill(cid.email);
    await snapshot(page, 'contact-erase');
    await erase.click();
    await page.waitForURL(/\/contacts$/);
    await toast(page, `${cid.name} erased`);
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(ann.email);
  });
});
