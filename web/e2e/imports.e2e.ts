import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, newUser, signUp } from './flows';

describe('imports', () => {
  const user = newUser('import');

  test('import a file with a bad row: preview, progress, error report, undo', async ({ page }) => {
    await signUp(page, user);
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    await page.getByRole('link', { name: 'Imports', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Import contacts' }));
    await visible(page.getByText('CSV files up to 512 MB and 1,048,576 rows.'));

    // Semicolons and a BOM, as a spreadsheet saves them; row 2 has a broken email.
    const rows = ['Full name;E-mail;Phone'];
    for (let i = 0; i < 3000; i++) rows.push(`Person ${i};person${i}@example.com;`);
    rows.splice(2, 0, 'Broken Row;not-an-email;');
    const csv = '\uFEFF' + rows.join('\r\n') + '\r\n';
    await page.locator('input[type=file]').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

    // The mapping is suggested from the headers.
    await visible(page.getByRole('heading', { name: 'people.csv' }));
    const mapping = await visible(page.getByRole('table', { name: 'Column mapping' }));
    expect(await mapping.getByLabel('Import Full name as').inputValue()).toBe('name');
    expect(await mapping.getByLabel('Import E-mail as').inputValue()).toBe('email');

    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = await visible(page.getByLabel('Preview'), 30_000);
    await visible(preview.getByText(/Would create\s*3,000, update\s*0, skip\s*0, reject\s*1\./));
    await visible(preview.getByRole('list', { name: 'Reasons' }).getByText(/invalid email "not-an-email"/));
    await snapshot(page, 'import-preview');

    await page.getByRole('button', { name: 'Start import' }).click();
    await visible(page.getByRole('progressbar', { name: 'Import progress' }));
    await visible(page.getByRole('heading', { name: 'Finished' }), 60_000);
    await snapshot(page, 'import-finished');
    const counts = await page.locator('.import-counts').textContent();
    expect(counts).toContain('Created3,000');
    expect(counts).toContain('Rejected1');

    // The error report: the bad row as it was, with the reason.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download error report' }).click()]);
    const saved = join(await mkdtemp(join(tmpdir(), 'import-report-')), download.suggestedFilename());
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toBe('errors-people.csv');
    const report = await readFile(saved, 'utf8');
    expect(report.split('\n')[0]).toBe('Full name,E-mail,Phone,reason');
    expect(report).toContain('Broken Row,not-an-email,,"invalid email ""not-an-email"""');

    // The contacts are there, then undo takes them away.
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await visible(page.getByRole('table', { name: 'Contacts' }).getByText('person2999@example.com'));
    // The list's view goes out as CSV, Excel-friendly on request.
    await page.getByLabel('for Excel').check();
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const exportedPath = join(await mkdtemp(join(tmpdir(), 'export-')), exported.suggestedFilename());
    await exported.saveAs(exportedPath);
    const exportedCsv = await readFile(exportedPath, 'utf8');
    expect(exportedCsv.startsWith('\uFEFFName,Email,Phone,Stage')).toBe(true);
    expect(exportedCsv).toContain('Person 2999,person2999@example.com');
    expect(exportedCsv.trim().split('\n')).toHaveLength(3001);
    await page.goBack();
    await page.getByRole('button', { name: 'Undo import' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Undo this import?' }));
    await dialog.getByRole('button', { name: 'Undo import' }).click();
    await visible(page.getByRole('heading', { name: 'Undone' }), 60_000);
    await page.getByRole('link', { name: 'All imports' }).click();
    const history = await visible(page.getByRole('table', { name: 'Imports' }));
    await visible(history.getByRole('row').filter({ hasText: 'people.csv' }).getByText('Undone'));
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await visible(page.getByRole('region', { name: 'No contacts yet' }));
  });
});
