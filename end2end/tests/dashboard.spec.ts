import { test, expect, signIn, ready } from './fixtures';
import type { Page } from '@playwright/test';

async function setLowStockThreshold(page: Page, value: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await ready(page);
  await page.getByLabel('Low stock below (free SIMs per product)').fill(value);
  await page.getByRole('button', { name: 'Save settings' }).click();
  // The form post returns to the page, which says so and shows the saved value.
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await expect(page).toHaveURL(/\/settings\?__done=/);
  await expect(page.getByLabel('Low stock below (free SIMs per product)')).toHaveValue(value);
}

test('a provider sees its orders, acceptance times, stock and top accounts as charts with their figures', async ({ page }) => {
  await signIn(page, 'admin@nordwind.example');
  await ready(page);
  try {
    await providerCharts(page);
  } finally {
    // The demo's threshold again, for the tests after this one, whatever happened.
    await setLowStockThreshold(page, '100');
  }
});

async function providerCharts(page: Page) {
  // Every product is short of a million free SIMs.
  await setLowStockThreshold(page, '1000000');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await ready(page);

  const charts = page.getByTestId('dashboard-charts');
  for (const title of ['Orders per week', 'Time from submission to acceptance', 'SIM stock per product', 'Top accounts']) {
    await expect(charts.getByRole('heading', { name: title })).toBeVisible();
  }
  // The drawing is one image named by its title and summary; its figures are a table.
  const weekly = page.getByTestId('chart-orders-per-week');
  await expect(weekly.getByRole('img', { name: /Orders per week Purchase orders submitted/ })).toBeVisible();
  await expect(weekly.getByTestId('chart-row')).toHaveCount(8);
  await expect(weekly.getByRole('link', { name: 'Submitted' })).toHaveAttribute('href', '/orders?status=submitted');
  // A group's legend entry opens the list of exactly that group.
  await expect(weekly.getByRole('link', { name: 'In progress' })).toHaveAttribute('href', '/orders?status=accepted,provisioning,ready');

  const stock = page.getByTestId('chart-stock');
  await expect(stock.getByTestId('chart-warning')).toContainText('fewer than 1000000 free SIMs of');
  await expect(stock.getByTestId('chart-warning')).toContainText('Industrial IoT SIM, nano');
  // The figures open from the keyboard.
  const figures = stock.getByText('Figures (SIMs)');
  await figures.focus();
  await page.keyboard.press('Enter');
  const nano = stock.getByTestId('chart-row').filter({ hasText: 'Industrial IoT SIM, nano' });
  await expect(nano).toBeVisible();
  await expect(nano).toContainText('low');

  // Without a threshold nothing is low.
  await setLowStockThreshold(page, '0');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await ready(page);
  await expect(page.getByTestId('chart-stock')).toBeVisible();
  await expect(page.getByTestId('chart-stock').getByTestId('chart-warning')).toHaveCount(0);

  // A chart's title leads to the list behind it.
  await page.getByTestId('chart-orders-per-week').getByRole('link', { name: 'Orders per week' }).click();
  await expect(page).toHaveURL(/\/orders$/);
}

test('an account sees its spend, its orders by status and the SIMs it received', async ({ page }) => {
  await signIn(page, 'purchaser@hafenlogistik.example');
  await ready(page);
  const charts = page.getByTestId('dashboard-charts');
  for (const title of ['Spend per month', 'Orders by status', 'SIMs received']) {
    await expect(charts.getByRole('heading', { name: title })).toBeVisible();
  }
  await expect(charts.getByRole('heading', { name: 'SIM stock per product' })).toHaveCount(0);
  const spend = page.getByTestId('chart-spend-per-month');
  await expect(spend.getByRole('listitem').filter({ hasText: 'Within spending limits' })).toBeVisible();
  await expect(spend.getByTestId('chart-row')).toHaveCount(6);

  // A status in the figures opens the list of those orders.
  const byStatus = page.getByTestId('chart-orders-by-status');
  await byStatus.getByText('Figures (orders)').click();
  await byStatus.getByRole('link', { name: 'Submitted' }).click();
  await expect(page).toHaveURL(/\/orders\?status=submitted$/);
  await ready(page);
  await expect(page.getByTestId('po-status').first()).toHaveText('Submitted');

  // The spend chart's title opens the orders it sums: every status the provider took on.
  await page.goto('/');
  await ready(page);
  await expect(page.getByTestId('chart-spend-per-month').getByRole('link', { name: 'Spend per month' }))
    .toHaveAttribute('href', '/orders?status=accepted,provisioning,ready,shipped,closed');
  await page.goto('/orders?status=accepted,provisioning,ready,shipped,closed');
  await ready(page);
  for (const status of await page.getByTestId('po-status').evaluateAll((badges) => badges.map((b) => b.getAttribute('data-status')))) {
    expect(['accepted', 'provisioning', 'ready', 'shipped', 'closed']).toContain(status);
  }
  const marked = page.getByTestId('status-tabs').locator('[aria-current]');
  for (const mark of await marked.evaluateAll((tabs) => tabs.map((t) => t.getAttribute('aria-current')))) {
    expect(mark).toBe('true');
  }
});
