import { test, expect, signIn, signedOutSignInPage, ready, unique, confirmStep } from './fixtures';
import { countTo, mailsTo, smtpReachable } from './mailbox';

const alarmMail = /^Alarm: A message could not be delivered$/;

test('an e-mail the mail server refuses raises an alarm that the admin acknowledges and resolves', async ({ page }) => {
  test.setTimeout(90_000);
  // A new agent whose mailbox the SMTP server refuses for good (550).
  const email = `refused-${unique('agent')}@nordwind.example`;
  const before = await countTo('admin@nordwind.example', alarmMail);
  await signIn(page, 'admin@nordwind.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
  await ready(page);
  const form = page.getByTestId('create-user-form');
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Name').fill('Rita Refused');
  await form.getByLabel('Role').selectOption({ label: 'Service-provider agent' });
  await form.getByLabel('Initial password').fill('initial password 1');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: email })).toHaveCount(1);

  // Their password reset e-mail is refused, given up, and becomes an alarm.
  await signedOutSignInPage(page);
  await page.goto('/forgot-password');
  await ready(page);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'E-mail me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toBeVisible();

  // The admins hear of it by e-mail.
  const told = await mailsTo('admin@nordwind.example', alarmMail, before + 1);
  expect(told.some((m) => m.text?.includes(email))).toBe(true);
  expect(told[0].text).toContain('/alarms');

  await signIn(page, 'admin@nordwind.example');
  await ready(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alarms' }).click();
  await expect(page).toHaveURL(/\/alarms$/);
  await ready(page);
  const alarm = page.getByTestId('alarm').filter({ hasText: email }).first();
  await expect(alarm).toContainText('A message could not be delivered');
  await expect(alarm).toContainText('550');
  await expect(alarm.getByTestId('alarm-status')).toHaveText('Open');

  // The trace shows the refused e-mail.
  await alarm.getByRole('link', { name: 'Open the message' }).click();
  await ready(page);
  await expect(page.getByTestId('message-facts')).toContainText('Not delivered');
  await expect(page.getByTestId('message-facts')).toContainText(email);
  await page.goBack();
  await ready(page);

  const current = () => page.getByTestId('alarm').filter({ hasText: email }).first();
  await current().getByRole('button', { name: 'Acknowledge' }).click();
  await expect(current().getByTestId('alarm-status')).toHaveText('Acknowledged');
  await expect(current()).toContainText('Acknowledged by Tessa Admin');
  await current().getByRole('button', { name: 'Resolve' }).click();
  await expect(current().getByTestId('alarm-status')).toHaveText('Resolved');
  await expect(current()).toContainText('Resolved by Tessa Admin');

  // The agent goes again, so later tests' e-mails to the provider's agents are not refused.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
  await ready(page);
  await confirmStep(page.getByTestId('user-row').filter({ hasText: email }), 'Deactivate…', /^Deactivate/);
  await expect(page.getByTestId('user-row').filter({ hasText: email })).toContainText('Deactivated');
});

test('a stopped SMTP server raises an alarm that the admin acknowledges @outage', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 'admin@nordwind.example');
  await ready(page);
  // E-mails may wait one minute before it is an alarm.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await ready(page);
  const stale = page.getByLabel('Alarm when a message waits longer than (minutes)');
  await stale.fill('1');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  smtpReachable(false);
  try {
    // An e-mail that cannot go out: a password reset.
    await signedOutSignInPage(page);
    await page.goto('/forgot-password');
    await ready(page);
    await page.getByLabel('E-mail address').fill('viewer@hafenlogistik.example');
    await page.getByRole('button', { name: 'E-mail me a link' }).click();
    await expect(page.getByTestId('reset-sent')).toBeVisible();

    await signIn(page, 'admin@nordwind.example');
    await ready(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alarms' }).click();
    await ready(page);
    const alarm = page.getByTestId('alarm').filter({ hasText: 'Is the SMTP server reachable?' }).first();
    await expect(async () => {
      await page.reload();
      await expect(alarm).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 120_000, intervals: [5_000] });
    await expect(alarm).toContainText('Messages wait too long to be sent');
    await ready(page);
    await alarm.getByRole('button', { name: 'Acknowledge' }).click();
    const current = page.getByTestId('alarm').filter({ hasText: 'Is the SMTP server reachable?' }).first();
    await expect(current.getByTestId('alarm-status')).toHaveText('Acknowledged');
    await expect(current).toContainText('Acknowledged by Tessa Admin');
  } finally {
    smtpReachable(true);
    await page.goto('/settings');
    await ready(page);
    await stale.fill('15');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Settings saved.')).toBeVisible();
  }
});
