import { test, expect, signIn, ready, hydrates } from './fixtures';
import type { Page } from '@playwright/test';

/** Saves with `submit`: the notice shows with JavaScript; without, the form post returns to
 * the page. */
async function save(page: Page, submit: () => Promise<void>) {
  if (hydrates(page)) {
    await submit();
    await expect(page.getByText('E-mail preferences saved.')).toBeVisible();
  } else {
    // The post is answered with a redirect back to the page it came from.
    await submit();
    await page.waitForURL(/\/account\/notifications\?$/);
    await page.waitForLoadState('load');
  }
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
