import { test, expect, signIn, ready, unique, freshCode, DEMO_PASSWORD } from './fixtures';

type Page = import('@playwright/test').Page;

/** The demo admin adds people to Nordwind's staff, each with an initial password. */
async function addStaff(page: Page, people: { email: string; role: string }[]) {
  await signIn(page, 'admin@nordwind.example');
  await page.goto('/users');
  await ready(page);
  for (const { email, role } of people) {
    const form = page.getByTestId('create-user-form');
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel('Name').fill('Toni Twostep');
    await form.getByLabel('Role').selectOption(role);
    await form.getByLabel('Initial password').fill('initial password 1');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByTestId('user-row').filter({ hasText: email })).toHaveCount(1);
  }
  await page.getByRole('button', { name: 'Sign out' }).click();
}

/** A new user's first sign-in: they choose their own password and land on the dashboard. */
async function firstSignIn(page: Page, email: string) {
  await signIn(page, email, 'initial password 1');
  await expect(page).toHaveURL(/\/account\/password$/);
  await ready(page);
  await page.getByLabel('Current password').fill('initial password 1');
  await page.getByLabel('New password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel('New password again').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).not.toHaveURL(/\/account\/password$/);
  await ready(page);
}

/** Signs in with the password and a code from the app. */
async function signInWithCode(page: Page, email: string, key: string) {
  await signIn(page, email);
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await page.getByLabel('Code', { exact: true }).fill(await freshCode(key));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Toni Twostep');
}

/** Sets up the authenticator app from the security page; returns its key and recovery codes. */
async function enrol(page: Page): Promise<{ key: string; codes: string[] }> {
  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { name: 'Sign-in security' })).toBeVisible();
  await ready(page);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: 'QR code of your new sign-in key' })).toBeVisible();
  const key = (await page.getByTestId('totp-key').textContent())!.trim();
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('That code is not right')).toBeVisible();
  // The message is tied to the field, so a screen reader reads it with the field.
  const field = page.getByLabel('Code from the app');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/That code is not right/);
  await page.getByLabel('Code from the app').fill(await freshCode(key));
  await page.getByRole('button', { name: 'Turn on' }).click();
  const shown = page.getByTestId('recovery-codes');
  await expect(shown.getByRole('listitem')).toHaveCount(10);
  const codes = await shown.getByRole('listitem').allTextContents();
  await expect(page.getByTestId('second-factor-on')).toContainText('10 recovery codes are left.');
  return { key, codes };
}

test('a user sets up an authenticator app, signs in with codes, trusts a browser and uses a recovery code', async ({ page }) => {
  const email = `${unique('twostep')}@nordwind.example`;
  await addStaff(page, [{ email, role: 'sp_agent' }]);
  await firstSignIn(page, email);
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  const { key, codes } = await enrol(page);
  // Shown once: a reload no longer lists them.
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('second-factor-on')).toBeVisible();
  await expect(page.getByTestId('recovery-codes')).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The password alone leads to the code.
  await signIn(page, email);
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await page.getByLabel('Code', { exact: true }).fill('123456');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('That code did not work.');
  await page.getByLabel('Code', { exact: true }).fill(await freshCode(key));
  await page.getByLabel("Don't ask for a code in this browser for 30 days", { exact: false }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Toni Twostep');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // This browser is trusted now: no code.
  await signIn(page, email);
  await expect(page.getByTestId('user-name')).toHaveText('Toni Twostep');
  await page.goto('/account/security');
  await ready(page);
  await expect(page.getByTestId('trusted-browsers')).toContainText('Chrome on Linux');
  await page.getByRole('button', { name: 'Forget all browsers' }).click();
  await expect(page.getByTestId('trusted-browsers')).toContainText('None.');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Asked again; a recovery code stands in for the phone, once.
  await signIn(page, email);
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Toni Twostep');
  await page.goto('/account/security');
  await expect(page.getByTestId('recovery-codes-left')).toHaveText('9 recovery codes are left.');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The admin sees the second factor and resets it after a second, deliberate choice.
  await signIn(page, 'admin@nordwind.example');
  await page.goto('/users');
  await ready(page);
  const row = page.getByTestId('user-row').filter({ hasText: email });
  await expect(row).toContainText('2-step');
  await row.locator('summary', { hasText: 'Reset second factor…' }).click();
  await row.getByRole('button', { name: /^Reset the second factor/ }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: email })).not.toContainText('2-step');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByTestId('audit-table')).toContainText('user.second_factor_reset');
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, email);
  await expect(page.getByTestId('user-name')).toHaveText('Toni Twostep');
});

test('a provider that requires a second factor sends its staff to set one up first', async ({ page }) => {
  const boss = `${unique('boss')}@nordwind.example`;
  const email = `${unique('twostep')}@nordwind.example`;
  await addStaff(page, [
    { email: boss, role: 'tenant_admin' },
    { email, role: 'sp_agent' },
  ]);
  // An admin with a second factor of their own turns the requirement on (the rule covers them too).
  await firstSignIn(page, boss);
  const { key: bossKey } = await enrol(page);
  const setRequirement = async (on: boolean) => {
    await page.goto('/settings');
    await ready(page);
    const requirement = page.getByLabel('Require a second factor of your staff and account admins');
    await requirement.setChecked(on);
    // With or without JavaScript, the form posts to the server function; once it answered and
    // the page settled, the saved setting is read back.
    const saved = page.waitForResponse((r) => r.url().includes('/api/') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await saved;
    await page.waitForLoadState('load');
    await page.goto('/settings');
    await ready(page);
    await expect(requirement).toBeChecked({ checked: on });
  };
  await setRequirement(true);
  await page.getByRole('button', { name: 'Sign out' }).click();

  try {
    // The new agent's first sign-in: their password, then the app, before anything else.
    await firstSignIn(page, email);
    await expect(page).toHaveURL(/\/account\/security$/);
    await expect(page.getByTestId('second-factor-required')).toBeVisible();
    await page.goto('/orders');
    await expect(page).toHaveURL(/\/account\/security$/);
    const { key } = await enrol(page);
    await expect(page.getByTestId('second-factor-required')).toHaveCount(0);
    await expect(page.getByText('Turn off…')).toHaveCount(0);
    await page.goto('/orders');
    await expect(page).toHaveURL(/\/orders$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithCode(page, email, key);
    await page.getByRole('button', { name: 'Sign out' }).click();
  } finally {
    // The demo's admins sign in without a second factor in the other tests.
    await signInWithCode(page, boss, bossKey);
    await setRequirement(false);
    await page.getByRole('button', { name: 'Sign out' }).click();
  }
});
