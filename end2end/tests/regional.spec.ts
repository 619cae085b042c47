import { test, expect, signIn, ready, hydrates } from './fixtures';
import type { Page } from '@playwright/test';

// Hafenlogistik's viewer: reads the account's orders, and no other test depends on their format.
const who = 'viewer@hafenlogistik.example';
// The browser runs in Berlin: with JavaScript, the page offers that zone.
test.use({ timezoneId: 'Europe/Berlin' });

/** Saves the form with Enter: the notice shows with JavaScript; without, the post returns to
 * the page. */
async function saveByKeyboard(page: Page) {
  await page.getByRole('button', { name: 'Save' }).focus();
  await page.keyboard.press('Enter');
  if (hydrates(page)) {
    await expect(page.getByText('Saved: times and figures now show in your zone and format.')).toBeVisible();
  } else {
    await page.waitForURL(/\/account\/preferences\?$/);
    await page.waitForLoadState('load');
  }
}

async function choose(page: Page, zone: string, format: RegExp) {
  const form = page.getByTestId('regional-settings');
  const offer = page.getByRole('button', { name: "Use this browser's zone, Europe/Berlin" });
  if (zone === 'Europe/Berlin' && hydrates(page)) {
    await offer.focus();
    await page.keyboard.press('Enter');
    await expect(form.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
  } else {
    await form.getByLabel('Time zone').selectOption(zone);
  }
  const formats = form.getByLabel('Format of dates, numbers and prices');
  const label = (await formats.locator('option').allTextContents()).find((text) => format.test(text));
  await formats.selectOption({ label: label! });
  await saveByKeyboard(page);
}

async function firstOrderCells(page: Page) {
  const row = page.getByTestId('order-row').first();
  await expect(row).toBeVisible();
  const cells = row.locator('td');
  return { total: (await cells.nth(3).textContent())!.trim(), created: (await cells.nth(5).textContent())!.trim() };
}

test('a user reads times in their own zone and figures in German format', async ({ page }) => {
  await signIn(page, who);
  await ready(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await ready(page);
  const before = await firstOrderCells(page);
  expect(before.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  expect(before.total).toMatch(/^\d{1,3}(,\d{3})*\.\d\d EUR$/);

  // The header's link, by keyboard.
  await page.getByRole('link', { name: 'Time zone' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/preferences$/);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Time zone and formats' })).toBeVisible();
  await expect(page.getByLabel('Time zone')).toHaveValue('UTC');
  await choose(page, 'Europe/Berlin', /^Deutsch/);
  await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
  // Nothing to offer once the browser's zone is the saved one.
  await expect(page.getByTestId('use-browser-zone')).toHaveCount(0);

  // With JavaScript the orders page is reached without loading the document again: the
  // session is read anew after saving.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await expect(page).toHaveURL(/\/orders$/);
  await ready(page);
  const after = await firstOrderCells(page);
  expect(after.created).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d CES?T$/);
  expect(after.total).toMatch(/^\d{1,3}(\.\d{3})*,\d\d EUR$/);
  // The same moment, an hour or two later on the clock.
  const [, y, m, d, hh, mm] = before.created.match(/^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)/)!;
  const utc = Date.UTC(+y, +m - 1, +d, +hh, +mm);
  const [, ld, lm, ly, lhh, lmm] = after.created.match(/^(\d\d)\.(\d\d)\.(\d{4}) (\d\d):(\d\d)/)!;
  const local = Date.UTC(+ly, +lm - 1, +ld, +lhh, +lmm);
  expect((local - utc) / 3_600_000).toBe(after.created.endsWith('CEST') ? 2 : 1);

  // Back to what the demo starts with, for the tests after this one.
  await page.goto('/account/preferences');
  await ready(page);
  await choose(page, 'UTC', /^English/);
  await page.goto('/orders');
  await ready(page);
  expect((await firstOrderCells(page)).created).toBe(before.created);
});
