import { test, expect, signIn, ready, unique } from './fixtures';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

const nav = (page) => page.getByRole('navigation', { name: 'Main' });

test('a tenant admin creates a price plan and a product', async ({ page }) => {
  const code = unique('PLAN').toUpperCase();
  const part = unique('NW').toUpperCase();
  await signIn(page, 'admin@nordwind.example');
  await nav(page).getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('link', { name: 'Entitlement options' }).click();
  await ready(page);
  const optionForm = page.getByTestId('option-form');
  await optionForm.getByLabel('Kind').selectOption('price_plan');
  await optionForm.getByLabel('Code').fill(code);
  await optionForm.getByLabel('Name', { exact: true }).fill(`Fleet plan ${code}`);
  await optionForm.getByRole('button', { name: 'Add option' }).click();
  await expect(page.getByTestId('options-price_plan')).toContainText(code);

  await page.goto('/catalog/new');
  await ready(page);
  const form = page.getByTestId('product-form');
  await form.getByLabel('Part number').fill(part);
  await form.getByLabel('Name', { exact: true }).fill(`Rugged SIM ${part}`);
  await form.getByLabel('Form factor').selectOption('3FF');
  await form.getByLabel('Unit price').fill('7.25');
  await form.getByLabel('UNSPSC code').fill('4319150');
  await form.getByLabel('Price plan').selectOption({ label: `Fleet plan ${code} (${code})` });
  await form.getByRole('button', { name: 'Create product' }).click();
  // A precise message for the one bad field; nothing is lost.
  await expect(page.getByText('Enter the 8-digit UNSPSC code, such as 43191501.').first()).toBeVisible();
  // The field is marked invalid and described by its hint and its message.
  const unspsc = page.getByTestId('product-form').getByLabel('UNSPSC code');
  await expect(unspsc).toHaveAttribute('aria-invalid', 'true');
  await expect(unspsc).toHaveAccessibleDescription(/8 digits, for example 43191501.*Enter the 8-digit UNSPSC code/);
  await page.getByTestId('product-form').getByLabel('UNSPSC code').fill('43191501');
  if (!(await page.getByTestId('product-form').getByLabel('Part number').inputValue())) {
    // Without JavaScript the form comes back empty after a failed post: fill it again.
    const again = page.getByTestId('product-form');
    await again.getByLabel('Part number').fill(part);
    await again.getByLabel('Name', { exact: true }).fill(`Rugged SIM ${part}`);
    await again.getByLabel('Form factor').selectOption('3FF');
    await again.getByLabel('Unit price').fill('7.25');
    await again.getByLabel('Price plan').selectOption({ label: `Fleet plan ${code} (${code})` });
  }
  await page.getByTestId('product-form').getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name: `Rugged SIM ${part}` })).toBeVisible();
  await expect(page.getByText('7.25 EUR').first()).toBeVisible();

  await nav(page).getByRole('link', { name: 'Catalog' }).click();
  await page.getByLabel('Search').fill(part);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('product-row')).toHaveCount(1);
  await expect(page.getByTestId('product-row')).toContainText('7.25 EUR');
});

test('a bad product CSV is refused with a report by line, a good one imported', async ({ page }) => {
  const part = unique('CSV').toUpperCase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdesk-'));
  const bad = path.join(dir, 'bad.csv');
  const good = path.join(dir, 'good.csv');
  const header = 'part_number,name,sim_type,form_factor,unit_price,currency,unspsc\n';
  fs.writeFileSync(bad, header + `${part},Fine,plastic,4FF,1.00,EUR,43191501\n${part}-2,Bad,plastic,9FF,1.00,EURO,43191501\n`);
  fs.writeFileSync(good, header + `${part},Imported SIM,plastic,4FF,1.00,EUR,43191501\n`);
  await signIn(page, 'admin@alpina.example');
  await page.goto('/catalog/import');
  await ready(page);
  await page.getByLabel('CSV file').setInputFiles(bad);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-errors')).toContainText('Line 3:');
  await expect(page.getByTestId('import-errors')).toContainText('form_factor');
  await page.getByLabel('CSV file').setInputFiles(good);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByText('Imported: 1 created, 0 updated.')).toBeVisible();
});

test('an agent onboards an account through the checklist, and its purchaser sees the contract catalog', async ({ page }) => {
  const number = unique('C').toUpperCase();
  const adminEmail = `${unique('admin').toLowerCase()}@onboarded.example`;
  await signIn(page, 'agent@nordwind.example');
  await nav(page).getByRole('link', { name: 'Accounts' }).click();
  await ready(page);
  const form = page.getByTestId('account-form');
  await form.getByLabel('Company name').fill(`Onboarded ${number}`);
  await form.getByLabel('Customer number').fill(number);
  await form.getByLabel('Billing name').fill('Accounts Payable');
  await form.getByLabel('Billing street and number').fill('Ringstraße 1');
  await form.getByLabel('Postal code').fill('1010');
  await form.getByLabel('City').fill('Wien');
  await form.getByLabel('Country').fill('AT');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: `Onboarded ${number}` })).toBeVisible();
  await ready(page);
  const check = (key: string) => page.getByTestId(`check-${key}`);
  await expect(check('billing_address')).toHaveAttribute('data-done', 'true');
  for (const key of ['shipping_address', 'defaults', 'products', 'admin']) {
    await expect(check(key)).toHaveAttribute('data-done', 'false');
  }

  const address = page.getByTestId('address-form');
  await address.getByLabel('Recipient').fill('Goods in');
  await address.getByLabel('Street and number').fill('Lager 3');
  await address.getByLabel('Postal code').fill('1100');
  await address.getByLabel('City').fill('Wien');
  await address.getByLabel('Country').fill('AT');
  await address.getByRole('button', { name: 'Add address' }).click();
  await expect(check('shipping_address')).toHaveAttribute('data-done', 'true');

  const defaults = page.getByTestId('entitlements-form');
  await defaults.getByLabel('Default SIM billing status').selectOption({ label: 'Activation ready (ACTIVATION_READY)' });
  await defaults.getByLabel('Default price plan').selectOption({ label: 'IoT Small, 100 MB pooled (IOT-S)' });
  await defaults.getByLabel('Default service profile').selectOption({ label: 'Data only (DATA)' });
  await defaults.getByLabel('Default roaming profile').selectOption({ label: 'EU roaming (EU)' });
  await defaults.getByLabel('Default APN group').selectOption({ label: 'Public internet APN (INTERNET)' });
  await defaults.getByLabel('Roaming profile: Worldwide roaming').check();
  await defaults.getByRole('button', { name: 'Save defaults' }).click();
  await expect(check('defaults')).toHaveAttribute('data-done', 'true');

  const assign = page.getByTestId('assign-form');
  await assign.getByLabel('Product').selectOption({ label: 'Industrial IoT SIM, nano (NORDWIND-IOT-4FF), list 4.90 EUR' });
  await assign.getByLabel('Contract price').fill('3.99');
  await assign.getByRole('button', { name: 'Assign product' }).click();
  await expect(page.getByTestId('assigned-products')).toContainText('3.99 EUR');
  await expect(check('products')).toHaveAttribute('data-done', 'true');

  const invite = page.getByTestId('invite-form');
  await invite.getByLabel('E-mail address').fill(adminEmail);
  await invite.getByLabel('Name').fill('Olga Onboarded');
  await invite.getByLabel('Initial password').fill('handed over 123');
  await invite.getByRole('button', { name: 'Create account admin' }).click();
  await expect(page.getByTestId('admins')).toContainText(adminEmail);
  await expect(page.getByRole('heading', { name: 'Ready to order' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The account's admin signs in, chooses a password, and sees exactly that product at 3.99.
  await signIn(page, adminEmail, 'handed over 123');
  await ready(page);
  await page.getByLabel('Current password').fill('handed over 123');
  await page.getByLabel('New password', { exact: true }).fill('our own passphrase');
  await page.getByLabel('New password again').fill('our own passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  await ready(page);
  await nav(page).getByRole('link', { name: 'Products' }).click();
  await expect(page.getByTestId('shop-product')).toHaveCount(1);
  await expect(page.getByTestId('shop-price')).toHaveText('3.99 EUR');
  await expect(page.getByTestId('account-defaults')).toContainText('IoT Small, 100 MB pooled');
});

test('a purchaser sees exactly the assigned products at contract prices', async ({ page }) => {
  await signIn(page, 'purchaser@hafenlogistik.example');
  await nav(page).getByRole('link', { name: 'Products' }).click();
  await ready(page);
  await expect(page.getByTestId('shop-product')).toHaveCount(2);
  await expect(page.getByTestId('shop-price')).toHaveText(['6.50 EUR', '4.20 EUR']);
  await expect(page.getByText('Consumer-grade eSIM profile')).toHaveCount(0);
});

test('a tenant admin changes the brand colour and the portal shows it', async ({ page }) => {
  await signIn(page, 'admin@alpina.example');
  await nav(page).getByRole('link', { name: 'Settings' }).click();
  await ready(page);
  await page.getByLabel('Brand colour').fill('#7c3aed');
  await page.getByRole('button', { name: 'Save settings' }).click();
  // With JavaScript the page says so in place; without, the form post returns to the page, which
  // says so too and shows the saved value.
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await expect(page.getByLabel('Brand colour')).toHaveValue('#7c3aed');
  await page.goto('/');
  await expect(page.getByTestId('brand-bar')).toHaveCSS('background-color', 'rgb(124, 58, 237)');
  // A colour that is not one is refused with a precise message.
  await page.goto('/settings');
  await ready(page);
  await page.getByLabel('Brand colour').fill('purple');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Use a colour such as #0f766e.').first()).toBeVisible();
});
