import type { Locator, Page } from '@playwright/test';
import { test, expect, signIn, ready } from './fixtures';

/** Presses Tab until `target` has the focus, as a keyboard user would move to it. */
async function tabTo(page: Page, target: Locator, maxPresses = 120) {
  for (let i = 0; i < maxPresses; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target} is not reachable by Tab`);
}

test('a purchaser raises, submits and cancels a purchase order with the keyboard alone', async ({ page }) => {
  await signIn(page, 'purchaser@hafenlogistik.example');
  await expect(page.getByTestId('user-name')).toBeVisible();
  await ready(page);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await tabTo(page, nav.getByRole('link', { name: 'Orders', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/orders$/);
  await ready(page);
  await tabTo(page, page.getByRole('link', { name: 'New purchase order' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/orders\/new$/);
  await ready(page);

  const form = page.getByTestId('po-form');
  await tabTo(page, form.getByLabel('Industrial IoT SIM, nano'));
  await page.keyboard.type('10');
  await tabTo(page, form.getByLabel('Comment'));
  await page.keyboard.type('Ordered from the keyboard');
  await tabTo(page, form.getByRole('button', { name: 'Save draft' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await ready(page);
  const status = page.getByTestId('po-status').first();
  await expect(status).toHaveText('Draft');

  await tabTo(page, page.getByTestId('po-actions').getByRole('button', { name: 'Submit', exact: true }));
  await page.keyboard.press('Enter');
  await expect(status).not.toHaveText('Draft');
  await ready(page);

  // Cancelling asks first: Enter on "Cancel…" opens the panel that says what it does.
  const cancelForm = page.getByTestId('cancel-form');
  await expect(cancelForm).toBeHidden();
  await tabTo(page, page.locator('summary', { hasText: 'Cancel…' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('confirm-panel').filter({ hasText: 'closed for good' })).toBeVisible();
  await tabTo(page, cancelForm.getByLabel('Reason (optional)'));
  await page.keyboard.type('Wrong quantity');
  await tabTo(page, cancelForm.getByRole('button', { name: 'Cancel purchase order' }));
  await page.keyboard.press('Enter');
  await expect(status).toHaveText('Cancelled');
  await expect(page.getByTestId('timeline')).toContainText('Wrong quantity');
});
