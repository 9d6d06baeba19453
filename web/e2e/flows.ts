import type { Page } from 'playwright-core';
import { snapshot, visible } from './fixtures';

export interface User {
  name: string;
  email: string;
  password: string;
  workspace: string;
}

/** A user no earlier run has created, so reruns against the same database pass. */
export function newUser(label: string): User {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `E2E ${label} ${id}`,
    email: `e2e-${label}-${id}@example.com`,
    password: `pw-${id}-correct-horse`,
    workspace: `Workspace ${label} ${id}`,
  };
}

export async function signUp(page: Page, user: User) {
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByLabel('Workspace name').fill(user.workspace);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/agents');
  await visible(page.getByRole('heading', { name: 'Agents', level: 1 }));
}

export async function signIn(page: Page, user: Pick<User, 'email' | 'password'>) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function createAgent(page: Page, name: string) {
  const form = page.getByRole('form', { name: 'Create an agent' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create agent' }).click();
  await visible(agentLink(page, name));
}

export function agentLink(page: Page, name: string) {
  return page.getByRole('list', { name: 'Agents' }).getByRole('link', { name, exact: true });
}

/** A link in the header's main navigation (Agents, Team, Audit log). */
export function navLink(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The newest email to `to` whose text contains `contains`, from the dev outbox. A background
 * job sends mail, so this polls (up to 15 s by default).
 */
export async function waitForMail(page: Page, to: string, contains: string, timeout = 15_000): Promise<Mail> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const res = await page.request.get('/api/v1/dev/outbox');
    if (res.ok()) {
      const { items } = (await res.json()) as { items: Mail[] };
      const mail = items.find((m) => m.to.toLowerCase() === to.toLowerCase() && m.text.includes(contains));
      if (mail) return mail;
    }
    if (Date.now() > deadline) throw new Error(`no email to ${to} containing ${contains} in the outbox after ${timeout / 1000}s`);
    await page.waitForTimeout(500);
  }
}

/** The invitation link mailed to `email`, as a path of the app under test (`/invite#<token>`). */
export async function invitationPath(page: Page, email: string): Promise<string> {
  const mail = await waitForMail(page, email, '/invite#');
  const token = /\/invite#([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no invitation link in the email to ${email}:\n${mail.text}`);
  return `/invite#${token}`;
}

/** Invites someone from the Team page (which must be open). */
export async function invite(page: Page, email: string, role: 'Admin' | 'User') {
  const form = page.getByRole('form', { name: 'Invite someone' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption({ label: role });
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await visible(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` }));
}

/** Opens an invitation link as a new person, chooses name and password, and lands in the workspace. */
export async function acceptAsNewUser(page: Page, path: string, user: User, workspace: string) {
  await page.goto(path);
  await visible(page.getByRole('heading', { name: `Join ${workspace}` }));
  await snapshot(page, 'invite');
  await page.getByLabel('Your name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await page.waitForURL('**/agents');
  await visible(page.getByRole('heading', { name: 'Agents', level: 1 }));
}

/** Calls the API from the page, as the signed-in member (setup a test then uses in the app). */
export async function apiPost(page: Page, path: string, body: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(
    async ({ path, body }) => {
      const res = await fetch(`/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    },
    { path, body },
  );
}
