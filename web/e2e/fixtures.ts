import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { inject, test as base } from 'vitest';

const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

export const baseURL = inject('baseURL');

interface Fixtures {
  browser: Browser;
  page: Page;
  /** Another fresh context (own cookies: another person), closed and reported like `page`. */
  newPage: () => Promise<Page>;
}

interface Opened {
  page: Page;
  log: string[];
  close: () => Promise<void>;
}

async function openPage(browser: Browser): Promise<Opened> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // What the page said, kept for the failure report.
  const log: string[] = [];
  const at = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => log.push(`${at()} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`${at()} pageerror: ${e.stack ?? e.message}`));
  page.on('requestfailed', (r) => log.push(`${at()} requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.url().includes('/api/')) log.push(`${at()} ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return { page, log, close: () => context.close() };
}

async function report(opened: Opened, name: string) {
  mkdirSync(resultsDir, { recursive: true });
  await opened.page.screenshot({ path: resolve(resultsDir, `${name}.png`), fullPage: true }).catch(() => {});
  writeFileSync(resolve(resultsDir, `${name}.log`), `${opened.page.url()}\n${opened.log.join('\n')}\n`);
}

/**
 * `browser`: the run's one Chromium, connected once per file. `page`: a fresh context per
 * test (own cookies), screenshotted into test-results/ when the test fails; `newPage()` opens
 * more, for tests with several people.
 */
export const test = base.extend<Fixtures>({
  browser: [
    async ({}, use) => {
      const browser = await chromium.connect(inject('wsEndpoint'));
      await use(browser);
      await browser.close(); // closes this connection; the shared browser keeps running
    },
    { scope: 'file' },
  ],
  page: async ({ browser, task }, use) => {
    const opened = await openPage(browser);
    try {
      await use(opened.page);
    } finally {
      if (task.result?.state === 'fail') await report(opened, reportName(task));
      await opened.close();
    }
  },
  newPage: async ({ browser, task }, use) => {
    const opened: Opened[] = [];
    try {
      await use(async () => {
        const o = await openPage(browser);
        opened.push(o);
        return o.page;
      });
    } finally {
      for (const [i, o] of opened.entries()) {
        if (task.result?.state === 'fail') await report(o, `${reportName(task)}--${i + 2}`);
        await o.close();
      }
    }
  },
});

function reportName(task: { name: string; file?: { name: string } }): string {
  return `${task.file?.name ?? 'e2e'}--${task.name}`.replace(/[^a-z0-9._-]+/gi, '-').slice(0, 150);
}

/** Waits until the locator is visible (playwright-core has no web-first `expect`). */
export async function visible(locator: Locator, timeout?: number): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

/**
 * Presses Space on the focused drag handle and waits until the keyboard drag has started and
 * listens for arrow keys. dnd-kit's keyboard sensor adds its keydown listener in a
 * `setTimeout(0)` after the pick-up; Chromium runs input before timers, so an arrow pressed right
 * after the announcement could arrive first and be lost (CI saw it). A timer queued now runs after
 * the sensor's (timers of equal delay run in order), so once it has run, the sensor listens.
 */
export async function pickUp(page: Page, announced: Locator): Promise<void> {
  await page.keyboard.press('Space');
  await visible(announced);
  await page.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve)));
}

/** Saves a screenshot under test-results/screens/ when GUESTLIST_E2E_SCREENSHOTS is set. */
export async function snapshot(page: Page, name: string) {
  if (!process.env.GUESTLIST_E2E_SCREENSHOTS) return;
  const dir = resolve(resultsDir, 'screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: resolve(dir, `${name}.png`), fullPage: true });
}
