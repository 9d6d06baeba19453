import type { Page } from 'playwright-core';
import { visible } from './fixtures';

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
