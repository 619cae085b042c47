import { test as base, expect, Locator, Page } from '@playwright/test';
import { createHmac } from 'node:crypto';

export const DEMO_PASSWORD = 'simdesk-demo-2026';

/**
 * A page that fails the test on any uncaught error or console error (hydration errors included).
 * Chromium also logs every 4xx answer as a console error; those are expected answers (a 404 page,
 * a 400 for a rejected form) that the tests assert themselves, so only they are let through,
 * with Chromium's note that the sandboxed frame of an e-mail's HTML runs no script (which is
 * what the sandbox is for; Playwright's own frame script is what it blocks).
 */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      const expectedHttpAnswer = /^Failed to load resource: the server responded with a status of 4\d\d\b/;
      const sandboxedEmail = /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
      if (message.type() === 'error' && !expectedHttpAnswer.test(message.text()) && !sandboxedEmail.test(message.text())) {
        problems.push(`console.error: ${message.text()}`);
      }
    });
    await use(page);
    expect(problems, 'errors in the browser').toEqual([]);
  },
});
export { expect };

/** Whether this project runs with JavaScript (and so hydrates). */
export function hydrates(page: Page): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/** Waits until the WASM app has hydrated the page, when JavaScript is on. */
export async function ready(page: Page) {
  if (hydrates(page)) {
    await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
  }
}

/** Opens the sign-in page with nobody signed in (signing out whoever is). */
export async function signedOutSignInPage(page: Page) {
  await page.goto('/sign-in');
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.count()) {
    await signOut.click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto('/sign-in');
  }
  await ready(page);
}

/**
 * Opens a confirm step (the `<details>` whose summary reads `summary`) inside `scope` and presses
 * its button. A list that is still refreshing after an earlier action renders its rows again,
 * which closes an open step; the step is then opened again until its button could be pressed.
 */
export async function confirmStep(scope: Locator, summary: string, button: RegExp) {
  await expect(async () => {
    const step = scope.locator('details', { has: scope.page().locator('summary', { hasText: summary }) });
    if (!(await step.evaluate((details) => (details as HTMLDetailsElement).open))) {
      await step.locator('summary').click();
    }
    await step.getByRole('button', { name: button }).click({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await signedOutSignInPage(page);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Something unique per test run and project, for records the test creates. */
export function unique(prefix: string): string {
  const project = test.info().project.name.replace(/[^a-z]/g, '');
  return `${prefix}-${project}-${Date.now().toString(36)}`;
}

/**
 * Plays an authenticator app (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) for the base32
 * key the security page shows. Each call returns a code of a step later than the last one it
 * gave for that key, waiting for the next step when needed, since a code is accepted once.
 */
export async function freshCode(key: string): Promise<string> {
  const now = () => Math.floor(Date.now() / 30_000);
  let step = now();
  const last = lastStep.get(key);
  if (last !== undefined && last >= step) {
    step = last + 1;
    // One step ahead is within the allowed skew; further means waiting for the clock.
    while (step > now() + 1) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  lastStep.set(key, step);
  return totp(key, step);
}

const lastStep = new Map<string, number>();

function totp(key: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = key
    .replace(/[\s=]/g, '')
    .toUpperCase()
    .split('')
    .map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0'))
    .join('');
  const secret = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', secret).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  return ((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}
