import { test, expect, signIn, ready } from './fixtures';

// Controls that only work once the WASM app has hydrated the server-rendered page.

test('@hydration the password field can be revealed', async ({ page }) => {
  await page.goto('/sign-in');
  await ready(page);
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByTestId('toggle-password').click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(page.getByTestId('toggle-password')).toHaveText('Hide');
});

test('@hydration the user list filters as you type', async ({ page }) => {
  await signIn(page, 'admin@hafenlogistik.example');
  await page.goto('/users');
  await ready(page);
  const rows = page.getByTestId('user-row');
  await expect(rows.filter({ visible: true })).toHaveCount(await rows.count());
  await page.getByTestId('user-filter').fill('approver');
  await expect(rows.filter({ visible: true })).toHaveCount(1);
  await expect(rows.filter({ visible: true })).toContainText('approver@hafenlogistik.example');
});
