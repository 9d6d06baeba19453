import type { Locator, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { pickUp, snapshot, test, visible } from './fixtures';
import { acceptAsNewUser, agentLink, invitationPath, invite, navLink, newUser, signUp } from './flows';

/** The names in a pool list, in its order. */
async function poolNames(pool: Locator): Promise<string[]> {
  return pool.getByRole('listitem').evaluateAll((items) => items.map((li) => li.querySelector('.setting-row__name')?.textContent ?? ''));
}

/** touchDrag drags with a finger: touch events through the DevTools protocol, which Chromium
 * turns into the pointer events the drag and drop listens to (Playwright has no touch move). */
async function touchDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  const cdp = await page.context().newCDPSession(page);
  const at = (i: number, steps: number) => [{ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0, 1) });
  for (let i = 1; i <= 12; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(i, 12) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

async function addToPool(section: Locator, name: string) {
  await section.getByLabel('Add to the primary owner pool').selectOption({ label: name });
  await section.getByRole('button', { name: 'Add', exact: true }).click();
}

/** Saves a method's rule and waits for the server's answer and the page's word. */
async function save(page: Page, section: Locator, label: string) {
  const saved = page.waitForResponse((r) => r.url().includes('/automations/') && r.request().method() === 'PUT');
  await section.getByRole('button', { name: `Save ${label}` }).click();
  expect((await saved).status()).toBe(200);
  await visible(section.getByRole('status').filter({ hasText: `${label}: saved.` }));
}

/** Creates a contact through the API with the page's session, as a script of the signed-in member would. */
async function createContact(page: Page, agentId: string, contact: { name: string; email: string }): Promise<string> {
  return page.evaluate(
    async ({ agentId, contact }) => {
      const res = await fetch(`/api/v1/agents/${agentId}/contacts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(contact),
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`create contact: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    { agentId, contact },
  );
}

/**
 * Has the agent capture a contact as the chat runtime does, through the API with an agent key:
 * a conversation, the visitor's message, then the save tool. Returns the new contact's id.
 */
async function captureContact(page: Page, secret: string, contact: { name: string; email: string }): Promise<string> {
  return page.evaluate(
    async ({ secret, contact }) => {
      const call = async (path: string, body: unknown) => {
        const res = await fetch(`/api/v1${path}`, {
          method: 'POST',
          credentials: 'omit',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return res.json();
      };
      const conversation = (await call('/chat/conversations', { visitor_id: `visitor-${contact.email}` })) as { id: string };
      await call(`/chat/conversations/${conversation.id}/messages`, {
        client_message_id: 'm1',
        role: 'visitor',
        content: `Hi, I am ${contact.name}, write to ${contact.email}`,
      });
      const saved = (await call('/chat/save', { conversation_id: conversation.id, name: contact.name, email: contact.email })) as {
        contact: { id: string; source: string };
        created: boolean;
      };
      if (!saved.created || saved.contact.source !== 'chat') throw new Error(`not a new captured contact: ${JSON.stringify(saved)}`);
      return saved.contact.id;
    },
    { secret, contact },
  );
}

/** A new agent key's secret, made with the signed-in owner's session. */
async function agentKey(page: Page, agentId: string): Promise<string> {
  return page.evaluate(async (agentId) => {
    const res = await fetch(`/api/v1/agents/${agentId}/keys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'E2E runtime' }),
    });
    if (res.status !== 201) throw new Error(`create key: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { secret: string }).secret;
  }, agentId);
}

/** The contact's primary owner's name once the automation job has run ('' before). */
async function primaryOwner(page: Page, agentId: string, contactId: string): Promise<string> {
  return page.evaluate(
    async ({ agentId, contactId }) => {
      const res = await fetch(`/api/v1/agents/${agentId}/contacts/${contactId}`);
      const c = (await res.json()) as { primary_owner: { name: string } | null };
      return c.primary_owner?.name ?? '';
    },
    { agentId, contactId },
  );
}

describe('automations', () => {
  test(
    'round robin over a pool ordered by drag and drop: simulated, then contacts captured through the API alternate owners',
    { timeout: 120_000 },
    async ({ page, newPage }) => {
      const owner = newUser('auto-owner');
      const admin = newUser('auto-admin');
      const tag = owner.email.slice(14, 26).replace(/[^a-z0-9]/g, '');

      // The owner signs up and brings in an admin: the two members of the rotation.
      await signUp(page, owner);
      await navLink(page, 'Team').click();
      await visible(page.getByRole('heading', { name: 'Team', level: 1 }));
      await invite(page, admin.email, 'Admin');
      const adminPage = await newPage();
      await acceptAsNewUser(adminPage, await invitationPath(page, admin.email), admin, owner.workspace);

      await navLink(page, 'Agents').click();
      await agentLink(page, 'My first agent').click();
      await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
      const agentId = new URL(page.url()).pathname.split('/')[2]!;
      await page.getByRole('navigation', { name: 'Agent CRM' }).getByRole('link', { name: 'Automations' }).click();
      await visible(page.getByText('Contact created'));
      await visible(page.getByRole('tab', { name: 'Owner assignment', selected: true }));

      // Agent captured contacts: round robin over the admin, then the owner, reordered by dragging
      // the owner's handle above the admin.
      const chat = await visible(page.getByRole('region', { name: 'Agent captured contact' }));
      await chat.getByLabel('Primary owner strategy').selectOption('round_robin');
      await addToPool(chat, admin.name);
      const chatPool = chat.getByRole('list', { name: 'Primary owner pool' });
      await visible(chatPool);
      await addToPool(chat, owner.name);
      await expect.poll(() => poolNames(chatPool)).toEqual([admin.name, owner.name]);
      const handle = (await chat.getByRole('button', { name: `Reorder ${owner.name}` }).boundingBox())!;
      const first = (await chatPool.getByRole('listitem').first().boundingBox())!;
      await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
      await page.mouse.down();
      await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2 - 6, { steps: 3 });
      await page.mouse.move(handle.x + handle.width / 2, first.y + 4, { steps: 12 });
      await page.mouse.move(handle.x + handle.width / 2, first.y + 2, { steps: 2 });
      await page.mouse.up();
      await expect.poll(() => poolNames(chatPool)).toEqual([owner.name, admin.name]);
      await snapshot(page, 'automations-pool');
      await save(page, chat, 'Agent captured contact');

      // Form submissions follow agent captured until changed, and say so.
      const form = page.getByRole('region', { name: 'Form submission' });
      expect(await form.getByLabel('Same as agent captured').isChecked()).toBe(true);
      await visible(form.getByText(`Round robin: ${owner.name}, ${admin.name}`));
      expect(await form.getByLabel('Primary owner strategy').count()).toBe(0);

      // Manually created contacts (which is what the API creates for a signed-in member): the same
      // pool, this time reordered with the keyboard.
      const manual = page.getByRole('region', { name: 'Manually created contact' });
      await manual.getByLabel('Primary owner strategy').selectOption('round_robin');
      await addToPool(manual, admin.name);
      await addToPool(manual, owner.name);
      const manualPool = manual.getByRole('list', { name: 'Primary owner pool' });
      await manual.getByRole('button', { name: `Reorder ${owner.name}` }).focus();
      await pickUp(page, manual.getByRole('status').filter({ hasText: `Picked up ${owner.name}, in position 2 of 2.` }));
      await page.keyboard.press('ArrowUp');
      await visible(manual.getByRole('status').filter({ hasText: `${owner.name} is now at position 1 of 2.` }));
      await page.keyboard.press('Space');
      await visible(manual.getByRole('status').filter({ hasText: `${owner.name} was dropped at position 1 of 2.` }));
      await expect.poll(() => poolNames(manualPool)).toEqual([owner.name, admin.name]);
      // One member is not a rotation: removing the admin is refused before anything is sent.
      await manual.getByRole('button', { name: `Remove ${admin.name} from the primary owner pool` }).click();
      await manual.getByRole('button', { name: 'Save Manually created contact' }).click();
      await visible(manual.getByText('Add at least 2 members.'));
      await addToPool(manual, admin.name);
      await save(page, manual, 'Manually created contact');

      // Manual contacts start in Prospect (the Contact stage tab); the owner tab is as it was.
      await page.getByRole('tab', { name: 'Contact stage' }).click();
      await page.waitForURL(/\?tab=stage$/);
      const manualStage = await visible(page.getByRole('region', { name: 'Manually created contact' }));
      const stageSelect = manualStage.getByLabel('Starting stage');
      expect(await stageSelect.locator('option:checked').textContent()).toBe('First stage (Lead)');
      await stageSelect.selectOption({ label: 'Prospect' });
      await save(page, manualStage, 'Manually created contact');
      await visible(page.getByRole('region', { name: 'API contact' }).getByText('Lead (the first stage)'));
      await snapshot(page, 'automations-stage');
      await page.getByRole('tab', { name: 'Owner assignment' }).click();
      // The tab renders its sections anew: wait for the pool rather than read it at once.
      await expect.poll(() => poolNames(manualPool)).toEqual([owner.name, admin.name]);

      // Simulate the next four manual contacts: they alternate, starting with the owner, in
      // Prospect, and simulating again shows the same, since a simulation moves nothing.
      const simulate = manual.getByRole('group', { name: 'Simulate Manually created contact' });
      await simulate.getByText('Simulate the next contacts').click();
      await simulate.getByLabel('Contacts to simulate').fill('4');
      await simulate.getByRole('button', { name: 'Simulate' }).click();
      const table = await visible(simulate.getByRole('table', { name: 'Simulation: Manually created contact' }));
      const primaries = () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[1]?.textContent ?? ''));
      await expect.poll(primaries).toEqual([owner.name, admin.name, owner.name, admin.name]);
      expect(await table.locator('tbody tr').first().locator('td').nth(3).textContent()).toBe('Prospect');
      await visible(simulate.getByText(/A simulation changes nothing/));
      await simulate.getByRole('button', { name: 'Simulate' }).click();
      await expect.poll(primaries).toEqual([owner.name, admin.name, owner.name, admin.name]);
      await snapshot(page, 'automations-simulate');

      // On a phone the pool reorders by touch: each handle is a finger's size (44 px), and a finger
      // dragging the admin's handle above the owner moves the admin up. Dragged back, the pool is
      // as saved again.
      const desktop = page.viewportSize()!;
      await page.setViewportSize({ width: 390, height: 844 });
      const fingerDrag = async (name: string) => {
        const handle = manual.getByRole('button', { name: `Reorder ${name}` });
        await handle.scrollIntoViewIfNeeded();
        const box = (await handle.boundingBox())!;
        expect(box.width).toBeGreaterThanOrEqual(44);
        expect(box.height).toBeGreaterThanOrEqual(44);
        const top = (await manualPool.getByRole('listitem').first().boundingBox())!;
        const x = box.x + box.width / 2;
        await touchDrag(page, { x, y: box.y + box.height / 2 }, { x, y: top.y + 2 });
      };
      await fingerDrag(admin.name);
      await expect.poll(() => poolNames(manualPool)).toEqual([admin.name, owner.name]);
      await snapshot(page, 'automations-pool-390');
      await fingerDrag(owner.name);
      await expect.poll(() => poolNames(manualPool)).toEqual([owner.name, admin.name]);
      await page.setViewportSize(desktop);

      // Contacts the agent captures through the chat runtime API get their owner from the
      // background job, in turn; so do contacts created through the contacts API (manual), in
      // their own rotation and their own starting stage. One at a time, so the order of the jobs
      // is the order of the contacts.
      const alternating = [owner.name, admin.name, owner.name, admin.name];
      const secret = await agentKey(page, agentId);
      const captured = [1, 2, 3, 4].map((i) => ({ name: `Captured ${i}`, email: `captured${i}.${tag}@example.com` }));
      for (const [i, contact] of captured.entries()) {
        const id = await captureContact(page, secret, contact);
        await expect.poll(() => primaryOwner(page, agentId, id), { timeout: 20_000, interval: 250 }).toBe(alternating[i]);
      }
      const added = [1, 2].map((i) => ({ name: `Added ${i}`, email: `added${i}.${tag}@example.com` }));
      for (const [i, contact] of added.entries()) {
        const id = await createContact(page, agentId, contact);
        await expect.poll(() => primaryOwner(page, agentId, id), { timeout: 20_000, interval: 250 }).toBe(alternating[i]);
      }

      // The contact list shows them alternating, each in its method's starting stage.
      await page.getByRole('navigation', { name: 'Agent CRM' }).getByRole('link', { name: 'Contacts' }).click();
      const list = await visible(page.getByRole('table', { name: 'Contacts' }));
      const expectRow = async (contact: { email: string }, ownerName: string, stage: string, source: string) => {
        const row = list.getByRole('row').filter({ hasText: contact.email });
        await expect.poll(() => row.locator('td[data-label="Owner"]').textContent()).toContain(ownerName);
        expect(await row.locator('td[data-label="Stage"]').textContent()).toContain(stage);
        expect(await row.textContent()).toContain(source);
      };
      for (const [i, contact] of captured.entries()) await expectRow(contact, alternating[i]!, 'Lead', 'via Chat');
      for (const [i, contact] of added.entries()) await expectRow(contact, alternating[i]!, 'Prospect', 'via Manual');
      await snapshot(page, 'automations-contacts');

      // The admin leaves the workspace: they leave every pool, and the rotation left with one
      // member is flagged.
      await navLink(page, 'Team').click();
      await page.getByRole('button', { name: `Remove ${admin.name}` }).click();
      const confirm = await visible(page.getByRole('dialog', { name: `Remove ${admin.name}?` }));
      await confirm.getByRole('button', { name: 'Remove member' }).click();
      await visible(page.getByRole('status').filter({ hasText: `${admin.name} was removed from the workspace.` }));
      await page.goto(`/agents/${agentId}/automations`);
      const flagged = await visible(page.getByRole('region', { name: 'Agent captured contact' }));
      await visible(flagged.getByText(/This pool has fewer than two members who can own contacts/));
      await expect.poll(() => poolNames(flagged.getByRole('list', { name: 'Primary owner pool' }))).toEqual([owner.name]);

      // On a phone the owner slots stack and the controls take the full width, without sideways scrolling.
      await page.setViewportSize({ width: 390, height: 844 });
      const phoneChat = flagged;
      const primary = (await phoneChat.getByRole('group', { name: 'Primary owner', exact: true }).boundingBox())!;
      const secondary = (await phoneChat.getByRole('group', { name: 'Secondary owner', exact: true }).boundingBox())!;
      expect(secondary.y).toBeGreaterThanOrEqual(primary.y + primary.height);
      expect(Math.abs(secondary.x - primary.x)).toBeLessThan(2);
      const strategy = (await phoneChat.getByLabel('Primary owner strategy').boundingBox())!;
      expect(strategy.width).toBeGreaterThan(primary.width - 40);
      const save390 = (await phoneChat.getByRole('button', { name: 'Save Agent captured contact' }).boundingBox())!;
      expect(save390.width).toBeGreaterThan(primary.width - 40);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await snapshot(page, 'automations-390');
      // A simulation's table, four columns of names, scrolls inside its own box: the page keeps
      // the phone's width after simulating too.
      const phoneSimulate = phoneChat.getByRole('group', { name: 'Simulate Agent captured contact' });
      await phoneSimulate.getByText('Simulate the next contacts').click();
      await phoneSimulate.getByRole('button', { name: 'Simulate' }).click();
      const phoneTable = await visible(phoneSimulate.getByRole('table', { name: 'Simulation: Agent captured contact' }));
      const tableBox = (await phoneTable.locator('xpath=..').boundingBox())!;
      expect(tableBox.x + tableBox.width).toBeLessThanOrEqual(390);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await snapshot(page, 'automations-simulate-390');
    },
  );
});
