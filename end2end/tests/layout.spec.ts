import { test, expect, signIn, ready } from './fixtures';

// Every page must fit a phone's width: wide tables scroll inside their card, not the page.
test.use({ viewport: { width: 390, height: 844 } });

const pages: Array<{ email: string; paths: string[] }> = [
  {
    email: 'admin@nordwind.example',
    paths: ['/', '/orders', '/email-orders', '/accounts', '/catalog', '/stock', '/messages', '/alarms', '/users', '/settings', '/audit', '/account/password', '/account/preferences'],
  },
  { email: 'admin@hafenlogistik.example', paths: ['/', '/orders', '/orders/new', '/shop', '/users', '/sso'] },
  { email: 'operator@simdesk.example', paths: ['/', '/tenants', '/audit'] },
];

for (const { email, paths } of pages) {
  test(`pages of ${email} fit a phone screen`, async ({ page }) => {
    await signIn(page, email);
    await expect(page.getByTestId('user-name')).toBeVisible();
    for (const path of paths) {
      await page.goto(path);
      await ready(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    }
  });
}

test('the sign-in page fits a phone screen', async ({ page }) => {
  await page.goto('/sign-in');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
