import { describe, expect } from 'vitest';
import { test, visible } from './fixtures';
import { newUser, signUp } from './flows';

describe('dev outbox', () => {
  test('the welcome email reaches the outbox', async ({ page }) => {
    const user = newUser('mail');
    await signUp(page, user);

    await page.goto('/dev/outbox');
    await visible(page.getByRole('heading', { name: 'Dev outbox' }));
    // A background job sends it: refresh until it shows up.
    const mail = page.getByRole('listitem').filter({ hasText: `To: ${user.email}` });
    const deadline = Date.now() + 15_000;
    while ((await mail.count()) === 0 && Date.now() < deadline) {
      await page.waitForTimeout(750);
      const refresh = page.getByRole('button', { name: 'Refresh', exact: true });
      await refresh.click();
      await refresh.and(page.locator(':enabled')).waitFor();
    }
    expect(await mail.count(), `no email to ${user.email} in the outbox after 15s`).toBe(1);

    await mail.locator('summary').click();
    const body = await visible(mail.locator('pre'));
    expect(`${await mail.locator('summary').textContent()} ${await body.textContent()}`).toMatch(/welcome/i);
  });
});
