import { test, expect, signIn, ready, unique, hydrates } from './fixtures';

type Page = import('@playwright/test').Page;

/** Opens the API tokens page from the main navigation. */
async function openApiTokens(page: Page, owner: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
  await expect(page).toHaveURL(/\/api-tokens$/);
  await expect(page.getByRole('heading', { level: 1, name: `API tokens of ${owner}` })).toBeVisible();
  await ready(page);
}

test('an account admin creates an API token, sees its secret once, calls the API with it and revokes it', async ({ page, request }) => {
  const name = unique('erp-sync');
  await signIn(page, 'admin@hafenlogistik.example');
  await openApiTokens(page, 'Hafenlogistik GmbH');
  await expect(page.getByRole('link', { name: 'Read the API reference' })).toHaveAttribute('href', '/api/v1/docs');

  const form = page.getByTestId('create-token-form');
  // An account's token cannot change the catalog: that scope is not offered.
  await expect(form.getByRole('checkbox')).toHaveCount(2);
  await expect(form.getByRole('checkbox', { name: /^read\b/ })).toBeChecked();
  await expect(form.getByLabel('Expires in days')).toHaveValue('90');
  await form.getByLabel('Name').fill(name);
  await form.getByRole('checkbox', { name: /^orders:write\b/ }).check();
  await form.getByRole('button', { name: 'Create token' }).click();

  // The secret, shown this once.
  const shown = page.getByTestId('new-token');
  await expect(shown).toContainText('Copy it now: it is not shown again.');
  const secretField = page.getByLabel('Secret', { exact: true });
  await expect(secretField).toHaveValue(/^sdk_\S{20,}$/);
  await expect(secretField).toHaveAttribute('readonly', '');
  const secret = await secretField.inputValue();
  // The form is empty again, ready for another token rather than a second click on this one.
  await expect(form.getByLabel('Name')).toHaveValue('');

  const row = page.getByTestId('api-token-row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Active');
  await expect(row).toContainText('read');
  await expect(row).toContainText('orders:write');
  await expect(row).toContainText('admin@hafenlogistik.example');
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).toContainText('never');

  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  const body = await me.json();
  expect(body.acts_as).toBe('admin@hafenlogistik.example');
  expect(body.scopes).toEqual(['read', 'orders:write']);

  // Not shown again; the call shows as the token's last use.
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('api-token-row').filter({ hasText: name })).toHaveCount(1);
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await expect(page.getByTestId('api-token-row').filter({ hasText: name })).not.toContainText('never');

  // Revoked after a second, deliberate choice.
  const again = page.getByTestId('api-token-row').filter({ hasText: name });
  await again.locator('summary', { hasText: 'Revoke…' }).click();
  await again.getByRole('button', { name: /^Revoke the token/ }).click();
  await expect(page.getByTestId('api-token-row').filter({ hasText: name })).toContainText('Revoked');
  // Without JavaScript the form post comes back to the page itself, which shows the outcome in the table.
  if (hydrates(page)) {
    await expect(page.getByText('Token revoked: calls with it are refused from now on.')).toBeVisible();
  }
  await expect(page.getByTestId('api-token-row').filter({ hasText: name }).locator('summary', { hasText: 'Revoke…' })).toHaveCount(0);

  const refused = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toContain('application/problem+json');
});

test('a token without a name is refused with the field explained', async ({ page }) => {
  await signIn(page, 'admin@hafenlogistik.example');
  await openApiTokens(page, 'Hafenlogistik GmbH');
  const rows = await page.getByTestId('api-token-row').count();
  const form = page.getByTestId('create-token-form');
  // Blanks get past the browser's own check of the required field; the server's is the one that counts.
  await form.getByLabel('Name').fill('   ');
  await form.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByText('Enter a name that says what the token is for.')).toBeVisible();
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await expect(page.getByTestId('api-token-row')).toHaveCount(rows);
});

test("a tenant admin makes the provider's tokens, which may also change the catalog", async ({ page }) => {
  const name = unique('catalog-feed');
  await signIn(page, 'admin@nordwind.example');
  await openApiTokens(page, 'Nordwind Mobile');
  const form = page.getByTestId('create-token-form');
  await expect(form.getByRole('checkbox')).toHaveCount(3);
  await form.getByLabel('Name').fill(name);
  await form.getByRole('checkbox', { name: /^read\b/ }).uncheck();
  await form.getByRole('checkbox', { name: /^catalog:write\b/ }).check();
  await form.getByLabel('Expires in days').fill('30');
  await form.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toContainText('Copy it now: it is not shown again.');
  await expect(page.getByLabel('Secret', { exact: true })).toHaveValue(/^sdk_/);
  const row = page.getByTestId('api-token-row').filter({ hasText: name });
  await expect(row).toContainText('catalog:write');
  await expect(row).not.toContainText('read');
  await expect(row).toContainText('admin@nordwind.example');
});
