import { test, expect, ready, signIn, signedOutSignInPage, DEMO_PASSWORD } from './fixtures';
import { countTo, mailsTo } from './mailbox';

const who = 'viewer@lakeside.example';
const subject = /^Choose a new password$/;

test('a user who forgot their password chooses a new one through the e-mailed link', async ({ page }) => {
  const before = await countTo(who, subject);
  await signedOutSignInPage(page);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await ready(page);
  await page.getByLabel('E-mail address').fill(who);
  await page.getByRole('button', { name: 'E-mail me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toContainText('a link to choose a new password is on its way');

  // An unknown address is answered the same way, and gets nothing.
  await page.getByLabel('E-mail address').fill('nobody@lakeside.example');
  await page.getByRole('button', { name: 'E-mail me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toBeVisible();

  const mails = await mailsTo(who, subject, before + 1);
  const newest = mails.sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0))[0];
  expect(newest.from?.value[0].name).toBe('Alpina Telecom');
  const link = newest.text!.match(/https?:\/\/\S+\/reset-password\?token=[\w-]+/)![0];
  expect(newest.html).toContain(link);

  await page.goto(link);
  await ready(page);
  await page.getByLabel('New password', { exact: true }).fill('lakeside-viewer-passphrase');
  await page.getByLabel('New password again').fill('lakeside-viewer-passphrase');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page).toHaveURL(/\/sign-in\?password_reset=1$/);
  await expect(page.getByRole('status')).toHaveText('Your password was changed. Sign in with the new one.');

  // The link worked once.
  await page.goto(link);
  await ready(page);
  await page.getByLabel('New password', { exact: true }).fill('another-viewer-passphrase');
  await page.getByLabel('New password again').fill('another-viewer-passphrase');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('alert')).toContainText('expired or was already used');
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();

  // The new password signs in; the demo password is put back for the other tests.
  await signIn(page, who, 'lakeside-viewer-passphrase');
  await expect(page.getByTestId('user-name')).toHaveText('Victor Viewer');
  await page.goto('/account/password');
  await ready(page);
  await page.getByLabel('Current password').fill('lakeside-viewer-passphrase');
  await page.getByLabel('New password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel('New password again').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/password_changed=1/);
});
