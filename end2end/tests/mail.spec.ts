import { test, expect, signIn, ready } from './fixtures';
import type { Page } from '@playwright/test';

/** Saves with `submit`: the form post is answered with a redirect back to the page, which
 * says it saved. */
async function save(page: Page, submit: () => Promise<void>) {
  await submit();
  await page.waitForURL(/\/account\/notifications\?__done=/);
  await page.waitForLoadState('load');
  await expect(page.getByText('E-mail preferences saved.')).toBeVisible();
}

test('a purchaser chooses which e-mails they get, by keyboard', async ({ page }) => {
  // Bergbahn's purchaser: no other test orders for that account.
  await signIn(page, 'purchaser@bergbahn.example');
  await ready(page);
  await page.getByRole('link', { name: 'E-mails' }).click();
  await expect(page).toHaveURL(/\/account\/notifications$/);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'E-mail preferences' })).toBeVisible();
  const form = page.getByTestId('mail-preferences');
  await expect(form).toContainText('E-mail me at purchaser@bergbahn.example when');
  const shipped = form.getByLabel('A purchase order was shipped');
  await expect(shipped).toBeChecked();
  // Agents' topics are not offered to a purchaser.
  await expect(form.getByLabel('A purchase order waits for review')).toHaveCount(0);

  // Untick "shipped" with the space bar, save with Enter.
  await shipped.focus();
  await page.keyboard.press('Space');
  await expect(shipped).not.toBeChecked();
  await form.getByRole('button', { name: 'Save e-mail preferences' }).focus();
  await save(page, () => page.keyboard.press('Enter'));
  await page.goto('/account/notifications');
  await ready(page);
  await expect(page.getByTestId('mail-preferences').getByLabel('A purchase order was shipped')).not.toBeChecked();
  await expect(page.getByTestId('mail-preferences').getByLabel('A purchase order was accepted')).toBeChecked();

  // And back.
  await page.getByTestId('mail-preferences').getByLabel('A purchase order was shipped').check();
  await save(page, () => page.getByRole('button', { name: 'Save e-mail preferences' }).click());
  await page.goto('/account/notifications');
  await expect(page.getByTestId('mail-preferences').getByLabel('A purchase order was shipped')).toBeChecked();
});

test('an agent follows the e-mails of the portal in the message trace', async ({ page }) => {
  await signIn(page, 'agent@nordwind.example');
  await ready(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
  await expect(page).toHaveURL(/\/messages$/);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Messages' })).toBeVisible();
  // The demo's submission told this agent; the worker has sent it by now.
  const table = page.getByTestId('messages-table');
  await expect(table.getByTestId('message-row').filter({ hasText: 'agent@nordwind.example' }).first()).toBeVisible();

  // Filter by keyboard: channel, then a search, then Enter.
  const filters = page.getByTestId('message-filters');
  await filters.getByLabel('Channel').selectOption({ label: 'E-mail' });
  await filters.getByLabel('Search').focus();
  await page.keyboard.type('agent@nordwind.example');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/q=agent%40nordwind\.example/);
  await ready(page);
  const rows = page.getByTestId('message-row');
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) {
    expect(text).toContain('agent@nordwind.example');
  }
  // The worker sends within seconds: reloading shows them delivered.
  await expect
    .poll(
      async () => {
        await page.reload();
        return (await page.getByTestId('message-status').allTextContents()).every((s) => s === 'Delivered');
      },
      { timeout: 20_000 },
    )
    .toBe(true);

  // One message: its facts and what it said.
  await rows.first().getByRole('link', { name: /UTC$/ }).click();
  await expect(page).toHaveURL(/\/messages\/email-\d+$/);
  await ready(page);
  await expect(page.getByTestId('message-facts')).toContainText('agent@nordwind.example');
  await expect(page.getByTestId('message-facts')).toContainText('Purchase order');
  await expect(page.getByTestId('message-payload')).toContainText('Hello Aaron Agent');
});

test('account users have no message trace', async ({ page }) => {
  await signIn(page, 'purchaser@bergbahn.example');
  await ready(page);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' })).toHaveCount(0);
  await page.goto('/messages');
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByTestId('messages-table')).toHaveCount(0);
});
