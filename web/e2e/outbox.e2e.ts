import { describe, expect } from 'vitest';
import { test, visible } from './fixtures';
import { newUser, signUp } from './flows';

describe('dev outbox', () => {
  test('the welcome email reaches the outbox', async ({ page }) => {
    const user = newUser('mail');
    await signUp(page, user);

    await page.goto('/dev/outbox');
    await visible(page.getByRole('heading', { name: 'Dev outbox' }));
    // A background job sends it: refresh until it shows up. 30 s: a mail job that failed once
    // is retried after River's backoff, and a loaded CI machine once took longer than 15 s.
    const mail = page.getByRole('listitem').filter({ hasText: `To: ${user.email}` });
    const deadline = Date.now() + 30_000;
    while ((await mail.count()) === 0 && Date.now() < deadline) {
      await page.waitForTimeout(750);
      const refresh = page.getByRole('button', { name: 'Refresh', exact: true });
      await refresh.click();
      await refresh.and(page.locator(':enabled')).waitFor();
    }
    if ((await mail.count()) === 0) {
      // Say what the outbox held, so a failure in CI can be told apart from a slow job.
      const res = await page.request.get('/api/v1/dev/outbox');
      const { items } = (await res.json()) as { items: { to: string; subject: string; sent_at: string }[] };
      const newest = items.slice(0, 5).map((m) => `${m.sent_at} ${m.to}: ${m.subject}`);
      throw new Error(`no email to ${user.email} in the outbox after 30s; ${items.length} mails, newest:\n${newest.join('\n')}`);
    }
    expect(await mail.count()).toBe(1);

    await mail.locator('summary').click();
    const body = await visible(mail.locator('pre'));
    expect(`${await mail.locator('summary').textContent()} ${await body.textContent()}`).toMatch(/welcome/i);
  });
});
