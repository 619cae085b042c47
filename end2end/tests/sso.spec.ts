import { test, expect, ready, signIn, signedOutSignInPage } from './fixtures';

// The test OpenID provider the Playwright config starts, with simdesk registered as a client.
const issuer = `http://127.0.0.1:${process.env.SIMDESK_E2E_OIDC_PORT ?? 3190}`;

test('an account admin sets up single sign-on from the navigation', async ({ page }) => {
  await signIn(page, 'admin@hafenlogistik.example');
  await ready(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Single sign-on' }).click();
  await expect(page).toHaveURL(/\/sso$/);
  await expect(page.getByRole('heading', { name: 'Single sign-on' })).toBeVisible();
  await expect(page.getByTestId('sso-redirect-uri')).toHaveText(/\/auth\/sso\/callback$/);
  await ready(page);

  const form = page.getByTestId('sso-form');
  // A mistake first: the page names the field.
  await form.getByLabel('Enabled').check();
  await form.getByLabel('Issuer URL').fill('http://login.example.com');
  await form.getByLabel('Client ID').fill('simdesk-e2e');
  await form.getByLabel('Client secret').fill('simdesk-e2e-secret');
  await form.getByLabel('E-mail domains').fill('sso.hafen.example');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(form.getByText('The issuer URL must use https')).toBeVisible();

  await ready(page);
  await form.getByLabel('Enabled').check();
  await form.getByLabel('Issuer URL').fill(issuer);
  await form.getByLabel('Client ID').fill('simdesk-e2e');
  await form.getByLabel('Client secret').fill('simdesk-e2e-secret');
  await form.getByLabel('Scopes').fill('openid email profile groups');
  await form.getByLabel('E-mail domains').fill('sso.hafen.example');
  await form.getByLabel('Role claim').fill('groups');
  await form.getByLabel('Role mapping').fill('sim-buyers = purchaser\nsim-admins = account_admin');
  await form.getByLabel('Create users at their first sign-in').check();
  await form.getByLabel('Role of new users without a mapped role').selectOption('viewer');
  const save = form.getByRole('button', { name: 'Save settings' });
  // Without JavaScript the form posts and the browser follows the redirect back to the page,
  // which says the same.
  await save.click();
  await expect(page.getByText('Single sign-on settings saved.')).toBeVisible();
  await page.reload();
  await ready(page);
  await expect(form.getByLabel('Issuer URL')).toHaveValue(issuer);
  await expect(form.getByLabel('Client secret')).toHaveValue('');
  await expect(page.getByText('Stored and never shown again')).toBeVisible();

  // The form post comes back to the page, which shows what the test found.
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('sso-test-result')).toContainText('Discovery document found');
  await expect(page.getByTestId('sso-test-result').locator('[data-passed="false"]')).toHaveCount(0);
});

test('an enterprise user signs in at their company provider and signing out ends both sessions', async ({ page }) => {
  await signedOutSignInPage(page);
  await page.getByLabel('E-mail address').fill('ada@sso.hafen.example');
  // Keyboard only: from the e-mail field to the SSO button.
  await page.getByTestId('sso-sign-in').focus();
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(new RegExp(`^${issuer}/interaction/`));
  await expect(page.getByRole('heading', { name: 'Test identity provider' })).toBeVisible();
  await page.getByLabel('Username').fill('ada@sso.hafen.example');
  await page.getByLabel('Password').fill('provider-pass');
  await page.getByRole('button', { name: 'Sign in at provider' }).click();

  await expect(page).toHaveURL(/localhost:\d+\/$/);
  await ready(page);
  const nav = page.getByRole('navigation');
  await expect(nav.getByRole('link', { name: 'Orders', exact: true })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Products' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByTestId('user-name')).toHaveText('Ada Buyer');
  await expect(page.getByTestId('user-roles')).toHaveText('Purchaser');
  // No password at simdesk, so nothing to change there.
  await expect(page.getByRole('link', { name: 'Password' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${issuer}/session/end`));
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);
  await expect(page.getByText('You are signed out.')).toBeVisible();

  // The provider's session ended too: signing in again asks for the password there.
  await ready(page);
  await page.getByLabel('E-mail address').fill('ada@sso.hafen.example');
  await page.getByTestId('sso-sign-in').click();
  await expect(page.getByRole('button', { name: 'Sign in at provider' })).toBeVisible();
  // Cancelling at the provider ends on simdesk's sign-in page with a clear message.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=sso_denied/);
  await expect(page.getByRole('alert')).toContainText('cancelled or refused');
});

test('an address without single sign-on is told so', async ({ page }) => {
  await signedOutSignInPage(page);
  await page.getByLabel('E-mail address').fill('someone@nowhere.example');
  await page.getByTestId('sso-sign-in').click();
  await expect(page.getByRole('alert')).toContainText('No single sign-on is set up for this e-mail address');
  await expect(page.getByLabel('E-mail address')).toHaveValue('someone@nowhere.example');
});
