import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { pickUp, snapshot, test, visible } from './fixtures';
import { agentLink, apiPost, newUser, signIn, signUp } from './flows';

// A 1×1 transparent PNG.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('contacts', () => {
  const user = newUser('crm');
  const tag = user.email.slice(8, 20).replace(/[^a-z0-9]/g, '');
  const ada = { name: 'Ada Lovelace', email: `ada.${tag}@example.com` };
  const grace = { name: 'Grace Hopper', email: `grace.${tag}@example.com` };
  let contactsPath = '';

  /** Signs in (each test is a new browser context) and opens the agent's contact list. */
  async function openContacts(page: Page) {
    await signIn(page, user);
    await page.waitForURL('**/agents');
    await page.goto(contactsPath);
    return visible(page.getByRole('table', { name: 'Contacts' }));
  }

  async function addContact(page: Page, contact: { name: string; email: string; seats?: string; plan?: string }) {
    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Add contact' }));
    await dialog.getByLabel('Name').fill(contact.name);
    await dialog.getByLabel('Email').fill(contact.email);
    const custom = dialog.getByRole('group', { name: 'Custom fields' });
    if (contact.seats) await custom.getByLabel('Seats').fill(contact.seats);
    if (contact.plan) await custom.getByLabel('Plan').selectOption({ label: contact.plan });
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  test('add contacts, be warned about a duplicate and refused it, find one by part of its email', async ({ page }) => {
    await signUp(page, user);
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    contactsPath = new URL(page.url()).pathname;
    await visible(page.getByRole('region', { name: 'No contacts yet' }));
    // Two custom fields (made in settings in the last test; here through the API, to stay short).
    const agentId = contactsPath.split('/')[2] ?? '';
    await apiPost(page, `/agents/${agentId}/fields`, { label: 'Seats', type: 'number' });
    await apiPost(page, `/agents/${agentId}/fields`, { label: 'Plan', type: 'single_select', options: [{ label: 'Free' }, { label: 'Pro' }] });
    await page.reload();

    await addContact(page, { ...ada, seats: '12', plan: 'Pro' });
    const table = await visible(page.getByRole('table', { name: 'Contacts' }));
    const adaRow = table.getByRole('row').filter({ hasText: ada.email });
    await visible(adaRow.getByText('via Manual'));
    expect(await adaRow.textContent()).toContain(ada.name);
    await addContact(page, grace);
    await visible(table.getByRole('row').filter({ hasText: grace.email }));
    await snapshot(page, 'contacts-list');

    // The same email in other case: warned while typing, refused on submit with a link to Ada.
    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Add contact' }));
    await dialog.getByLabel('Name').fill('Ada King');
    await dialog.getByLabel('Email').fill(ada.email.toUpperCase());
    const warning = await visible(dialog.getByRole('status').filter({ hasText: 'A contact with similar details already exists' }));
    await visible(warning.getByRole('link', { name: ada.name }));
    expect(await warning.textContent()).toContain('same email');
    await snapshot(page, 'contact-duplicate-warning');
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    const conflict = await visible(dialog.getByRole('alert').filter({ hasText: 'already exists' }));
    await expect.poll(() => dialog.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await conflict.getByRole('link', { name: `Open ${ada.name}` }).click();
    await visible(page.getByRole('heading', { level: 1, name: ada.name }));
    // Ada's custom values, as given in the dialog.
    const general = await visible(page.getByRole('tabpanel', { name: 'General' }));
    await visible(general.getByText('Seats'));
    expect(await general.textContent()).toMatch(/Seats\s*12/);
    expect(await general.textContent()).toMatch(/Plan\s*Pro/);
    await page.goBack();

    // Search by a fragment of Ada's email: only Ada is left, and the address keeps the search.
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel('Search contacts').fill(`ada.${tag.slice(0, 6)}`);
    await page.waitForURL(/\?q=ada\./);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(ada.email);
    await page.getByLabel('Search contacts').fill('no-such-person-anywhere');
    await visible(page.getByRole('region', { name: 'No contacts match' }));
  });

  test('write a formatted note on the contact page', async ({ page }) => {
    const table = await openContacts(page);
    await table.getByRole('link', { name: ada.name }).click();
    await visible(page.getByRole('heading', { level: 1, name: ada.name }));
    await page.getByRole('tab', { name: 'Notes' }).click();

    const editor = await visible(page.getByRole('textbox', { name: 'New note' }));
    await editor.click();
    await page.getByRole('button', { name: 'Bold', exact: true }).click();
    await page.keyboard.type('Call back');
    await page.getByRole('button', { name: 'Bold', exact: true }).click();
    await page.keyboard.type(' on Monday about the invoice.');
    await page.getByRole('button', { name: 'Add note' }).click();

    const notes = await visible(page.getByRole('list', { name: 'Notes' }));
    await visible(notes.locator('strong', { hasText: 'Call back' }));
    expect(await notes.locator('.note__body').first().innerHTML()).toBe('<p><strong>Call back</strong> on Monday about the invoice.</p>');
    await visible(notes.getByText(user.name));
    // The editor is empty again, and the timeline tells what happened.
    await expect.poll(() => editor.textContent()).toBe('');
    await visible(page.getByRole('list', { name: 'History' }).getByText('added a note'));
    await snapshot(page, 'contact-notes');

    await page.getByRole('tab', { name: 'General' }).click();
    await visible(page.getByRole('button', { name: 'Edit' }));
    await snapshot(page, 'contact');
    await page.setViewportSize({ width: 390, height: 844 });
    await snapshot(page, 'contact-390');
  });

  test('move a contact on the board by drag and drop', async ({ page }) => {
    await openContacts(page);
    await page.getByRole('navigation', { name: 'Agent CRM' }).getByRole('link', { name: 'Board' }).click();
    const lead = await visible(page.getByRole('region', { name: 'Lead', exact: true }));
    const customer = await visible(page.getByRole('region', { name: 'Customer', exact: true }));
    const card = await visible(lead.getByRole('listitem').filter({ hasText: ada.name }));
    await snapshot(page, 'board');

    const from = (await card.boundingBox())!;
    const to = (await customer.boundingBox())!;
    const moved = page.waitForResponse((r) => r.url().endsWith('/stage') && r.request().method() === 'PUT');
    // dnd-kit starts a drag after the pointer has moved a few pixels; move in steps like a hand would.
    await page.mouse.move(from.x + from.width - 20, from.y + from.height - 10);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width - 10, from.y + from.height - 4, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 12 });
    await page.mouse.move(to.x + to.width / 2 + 2, to.y + 90, { steps: 2 });
    await page.mouse.up();
    expect((await moved).status()).toBe(200);

    const movedCard = await visible(customer.getByRole('listitem').filter({ hasText: ada.name }));
    expect(await lead.getByRole('listitem').filter({ hasText: ada.name }).count()).toBe(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await snapshot(page, 'board-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    await movedCard.getByRole('link', { name: ada.name }).click();
    await visible(page.getByRole('heading', { level: 1, name: ada.name }));
    const stage = page.getByLabel('Stage', { exact: true });
    await expect.poll(() => stage.locator('option:checked').textContent()).toBe('Customer');

    // The same with the keyboard, one column to the left, listening to the announcements.
    await page.goBack();
    const prospect = await visible(page.getByRole('region', { name: 'Prospect', exact: true }));
    const status = (text: string) => page.getByRole('status').filter({ hasText: text });
    const said = (text: string) => visible(status(text));
    // Every column has loaded before the card is picked up (a column landing late re-renders
    // the board), and the handle really holds the focus when Space is pressed.
    await visible(customer.getByRole('listitem').filter({ hasText: ada.name }));
    await expect.poll(() => page.locator('.board').getByText('Loading…').count()).toBe(0);
    const handle = page.getByRole('button', { name: `Move ${ada.name}` });
    await handle.focus();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe(`Move ${ada.name}`);
    const movedAgain = page.waitForResponse((r) => r.url().endsWith('/stage') && r.request().method() === 'PUT');
    await pickUp(page, status(`Picked up ${ada.name}, in Customer.`));
    await visible(page.locator('.board-card--overlay')); // the card is lifted (and measured)
    await page.keyboard.press('ArrowLeft');
    await said(`${ada.name} is over Prospect.`);
    await page.keyboard.press('Space');
    expect((await movedAgain).status()).toBe(200);
    await visible(prospect.getByRole('listitem').filter({ hasText: ada.name }));
    expect(await customer.getByRole('listitem').filter({ hasText: ada.name }).count()).toBe(0);
  });

  test('upload a file and see it checked', async ({ page }) => {
    const table = await openContacts(page);
    await snapshot(page, 'contacts-list');
    await page.setViewportSize({ width: 390, height: 844 });
    await snapshot(page, 'contacts-list-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    await table.getByRole('link', { name: grace.name }).click();
    await visible(page.getByRole('heading', { level: 1, name: grace.name }));
    await page.getByRole('tab', { name: 'Files' }).click();
    await visible(page.getByText(/Up to 25 MiB each\./)); // the server's limit, as configured
    await page.getByLabel('Upload files').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: png });
    const files = await visible(page.getByRole('list', { name: 'Files' }));
    const file = files.getByRole('listitem').filter({ hasText: 'pixel.png' });
    await visible(file.getByText('Ready', { exact: true }), 30_000);
    const href = await file.getByRole('link', { name: 'Download pixel.png' }).getAttribute('href');
    const download = await page.request.get(href!);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('image/png');
    await snapshot(page, 'contact-files');
  });

  test('shape the pipeline and the custom fields in settings', async ({ page }) => {
    await openContacts(page);
    await page.getByRole('navigation', { name: 'Agent CRM' }).getByRole('link', { name: 'Settings' }).click();
    const stages = await visible(page.getByRole('list', { name: 'Stages' }));
    const addStage = page.getByRole('form', { name: 'Add a stage' });
    await addStage.getByLabel('New stage').fill('Negotiation');
    await addStage.getByRole('button', { name: 'Add stage' }).click();
    await visible(stages.getByText('Negotiation'));

    // Reorder with the keyboard, listening to what a screen reader would say: Negotiation up one place.
    const status = (text: string) => page.getByRole('status').filter({ hasText: text });
    const said = (text: string) => visible(status(text));
    await page.getByRole('button', { name: 'Reorder stage Negotiation' }).focus();
    const reordered = page.waitForResponse((r) => r.url().endsWith('/stages') && r.request().method() === 'PUT');
    await pickUp(page, status('Picked up stage Negotiation, in position 5 of 5.'));
    await visible(stages.locator('.sortable__row--dragging')); // the row is lifted (and measured)
    await page.keyboard.press('ArrowUp');
    await said('stage Negotiation is now at position 4 of 5.');
    await page.keyboard.press('Space');
    expect((await reordered).status()).toBe(200);
    const names = () => stages.locator('.setting-row__name').allTextContents();
    await expect.poll(async () => {
      const order = await names();
      return order.indexOf('Negotiation') === order.length - 2;
    }).toBe(true);
    // The order is the server's, not only the page's.
    await page.reload();
    await visible(stages);
    const order = await names();
    expect(order.indexOf('Negotiation')).toBe(order.length - 2);

    await page.getByRole('button', { name: 'New field' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'New custom field' }));
    await dialog.getByLabel('Label').fill('Company size');
    await dialog.getByLabel('Type').selectOption('single_select');
    for (const option of ['Small', 'Large']) {
      await dialog.getByLabel('New option').fill(option);
      await dialog.getByRole('button', { name: 'Add option' }).click();
    }
    await dialog.getByLabel('Allow for AI').check();
    await dialog.getByLabel('Hint for the AI').fill('How many people work there.');
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.waitFor({ state: 'detached' });
    const fields = await visible(page.getByRole('list', { name: 'Custom fields' }));
    const row = fields.getByRole('listitem').filter({ hasText: 'Company size' });
    await visible(row.getByText('company_size'));
    await visible(row.getByText('AI fills when empty'));
    await snapshot(page, 'crm-settings');

    // Drag Company size, with the mouse, above Seats (the first field, made in the first test).
    const fieldNames = () => fields.locator('.setting-row__name').allTextContents();
    await expect.poll(fieldNames).toEqual(['Seats', 'Plan', 'Company size']);
    await fields.scrollIntoViewIfNeeded();
    const from = (await page.getByRole('button', { name: 'Reorder field Company size' }).boundingBox())!;
    const to = (await page.getByRole('button', { name: 'Reorder field Seats' }).boundingBox())!;
    const fieldsReordered = page.waitForResponse((r) => /\/fields$/.test(r.url()) && r.request().method() === 'PUT');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 8, { steps: 3 });
    await page.mouse.move(to.x + to.width / 2, to.y + 2, { steps: 12 });
    await page.mouse.move(to.x + to.width / 2, to.y, { steps: 2 });
    await page.mouse.up();
    expect((await fieldsReordered).status()).toBe(200);
    await page.reload();
    await expect.poll(fieldNames).toEqual(['Company size', 'Seats', 'Plan']);
  });
});
