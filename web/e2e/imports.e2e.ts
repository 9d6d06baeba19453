import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { snapshot, test, visible } from './fixtures';
import { agentLink, newUser, signUp } from './flows';

/** The progress the run's page showed, as it rendered it (recorded in the page, see watchProgress). */
interface ProgressSeen {
  now: number;
  text: string;
}

/**
 * Records every value the progress bar and its "rows done of total" line take, from the
 * moment it appears until it goes (the run ended), so a test can tell a live bar from one
 * that jumped from 0 to done.
 */
async function watchProgress(page: Page) {
  await page.evaluate(() => {
    const seen: ProgressSeen[] = [];
    (window as unknown as { progressSeen: ProgressSeen[] }).progressSeen = seen;
    const record = () => {
      const bar = document.querySelector('[role="progressbar"][aria-label="Import progress"]');
      if (!bar) return;
      const now = Number(bar.getAttribute('aria-valuenow'));
      const text = document.querySelector('.import-progress__text')?.textContent ?? '';
      const last = seen[seen.length - 1];
      if (!last || last.now !== now || last.text !== text) seen.push({ now, text });
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { progressSeen: ProgressSeen[] }).progressSeen);
}

/**
 * Waits until the agent's active tab is wholly on screen: on a phone the tab strip scrolls
 * sideways, and the page scrolls it to the tab it opens on.
 */
async function expectActiveTabShown(page: Page, label: string) {
  const tab = page.getByRole('navigation', { name: 'Agent CRM' }).getByRole('link', { name: label, exact: true });
  expect(await tab.getAttribute('aria-current')).toBe('page');
  const width = page.viewportSize()!.width;
  await expect
    .poll(async () => {
      const box = (await tab.boundingBox())!;
      return box.x >= 0 && box.x + box.width <= width;
    })
    .toBe(true);
}

describe('imports', () => {
  const user = newUser('import');
  // The e2e server writes imports in chunks of 500 rows (globalSetup): this file takes 40
  // commits. At the fastest measured here (about 12,000 rows/s) the run lasts about two
  // seconds, several of the page's polls (every 0.7 s); 3,000 rows would be one or none.
  const ROWS = 20_000;
  const TOTAL = ROWS + 1; // and the broken row
  const n = (count: number) => count.toLocaleString('en-US');

  // 20,000 contacts take seconds to import, export and undo on an idle machine, but up to
  // a minute each on a loaded one: the time limits are for a hang, not for speed.
  test('import a file with a bad row: preview, progress, error report, undo', async ({ page }) => {
    await signUp(page, user);
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    await page.getByRole('link', { name: 'Imports', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Import contacts' }));
    await visible(page.getByText('CSV files up to 512 MiB and 1,048,576 rows.'));

    // Semicolons and a BOM, as a spreadsheet saves them; row 2 has a broken email.
    const rows = ['Full name;E-mail;Phone'];
    for (let i = 0; i < ROWS; i++) rows.push(`Person ${i};person${i}@example.com;`);
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
    await visible(preview.getByText(new RegExp(`Would create\\s*${n(ROWS)}, update\\s*0, skip\\s*0, reject\\s*1\\.`)));
    // The first rows, with a column for each mapped one.
    const firstRows = preview.getByRole('table', { name: 'First rows' });
    expect(await firstRows.getByRole('columnheader').allTextContents()).toEqual(['Row', 'Name', 'Email', 'Phone', 'Outcome']);
    await visible(firstRows.getByRole('row').filter({ hasText: 'person0@example.com' }).getByText('Person 0'));
    await visible(preview.getByRole('list', { name: 'Reasons' }).getByText(/invalid email "not-an-email"/));
    await snapshot(page, 'import-preview');
    // On a phone the page keeps its width: the table scrolls sideways in its own region.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const scroller = page.getByRole('region', { name: 'First rows as mapped' });
    expect(await scroller.evaluate((el) => getComputedStyle(el).overflowX)).toBe('auto');
    await snapshot(page, 'import-preview-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    const progressSeen = await watchProgress(page);
    await page.getByRole('button', { name: 'Start import' }).click();
    await visible(page.getByRole('progressbar', { name: 'Import progress' }));
    await visible(page.getByRole('heading', { name: 'Finished' }), 120_000);
    // The bar was live: before the run finished it showed a value strictly between 0 and 100,
    // and the rows done of the total moved on more than once.
    const seen = await progressSeen();
    const between = seen.filter((s) => s.now > 0 && s.now < 100);
    expect(between.length, `progress seen: ${JSON.stringify(seen)}`).toBeGreaterThan(0);
    const rowsDone = seen
      .map((s) => new RegExp(`^([\\d,]+) of ${n(TOTAL)} rows`).exec(s.text)?.[1])
      .filter((r): r is string => r !== undefined)
      .map((r) => Number(r.replace(/,/g, '')));
    const partial = [...new Set(rowsDone.filter((r) => r > 0 && r < TOTAL))];
    expect(partial.length, `progress seen: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
    expect(partial).toEqual([...partial].sort((a, b) => a - b));
    await snapshot(page, 'import-finished');
    const counts = await page.locator('.import-counts').textContent();
    expect(counts).toContain(`Created${n(ROWS)}`);
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
    await visible(page.getByRole('table', { name: 'Contacts' }).getByText(`person${ROWS - 1}@example.com`));
    // The list's view goes out as CSV, Excel-friendly on request.
    await page.getByLabel('for Excel').check();
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const exportedPath = join(await mkdtemp(join(tmpdir(), 'export-')), exported.suggestedFilename());
    await exported.saveAs(exportedPath);
    const exportedCsv = await readFile(exportedPath, 'utf8');
    expect(exportedCsv.startsWith('\uFEFFName,Email,Phone,Stage')).toBe(true);
    expect(exportedCsv).toContain(`Person ${ROWS - 1},person${ROWS - 1}@example.com`);
    expect(exportedCsv.trim().split('\n')).toHaveLength(ROWS + 1);
    await page.goBack();
    await page.getByRole('button', { name: 'Undo import' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Undo this import?' }));
    await visible(dialog.getByText(`The ${n(ROWS)} contacts it created are deleted with their conversations, notes and files`, { exact: false }));
    await dialog.getByRole('button', { name: 'Undo import' }).click();
    await visible(page.getByRole('heading', { name: 'Undone' }), 120_000);
    await page.getByRole('link', { name: 'All imports' }).click();
    const history = await visible(page.getByRole('table', { name: 'Imports' }));
    await visible(history.getByRole('row').filter({ hasText: 'people.csv' }).getByText('Undone'));
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await visible(page.getByRole('region', { name: 'No contacts yet' }));
  }, 240_000);

  // On a phone: the empty contact list leads to the imports; the mapping of a wide file fits the
  // screen, every select whole; the result's buttons wrap instead of running past the edge; and
  // a run whose every row was rejected offers its error report but no undo (nothing to undo).
  test('on a phone: from the empty list to a mapping that fits, a result that wraps, no undo of nothing', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signUp(page, newUser('import-phone'));
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    const empty = await visible(page.getByRole('region', { name: 'No contacts yet' }));
    await empty.getByRole('link', { name: 'Import contacts from a CSV file' }).click();
    await page.waitForURL(/\/agents\/[^/]+\/imports$/);
    await visible(page.getByRole('heading', { name: 'Import contacts' }));
    // The tab strip follows the page from Contacts to Imports, which it starts scrolled away from.
    await expectActiveTabShown(page, 'Imports');

    const headers = ['Full name', 'E-mail', 'Phone', 'Company', 'Job title', 'Street address', 'Annual revenue', 'Notes'];
    const row = (name: string, email: string) => [name, email, '', 'Acme', 'Buyer', '1 Main St', '100', ''].join(',');
    const good = [headers.join(','), row('Ada Phone', 'ada.phone@example.com'), row('Bad One', 'not-an-email'), row('Bad Two', 'nope')].join('\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(good + '\n') });
    const mapping = await visible(page.getByRole('table', { name: 'Column mapping' }));
    expect(await mapping.getByLabel('Import E-mail as').inputValue()).toBe('email');
    // Every select ends inside the table's box, which scrolls nothing away, and the page keeps its width.
    const fit = await mapping.evaluate((table) => {
      const wrap = table.parentElement!;
      const right = wrap.getBoundingClientRect().right;
      return {
        hidden: wrap.scrollWidth - wrap.clientWidth,
        past: Math.max(...[...table.querySelectorAll('select')].map((s) => s.getBoundingClientRect().right - right)),
      };
    });
    expect(fit.hidden).toBeLessThanOrEqual(0);
    expect(fit.past).toBeLessThanOrEqual(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await snapshot(page, 'import-mapping-390');

    await page.getByRole('button', { name: 'Start import' }).click();
    await visible(page.getByRole('heading', { name: 'Finished' }), 60_000);
    const report = await visible(page.getByRole('link', { name: 'Download error report' }));
    const undo = await visible(page.getByRole('button', { name: 'Undo import' }));
    for (const action of [report, undo]) {
      const box = (await action.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectActiveTabShown(page, 'Imports');
    await snapshot(page, 'import-result-390');

    await page.getByRole('link', { name: 'All imports' }).click();
    const bad = [headers.join(','), row('Bad Three', 'still-not-an-email'), row('Bad Four', 'nope-again')].join('\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'rejected.csv', mimeType: 'text/csv', buffer: Buffer.from(bad + '\n') });
    await visible(page.getByRole('heading', { name: 'rejected.csv' }));
    await page.getByRole('button', { name: 'Start import' }).click();
    await visible(page.getByRole('heading', { name: 'Finished' }), 60_000);
    await visible(page.getByText(/created and updated no contacts: nothing changed, and there is nothing to undo/));
    await visible(page.getByRole('link', { name: 'Download error report' }));
    expect(await page.getByRole('button', { name: 'Undo import' }).count()).toBe(0);

    // Opened at once on a tab far along the strip, it is shown too.
    await page.goto(page.url().replace(/\/imports\/.*$/, '/automations'));
    await visible(page.getByRole('heading', { name: 'Automations', exact: true }));
    await expectActiveTabShown(page, 'Automations');
  }, 120_000);

  // A file without a header whose first person has no email or phone: nothing in the first row
  // tells data from a header, so the upload takes it for one; the member says otherwise, and
  // that row is not silently lost but rejected where they can see it.
  test('a file without a header row: the member says so, maps the columns and sees every row', async ({ page }) => {
    await signUp(page, newUser('import-headless'));
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    await page.getByRole('link', { name: 'Imports', exact: true }).click();
    const csv = 'Ada Lovelace,Analytical,\nGrace Hopper,Navy,grace@example.com\nKatherine Johnson,NASA,katherine@example.com\n';
    await page.locator('input[type=file]').setInputFiles({ name: 'headless.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await visible(page.getByRole('heading', { name: 'headless.csv' }));
    const header = page.getByRole('checkbox', { name: 'The first row names the columns' });
    expect(await header.isChecked()).toBe(true);
    await visible(page.getByText(/· 2 rows ·/));
    await visible(page.getByLabel('Import Ada Lovelace as'));

    await header.uncheck();
    await visible(page.getByText(/· 3 rows ·/));
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await mapping.getByLabel('Import Column 1 as').selectOption('name');
    await mapping.getByLabel('Import Column 3 as').selectOption('email');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = await visible(page.getByLabel('Preview'), 30_000);
    await visible(preview.getByText(/Would create\s*2, update\s*0, skip\s*0, reject\s*1\./));
    await visible(preview.getByRole('table', { name: 'First rows' }).getByText('Ada Lovelace'));
    await snapshot(page, 'import-headless');
    await page.getByRole('button', { name: 'Start import' }).click();
    await visible(page.getByRole('heading', { name: 'Finished' }), 60_000);
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    const list = await visible(page.getByRole('table', { name: 'Contacts' }));
    for (const name of ['Grace Hopper', 'Katherine Johnson']) await visible(list.getByText(name));
  }, 120_000);
});
