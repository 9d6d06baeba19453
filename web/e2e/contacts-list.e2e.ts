import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, apiPost as post, newUser, signUp } from './flows';

// The contact list's sort orders, created-date and custom-field filters.
describe('contact list: filters and sort', () => {
  function localDate(offsetDays = 0): string {
    const d = new Date();
    d.setDate(d.getDate() + offsetDays);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }

  test('sort by name, filter by a custom field value and by created date', async ({ page }) => {
    await signUp(page, newUser('list'));
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    const agentId = new URL(page.url()).pathname.split('/')[2] ?? '';

    await post(page, `/agents/${agentId}/fields`, { label: 'Plan', type: 'single_select', options: [{ label: 'Free' }, { label: 'Pro' }] });
    for (const [name, plan] of [
      ['Zoe Quill', 'Pro'],
      ['adam Free', 'Free'],
      ['Mia Stone', 'Pro'],
    ] as const) {
      await post(page, `/agents/${agentId}/contacts`, { name, email: `${name.split(' ')[0]?.toLowerCase()}@list.example`, custom: { plan } });
    }
    await page.reload();

    const table = await visible(page.getByRole('table', { name: 'Contacts' }));
    const rows = table.locator('tbody tr');
    const shown = async () => (await table.locator('tbody tr .table__strong').allTextContents()).map((s) => s.trim());
    await expect.poll(shown).toEqual(['Mia Stone', 'adam Free', 'Zoe Quill']); // newest first

    // Sort by name: A–Z (case-insensitive), then Z–A.
    const nameHeader = table.getByRole('columnheader', { name: /Name/ });
    await nameHeader.getByRole('button').click();
    await page.waitForURL(/sort=name/);
    await expect.poll(shown).toEqual(['adam Free', 'Mia Stone', 'Zoe Quill']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await nameHeader.getByRole('button').click();
    await page.waitForURL(/sort=-name/);
    await expect.poll(shown).toEqual(['Zoe Quill', 'Mia Stone', 'adam Free']);
    expect(await page.getByLabel('Sort').inputValue()).toBe('-name');

    // A custom field's value.
    await page.getByText('Field filters').click();
    const panel = await visible(page.getByRole('group', { name: 'Filter by custom fields' }));
    await panel.getByLabel('Plan').selectOption({ label: 'Pro' });
    await page.waitForURL(/cf\.plan=/);
    await expect.poll(shown).toEqual(['Zoe Quill', 'Mia Stone']);
    await snapshot(page, 'contacts-list-filters');

    // Created dates: from tomorrow finds none; from today to today finds them again.
    await page.getByLabel('Created from').fill(localDate(1));
    await visible(page.getByText('No contacts match'));
    await page.getByLabel('Created from').fill(localDate());
    await page.getByLabel('Created to').fill(localDate());
    await page.waitForURL(/created_to=/);
    // Polled, both: the page shown before the created_to request answers has the same two names,
    // and its rows go while that request is in flight (a single count there read 0 in CI).
    await expect.poll(shown).toEqual(['Zoe Quill', 'Mia Stone']);
    await expect.poll(() => rows.count()).toBe(2);
    await expect.poll(shown).toEqual(['Zoe Quill', 'Mia Stone']);

    // Clear: every contact again, newest first.
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await expect.poll(shown).toEqual(['Mia Stone', 'adam Free', 'Zoe Quill']);
  });
});
