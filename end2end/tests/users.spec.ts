import { test, expect, signIn, ready, unique, confirmStep, hydrates } from './fixtures';
import { mailsTo } from './mailbox';

test('a tenant admin creates an agent, changes the role and deactivates them', async ({ page }) => {
  const email = `${unique('agent')}@nordwind.example`;
  await signIn(page, 'admin@nordwind.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('heading', { name: 'Service-provider staff' })).toBeVisible();
  await ready(page);

  const form = page.getByTestId('create-user-form');
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Name').fill('Nina New');
  await form.getByLabel('Role').selectOption({ label: 'Service-provider agent' });
  await form.getByLabel('Initial password').fill('initial password 1');
  await form.getByRole('button', { name: 'Create user' }).click();

  const row = page.getByTestId('user-row').filter({ hasText: email });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('combobox')).toHaveValue('sp_agent');

  await row.getByRole('combobox').selectOption('tenant_admin');
  await row.getByRole('button', { name: /^Save/ }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: email }).getByRole('combobox')).toHaveValue('tenant_admin');

  await confirmStep(page.getByTestId('user-row').filter({ hasText: email }), 'Deactivate…', /^Deactivate/);
  await expect(page.getByTestId('user-row').filter({ hasText: email })).toContainText('Deactivated');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByTestId('audit-table')).toContainText('user.deactivated');
  await expect(page.getByTestId('audit-table')).toContainText('user.role_changed');
  await expect(page.getByTestId('audit-table')).toContainText('user.created');
  // Each entry names the request that made it, as the server's log does.
  await expect(page.getByTestId('audit-table')).toContainText(/request [0-9a-f]{32}/);
});

test('creating a user with a taken e-mail explains what is wrong', async ({ page }) => {
  await signIn(page, 'admin@alpina.example');
  await page.goto('/users');
  await ready(page);
  const form = page.getByTestId('create-user-form');
  await form.getByLabel('E-mail address').fill('agent@alpina.example');
  await form.getByLabel('Name').fill('Duplicate');
  await form.getByLabel('Role').selectOption('tenant_admin');
  await form.getByLabel('Initial password').fill('initial password 1');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('This e-mail address is already in use.')).toBeVisible();
  await expect(page.getByTestId('user-row')).toHaveCount(2);
  // What was typed is still there to correct, with or without JavaScript; the password is not.
  await expect(form.getByLabel('E-mail address')).toHaveValue('agent@alpina.example');
  await expect(form.getByLabel('Name')).toHaveValue('Duplicate');
  await expect(form.getByLabel('Role')).toHaveValue('tenant_admin');
  if (!hydrates(page)) {
    await expect(form.getByLabel('Initial password')).toHaveValue('');
  }
});

test('an account admin adds a purchaser, who must choose a password at first sign-in', async ({ page }) => {
  const email = `${unique('buyer')}@lakeside.example`;
  await signIn(page, 'admin@lakeside.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users of Lakeside Utilities' })).toBeVisible();
  await ready(page);
  const form = page.getByTestId('create-user-form');
  await expect(form.getByLabel('Role').locator('option')).toHaveText(['Account admin', 'Purchaser', 'Approver', 'Viewer']);
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Name').fill('Bea Buyer');
  await form.getByLabel('Role').selectOption('purchaser');
  await form.getByLabel('Initial password').fill('handed over 123');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: email })).toHaveCount(1);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, email, 'handed over 123');
  await expect(page).toHaveURL(/\/account\/password$/);
  await ready(page);
  await page.getByLabel('Current password').fill('handed over 123');
  await page.getByLabel('New password', { exact: true }).fill('my own passphrase');
  await page.getByLabel('New password again').fill('my own passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  await expect(page.getByTestId('user-name')).toHaveText('Bea Buyer');
  await expect(page.getByTestId('user-roles')).toHaveText('Purchaser');
});

test('an account admin invites a purchaser by e-mail, who chooses a password through the link', async ({ page }) => {
  const email = `${unique('invitee')}@lakeside.example`;
  await signIn(page, 'admin@lakeside.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await ready(page);
  const form = page.getByTestId('create-user-form');
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Name').fill('Ines Invitee');
  await form.getByLabel('Role').selectOption('purchaser');
  // No password: the invitation goes out instead.
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: email })).toHaveCount(1);
  await page.getByRole('button', { name: 'Sign out' }).click();

  const [invitation] = await mailsTo(email, /^You are invited to the SIM portal$/);
  expect(invitation.text).toContain('added you to the Alpina Telecom SIM portal as Purchaser');
  const link = invitation.text!.match(/https?:\/\/\S+\/reset-password\?token=[\w-]+/)![0];
  await page.goto(link);
  await ready(page);
  await page.getByLabel('New password', { exact: true }).fill('invitee passphrase 1');
  await page.getByLabel('New password again').fill('invitee passphrase 1');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page).toHaveURL(/\/sign-in\?password_reset=1$/);
  await signIn(page, email, 'invitee passphrase 1');
  await expect(page.getByTestId('user-name')).toHaveText('Ines Invitee');
  // The link is spent.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(link);
  await ready(page);
  await page.getByLabel('New password', { exact: true }).fill('another passphrase 2');
  await page.getByLabel('New password again').fill('another passphrase 2');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('alert')).toContainText('expired or was already used');
});

test('the platform operator adds a service provider', async ({ page }) => {
  const slug = unique('sp').toLowerCase();
  await signIn(page, 'operator@simdesk.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service providers' }).click();
  await ready(page);
  await page.getByLabel('Name', { exact: true }).fill(`Provider ${slug}`);
  await page.getByLabel('Short name').fill(slug);
  await page.getByLabel("First admin's e-mail").fill(`admin@${slug}.example`);
  await page.getByLabel("First admin's name").fill('First Admin');
  await page.getByLabel('Initial password').fill('initial password 1');
  await page.getByRole('button', { name: 'Create service provider' }).click();
  await expect(page.getByTestId('tenants-table')).toContainText(`Provider ${slug}`);
});
