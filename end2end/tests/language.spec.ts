import { test, expect, signIn, ready, DEMO_PASSWORD } from './fixtures';
import type { Page } from '@playwright/test';

// Metro Fleet's approver: no other test signs in as them, so their language may change here.
const who = 'approver@metrofleet.example';

test.describe('a visitor whose browser prefers German', () => {
  test.use({ locale: 'de-DE', viewport: { width: 390, height: 844 } });

  test('signs in on a German page that fits a phone', async ({ page }) => {
    await page.goto('/sign-in');
    await ready(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { name: 'Bei simdesk anmelden' })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The user's stored language (English) wins once they are signed in.
    await page.getByLabel('E-Mail-Adresse').fill('viewer@metrofleet.example');
    await page.getByLabel('Passwort', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });
});

async function chooseLocale(page: Page, label: RegExp, heading: string) {
  await page.goto('/account/preferences');
  await ready(page);
  const locales = page.locator('#locale');
  const option = (await locales.locator('option').allTextContents()).find((text) => label.test(text));
  await locales.selectOption({ label: option! });
  await page.getByTestId('regional-settings').locator('button[type=submit]').click();
  await page.waitForURL(/\/account\/preferences\?__done=/);
  await expect(page.getByRole('heading', { name: heading })).toBeVisible();
  await ready(page);
}

test.describe('a user who reads German', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('finds every page of their navigation in German, fitting a phone', async ({ page }) => {
    await signIn(page, who);
    await ready(page);
    await chooseLocale(page, /^Deutsch/, 'Sprache und Zeitzone');
    const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
    const links = await nav.getByRole('link').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')!));
    expect(links.length).toBeGreaterThan(1);
    for (const path of [...links, '/orders/new', '/account/preferences']) {
      await page.goto(path);
      await ready(page);
      await expect(page.locator('html')).toHaveAttribute('lang', 'de');
      await expect(page.locator('h1').first()).toBeVisible();
      await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    }
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Willkommen, /);
    // The service layer's messages are German too.
    await page.goto('/account/password');
    await ready(page);
    await page.getByLabel('Aktuelles Passwort').fill('not-the-password-1');
    await page.getByLabel('Neues Passwort', { exact: true }).fill('a long new passphrase');
    await page.getByLabel('Neues Passwort wiederholen').fill('a long new passphrase');
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await expect(page.getByText('Das aktuelle Passwort ist nicht richtig.').first()).toBeVisible();
    // Back to English, for the next run.
    await chooseLocale(page, /^English/, 'Time zone and formats');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });
});
