import { test, expect, signIn, ready } from './fixtures';

// What each role must see in the main navigation, exactly.
const roles: Array<{ email: string; name: string; role: string; nav: string[] }> = [
  { email: 'operator@simdesk.example', name: 'Olivia Operator', role: 'Platform operator', nav: ['Dashboard', 'Service providers', 'Audit log'] },
  { email: 'admin@nordwind.example', name: 'Tessa Admin', role: 'Tenant admin', nav: ['Dashboard', 'Orders', 'E-mail orders', 'Accounts', 'Catalog', 'SIM stock', 'Messages', 'Alarms', 'Staff', 'Settings', 'API and webhooks', 'Audit log'] },
  { email: 'agent@nordwind.example', name: 'Aaron Agent', role: 'Service-provider agent', nav: ['Dashboard', 'Orders', 'E-mail orders', 'Accounts', 'Catalog', 'SIM stock', 'Messages', 'Alarms'] },
  { email: 'admin@hafenlogistik.example', name: 'Anna Admin', role: 'Account admin', nav: ['Dashboard', 'Orders', 'Products', 'Users', 'Single sign-on', 'API and webhooks'] },
  { email: 'purchaser@hafenlogistik.example', name: 'Paul Purchaser', role: 'Purchaser', nav: ['Dashboard', 'Orders', 'Products'] },
  { email: 'approver@lakeside.example', name: 'Petra Approver', role: 'Approver', nav: ['Dashboard', 'Orders', 'Products'] },
  { email: 'viewer@metrofleet.example', name: 'Victor Viewer', role: 'Viewer', nav: ['Dashboard', 'Orders', 'Products'] },
];

for (const r of roles) {
  test(`${r.role} signs in and sees their navigation`, async ({ page }) => {
    await signIn(page, r.email);
    await expect(page).toHaveURL(/\/$/);
    await ready(page);
    await expect(page.getByTestId('user-name')).toHaveText(r.name);
    await expect(page.getByTestId('user-roles')).toHaveText(r.role);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(r.nav);
    await expect(page.getByTestId('dashboard-cards').locator('li').first()).toBeVisible();
  });
}

test('visitors are sent to sign in and come back where they wanted to go', async ({ page }) => {
  await page.goto('/audit');
  await expect(page).toHaveURL(/\/sign-in\?next=\/audit$/);
  await ready(page);
  await page.getByLabel('E-mail address').fill('admin@alpina.example');
  await page.getByLabel('Password', { exact: true }).fill('simdesk-demo-2026');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
});

test('a wrong password gets one generic message', async ({ page }) => {
  await signIn(page, 'viewer@bergbahn.example', 'not the right password');
  await expect(page).toHaveURL(/error=failed/);
  await expect(page.getByRole('alert')).toContainText('Sign-in failed. Check your e-mail address and password.');
});

test('sign-out ends the session', async ({ page }) => {
  await signIn(page, 'agent@alpina.example');
  await ready(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('sign-in works from the keyboard alone', async ({ page }) => {
  await page.goto('/sign-in');
  await ready(page);
  await expect(page.getByLabel('E-mail address')).toBeFocused();
  await page.keyboard.type('purchaser@metrofleet.example');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type('simdesk-demo-2026');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('user-name')).toHaveText('Paul Purchaser');
});

test('an unknown page answers 404 with a way back', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
