import { test, expect, signIn, ready, unique } from './fixtures';
import { WebhookReceiver, signatureValid } from './webhook-receiver';

type Page = import('@playwright/test').Page;

/** Opens the API and webhooks page from the main navigation. */
async function openApiTokens(page: Page, owner: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API and webhooks' }).click();
  await expect(page).toHaveURL(/\/api-tokens$/);
  await expect(page.getByRole('heading', { level: 1, name: `API and webhooks of ${owner}` })).toBeVisible();
  await ready(page);
}

/** Clicks "Refresh deliveries" and waits for the page to come again. */
async function refreshDeliveries(page: Page) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api-tokens' && r.request().resourceType() === 'document');
  await page.getByRole('button', { name: 'Refresh deliveries' }).click();
  await answered;
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
  // And in the recent calls, with its status (the calls are stored just after they are answered).
  await expect(async () => {
    await page.reload();
    await ready(page);
    const call = page.getByTestId('api-call-row').filter({ hasText: name });
    await expect(call).toHaveCount(1, { timeout: 1000 });
    await expect(call).toContainText('GET /api/v1/me');
    await expect(call).toContainText('200');
  }).toPass({ timeout: 15_000 });

  // Revoked after a second, deliberate choice.
  const again = page.getByTestId('api-token-row').filter({ hasText: name });
  await again.locator('summary', { hasText: 'Revoke…' }).click();
  await again.getByRole('button', { name: /^Revoke the token/ }).click();
  await expect(page.getByTestId('api-token-row').filter({ hasText: name })).toContainText('Revoked');
  // Without JavaScript the form post comes back to the page itself, which says the same.
  await expect(page.getByText('Token revoked: calls with it are refused from now on.')).toBeVisible();
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
  // The provider's webhooks may also hear of its alarms.
  const webhookForm = page.getByTestId('create-webhook-form');
  await expect(webhookForm.getByRole('checkbox')).toHaveCount(4);
  await expect(webhookForm.getByRole('checkbox', { name: /^alarm\.raised\b/ })).not.toBeChecked();
});

test('an account admin adds a webhook, sees its signing secret once, and a signed test event arrives', async ({ page }) => {
  const receiver = await WebhookReceiver.start();
  try {
    const description = unique('erp-hooks');
    await signIn(page, 'admin@hafenlogistik.example');
    await openApiTokens(page, 'Hafenlogistik GmbH');
    await expect(page.getByRole('heading', { level: 2, name: 'Webhooks' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Standard Webhooks' })).toHaveAttribute('href', 'https://www.standardwebhooks.com/');

    const form = page.getByTestId('create-webhook-form');
    // An account's webhook hears of its orders, not of the provider's alarms.
    await expect(form.getByRole('checkbox')).toHaveCount(3);
    await expect(form.getByRole('checkbox', { name: /^alarm\.raised\b/ })).toHaveCount(0);
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Description (optional)').fill(description);
    await form.getByRole('checkbox', { name: /^order\.status_changed\b/ }).check();
    await expect(form.getByRole('checkbox', { name: /^order\.sims_ready\b/ })).not.toBeChecked();
    await expect(form.getByRole('checkbox', { name: /^order\.shipped\b/ })).not.toBeChecked();
    await form.getByRole('button', { name: 'Create webhook' }).click();

    // The signing secret, shown this once.
    const shown = page.getByTestId('new-webhook');
    await expect(shown).toContainText('Copy its signing secret now: it is not shown again.');
    await expect(shown).toContainText(receiver.url);
    const secretField = page.getByLabel('Signing secret', { exact: true });
    await expect(secretField).toHaveValue(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await expect(secretField).toHaveAttribute('readonly', '');
    const secret = await secretField.inputValue();
    // The form is empty again.
    await expect(form.getByLabel('URL')).toHaveValue('');

    const card = page.getByTestId('webhook').filter({ hasText: description });
    await expect(card).toHaveCount(1);
    await expect(card.getByRole('heading', { name: receiver.url })).toBeVisible();
    await expect(card.getByTestId('webhook-events').getByRole('listitem')).toHaveText(['order.status_changed']);
    await expect(card).toContainText('admin@hafenlogistik.example');
    await expect(card).toContainText('No deliveries yet.');

    await card.getByRole('button', { name: /^Send test event/ }).click();
    await expect(page.getByText('Test event queued: it is sent within a few seconds.')).toBeVisible();
    // The page came back and the secret, shown once, is not shown again.
    await expect(page.getByLabel('Signing secret', { exact: true })).toHaveCount(0);
    await expect(card.getByTestId('webhook-delivery-row')).toHaveCount(1);
    await expect(card.getByTestId('webhook-delivery-row')).toContainText('webhook.test');

    // The worker posts it within seconds, signed with the secret shown.
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const arrived = receiver.received[0];
    expect(arrived.method).toBe('POST');
    expect(arrived.path).toBe('/hooks/simdesk');
    expect(arrived.contentType).toContain('application/json');
    expect(arrived.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(Math.abs(Number(arrived.timestamp) - Date.now() / 1000)).toBeLessThan(300);
    expect(signatureValid(secret, arrived)).toBe(true);
    // Another secret, or another body, does not verify.
    expect(signatureValid(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, arrived)).toBe(false);
    expect(signatureValid(secret, { ...arrived, body: Buffer.from(`${arrived.body.toString()} `) })).toBe(false);
    const event = JSON.parse(arrived.body.toString('utf8'));
    expect(event.type).toBe('webhook.test');
    expect(event.data.requested_by).toBe('admin@hafenlogistik.example');
    expect(receiver.received.filter((r) => r.id === arrived.id)).toHaveLength(1);

    // The page shows it sent once its deliveries are loaded again.
    const delivery = page.getByTestId('webhook').filter({ hasText: description }).getByTestId('webhook-delivery-row').first();
    await expect(async () => {
      await refreshDeliveries(page);
      await expect(delivery).toContainText('Sent', { timeout: 2_000 });
    }).toPass({ timeout: 15_000 });
    await expect(delivery).toContainText(arrived.id);
    await expect(delivery).toContainText('200');
    await expect(delivery.locator('td').nth(2)).toHaveText('1');

    // The secret is not shown again.
    await page.reload();
    await ready(page);
    await expect(page.getByTestId('new-webhook')).toHaveCount(0);
    await expect(page.getByTestId('webhook').filter({ hasText: description })).toHaveCount(1);

    // Removed after a second, deliberate choice.
    const again = page.getByTestId('webhook').filter({ hasText: description });
    await again.locator('summary', { hasText: 'Remove…' }).click();
    await again.getByRole('button', { name: /^Remove the webhook/ }).click();
    await expect(page.getByTestId('webhook').filter({ hasText: description })).toHaveCount(0);
    await expect(page.getByText('Webhook removed: no more events are sent to it.')).toBeVisible();
  } finally {
    await receiver.close();
  }
});

test('a webhook address that cannot be used is refused with the field explained', async ({ page }) => {
  await signIn(page, 'admin@hafenlogistik.example');
  await openApiTokens(page, 'Hafenlogistik GmbH');
  const webhooks = await page.getByTestId('webhook').count();
  const form = page.getByTestId('create-webhook-form');
  // The browser takes any absolute URL; the server's check is the one that counts.
  await form.getByLabel('URL').fill('ftp://erp.example.com/hooks/simdesk');
  await form.getByRole('button', { name: 'Create webhook' }).click();
  await expect(page.getByTestId('create-webhook-form').getByText('Use an https address.')).toBeVisible();
  await expect(page.getByTestId('new-webhook')).toHaveCount(0);
  await expect(page.getByTestId('webhook')).toHaveCount(webhooks);
});
