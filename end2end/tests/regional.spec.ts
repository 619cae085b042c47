import { test, expect, signIn, ready, hydrates } from './fixtures';
import type { Page } from '@playwright/test';

// Hafenlogistik's viewer: reads the account's orders, and no other test depends on their format.
const who = 'viewer@hafenlogistik.example';
// The browser runs in Berlin: with JavaScript, the page offers that zone.
test.use({ timezoneId: 'Europe/Berlin' });

/** Saves the form with Enter: with JavaScript a new language loads the page again, without it
 * the post returns to the page; either way it then speaks the new language. */
async function saveByKeyboard(page: Page, heading: string) {
  await page.getByTestId('regional-settings').locator('button[type=submit]').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/account\/preferences\?__done=/);
  await expect(page.getByRole('heading', { name: heading })).toBeVisible();
  await ready(page);
}

/** Chooses a zone and a locale (by the start of its label) and saves; the form's fields are
 * found by id, since their labels follow the language. */
async function choose(page: Page, zone: string, locale: RegExp, heading: string) {
  const form = page.getByTestId('regional-settings');
  if (zone === 'Europe/Berlin' && hydrates(page)) {
    await page.getByTestId('use-browser-zone').focus();
    await page.keyboard.press('Enter');
    await expect(form.locator('#time-zone')).toHaveValue('Europe/Berlin');
  } else {
    await form.locator('#time-zone').selectOption(zone);
  }
  const locales = form.locator('#locale');
  const label = (await locales.locator('option').allTextContents()).find((text) => locale.test(text));
  await locales.selectOption({ label: label! });
  await saveByKeyboard(page, heading);
}

/** The newest order with a total (a draft read from an e-mail may have none yet). */
async function firstOrderCells(page: Page) {
  const row = page.getByTestId('order-row').filter({ hasText: 'EUR' }).first();
  await expect(row).toBeVisible();
  const cells = row.locator('td');
  return { total: (await cells.nth(3).textContent())!.trim(), created: (await cells.nth(5).textContent())!.trim() };
}

test('a user reads simdesk in German, times in their own zone and figures in German format', async ({ page }) => {
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
  await choose(page, 'Europe/Berlin', /^Deutsch/, 'Sprache und Zeitzone');
  // The page speaks German now, and says so to the browser.
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByLabel('Zeitzone')).toHaveValue('Europe/Berlin');
  await expect(page.getByRole('button', { name: 'Speichern' })).toBeVisible();
  // Nothing to offer once the browser's zone is the saved one.
  await expect(page.getByTestId('use-browser-zone')).toHaveCount(0);

  const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
  await expect(nav.getByRole('link', { name: 'Übersicht' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
  await nav.getByRole('link', { name: 'Bestellungen' }).click();
  await expect(page).toHaveURL(/\/orders$/);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Bestellungen', level: 1 })).toBeVisible();
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
  await choose(page, 'UTC', /^English/, 'Time zone and formats');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/orders');
  await ready(page);
  await expect(page.getByRole('heading', { name: 'Purchase orders', level: 1 })).toBeVisible();
  expect((await firstOrderCells(page)).created).toBe(before.created);
});
