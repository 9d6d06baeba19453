import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { snapshot, test, visible } from './fixtures';
import { agentLink, newUser, signUp } from './flows';

/** The agent's CRM tabs. */
const tabs = (page: Page) => page.getByRole('navigation', { name: 'Agent CRM' });

describe('chat', () => {
  test('a visitor chats on the demo page, gives a name then an email, and becomes a contact via Chat with the conversation', async ({ page }) => {
    const user = newUser('chat');
    const tag = user.email.slice(8, 20).replace(/[^a-z0-9]/g, '');
    const email = `ada.${tag}@example.com`;
    await signUp(page, user);
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    const agentPath = new URL(page.url()).pathname.replace(/\/contacts$/, '');

    // An admin makes a key in the agent's settings: shown once.
    await tabs(page).getByRole('link', { name: 'Settings' }).click();
    const keys = await visible(page.getByRole('region', { name: 'Chat runtime keys' }));
    await keys.getByLabel('New key name').fill('Website widget');
    await keys.getByRole('button', { name: 'Create key' }).click();
    const secret = (await (await visible(keys.getByTestId('new-key-secret'))).textContent()) ?? '';
    expect(secret).toMatch(/^gla_/);
    await visible(keys.getByRole('table', { name: 'Keys' }).getByRole('row').filter({ hasText: 'Website widget' }));

    // The demo page plays the runtime with that key.
    await tabs(page).getByRole('link', { name: 'Demo chat' }).click();
    await page.getByLabel('Agent key').fill(secret);
    await page.getByRole('button', { name: 'Use this key' }).click();
    const chat = await visible(page.getByRole('list', { name: 'Chat' }));
    await page.getByLabel('Your message').fill('Hello, what does the premium plan cost?');
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(chat.getByText('May I have your name?'));
    // A name alone is no contact yet (a contact needs an email or a phone): the page keeps it.
    await page.getByLabel('Your message').fill("I'm Ada Lovelace");
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(chat.getByText('Nice to meet you Ada! What is the best email or phone number to reach you?'));
    await visible(page.getByRole('note').filter({ hasText: 'Noted, not saved yet: Ada Lovelace' }));
    expect(await page.getByRole('status').filter({ hasText: 'Saved as contact' }).count()).toBe(0);
    // The email arrives: lookup finds nobody, save creates the contact with the name said before.
    await page.getByLabel('Your message').fill(`You can reach me at ${email}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(chat.getByText(/Thank you Ada, I have noted your details/));
    await visible(chat.getByText('lookup → no contact with these details'));
    const saved = await visible(page.getByRole('status').filter({ hasText: 'Saved as contact' }));
    await snapshot(page, 'chat-demo');

    // The contact: via Chat, its values captured from chat, the conversation on its Chat Conversation tab.
    await saved.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.waitForURL(/\/contacts\/[^/?]+\?tab=chat/);
    const chatTab = await visible(page.getByRole('tab', { name: 'Chat Conversation', exact: true }));
    expect(await chatTab.getAttribute('aria-selected')).toBe('true');
    const transcript = await visible(page.getByRole('region', { name: 'Conversation with Ada Lovelace' }));
    await visible(transcript.getByText("I'm Ada Lovelace"));
    await visible(transcript.getByText(`You can reach me at ${email}`));
    await page.getByRole('tab', { name: 'General' }).click();
    await visible(page.getByRole('definition').filter({ hasText: /^via Chat$/ }));
    const captured = await visible(page.getByRole('link', { name: /captured from chat on/ }).first());
    await snapshot(page, 'chat-contact');

    // Provenance links to the message in History.
    await captured.click();
    await page.waitForURL(/\/history\?conversation=.+&message=.+/);
    await visible(page.locator('.chat-message--highlight').filter({ hasText: email }));

    // History: grouped by person, searchable by name.
    await page.goto(`${agentPath}/history`);
    const people = await visible(page.getByRole('region', { name: 'People' }));
    await visible(people.getByRole('link', { name: 'Ada Lovelace' }));
    await page.getByLabel('Search by name').fill('nobody like this');
    await visible(people.getByText(/has chatted/));
    await page.getByLabel('Search by name').fill('lovelace');
    await visible(people.getByRole('link', { name: 'Ada Lovelace' }));
    await snapshot(page, 'chat-history');

    // The contact list shows it via Chat.
    await page.goto(`${agentPath}/contacts`);
    const row = (await visible(page.getByRole('table', { name: 'Contacts' }))).getByRole('row').filter({ hasText: email });
    await visible(row.getByText('via Chat'));

    // Another visitor with the same email: lookup finds Ada, and the demo welcomes her back.
    await tabs(page).getByRole('link', { name: 'Demo chat' }).click();
    await page.getByRole('button', { name: 'New visitor' }).click();
    await page.getByLabel('Your message').fill(`Hello again, ${email}`);
    await page.getByRole('button', { name: 'Send' }).click();
    const again = page.getByRole('list', { name: 'Chat' });
    await visible(again.getByText(/^Welcome back Ada!/));
    await visible(again.getByText('lookup → found contact Ada Lovelace'));
  });

  test('an anonymous visitor shows as Anonymous User, and a revoked key stops the demo', async ({ page }) => {
    const user = newUser('chat-anon');
    await signUp(page, user);
    await agentLink(page, 'My first agent').click();
    await page.waitForURL(/\/agents\/[^/]+\/contacts$/);
    await tabs(page).getByRole('link', { name: 'Demo chat' }).click();
    await page.getByRole('button', { name: 'Create a key for this demo' }).click();
    await page.getByLabel('Your message').fill('Just browsing');
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(page.getByRole('list', { name: 'Chat' }).getByText('May I have your name?'));

    await tabs(page).getByRole('link', { name: 'History' }).click();
    const people = await visible(page.getByRole('region', { name: 'People' }));
    await visible(people.getByText('Anonymous User'));
    await people.getByRole('button', { name: /Demo chat/ }).click();
    const transcript = await visible(page.getByRole('region', { name: 'Conversation with Anonymous User' }));
    await visible(transcript.getByText('Just browsing'));
    await visible(transcript.getByText('Live'));

    // The runtime appends a message while the transcript is open: it shows up without a reload.
    const url = new URL(page.url());
    const agentId = url.pathname.split('/')[2]!;
    const conversationId = url.searchParams.get('conversation')!;
    const key = await page.evaluate((k) => sessionStorage.getItem(k), `guestlist.demo-chat.key.${agentId}`);
    expect(key).toMatch(/^gla_/);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    const appended = await page.request.post(new URL(`/api/v1/chat/conversations/${conversationId}/messages`, url).toString(), {
      headers: { Authorization: `Bearer ${key}` },
      data: { client_message_id: `e2e-${Date.now()}`, role: 'agent', content: 'A colleague will join this chat in a minute.' },
    });
    expect(appended.status()).toBe(201);
    await visible(transcript.getByText('A colleague will join this chat in a minute.'));
    expect(navigations).toEqual([]);

    await tabs(page).getByRole('link', { name: 'Settings' }).click();
    const keys = await visible(page.getByRole('region', { name: 'Chat runtime keys' }));
    await keys.getByRole('row').filter({ hasText: 'Demo chat page' }).getByRole('button', { name: 'Revoke' }).click();
    const dialog = await visible(page.getByRole('dialog'));
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await visible(keys.getByText(/Revoked/));

    await tabs(page).getByRole('link', { name: 'Demo chat' }).click();
    await page.getByLabel('Your message').fill('Still there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'This key is not valid for this agent' }));
  });
});
