import { test, expect, signIn, ready } from './fixtures';
import { mailsTo } from './mailbox';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

const nav = (page) => page.getByRole('navigation', { name: 'Main' });
const status = (page) => page.getByTestId('po-status').first();

/** Appends the Luhn check digit to a string of digits. */
function withCheckDigit(body: string): string {
  for (let d = 0; d < 10; d++) {
    const digits = body + d;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let n = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        n *= 2;
        if (n > 9) n -= 9;
      }
      sum += n;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('no check digit');
}

/** A stock CSV of `count` SIMs no other run has loaded. */
function stockFile(part: string, count: number): string {
  const base = Date.now() % 1e10;
  let csv = 'iccid,imsi,msisdn,part_number\n';
  for (let i = 0; i < count; i++) {
    const n = String(base * 100 + i).padStart(12, '0');
    csv += `${withCheckDigit('894901' + n)},26202${n.slice(-10)},,${part}\n`;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'simdesk-')), 'stock.csv');
  fs.writeFileSync(file, csv);
  return file;
}

async function step(page, name: string, expected: string) {
  await ready(page);
  await page.getByTestId('po-actions').getByRole('button', { name, exact: true }).click();
  await expect(status(page)).toHaveText(expected);
}

test('a purchase order from draft over approval, rejection and reopening to closed', async ({ page }) => {
  test.setTimeout(120_000);
  // The purchaser raises 300 SIMs (1260.00 EUR, above their 1000.00 limit) with another price plan.
  await signIn(page, 'purchaser@hafenlogistik.example');
  await nav(page).getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByRole('link', { name: 'New purchase order' }).click();
  await ready(page);
  const form = page.getByTestId('po-form');
  await form.getByLabel('Industrial IoT SIM, nano').fill('300');
  await form.getByLabel('Price plan').selectOption({ label: 'IoT Large, 5 GB pooled' });
  await form.getByLabel('Comment').fill('Cranes in terminal 3');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  const poUrl = new URL(page.url()).pathname;
  await expect(status(page)).toHaveText('Draft');
  await expect(page.getByTestId('po-total')).toHaveText('1,260.00 EUR');
  await expect(page.getByText('for this order')).toBeVisible();
  await step(page, 'Submit', 'Awaiting approval');

  // The approver approves.
  await signIn(page, 'approver@hafenlogistik.example');
  await page.goto(poUrl);
  await step(page, 'Approve', 'Submitted');

  // The agent finds it in the inbox, sees the checks and rejects it with a reason.
  await signIn(page, 'agent@nordwind.example');
  await nav(page).getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByTestId('status-tabs').getByRole('link', { name: /^Submitted/ }).click();
  await page.locator(`a[href="${poUrl}"]`).click();
  await ready(page);
  await expect(page.getByTestId('plausibility')).toContainText('SIM stock');
  // Rejecting is behind a second choice that says what it does.
  await page.locator('summary', { hasText: 'Reject…' }).click();
  await expect(page.getByTestId('confirm-panel').filter({ hasText: 'may change the order and submit it again' })).toBeVisible();
  const reject = page.getByTestId('reject-form');
  await reject.getByLabel('Reason (the other side sees it)').fill('Please order at most 200 per delivery');
  await reject.getByRole('button', { name: 'Reject purchase order' }).click();
  await expect(status(page)).toHaveText('Rejected');

  // The purchaser reads why, reopens, orders 200 and submits: within the limit this time.
  await signIn(page, 'purchaser@hafenlogistik.example');
  await page.goto(poUrl);
  await expect(page.getByTestId('rejection')).toContainText('at most 200');
  await step(page, 'Reopen', 'Draft');
  await page.getByRole('link', { name: 'Edit draft' }).click();
  await ready(page);
  await page.getByTestId('po-form').getByLabel('Industrial IoT SIM, nano').fill('200');
  await page.getByTestId('po-form').getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByTestId('po-total')).toHaveText('840.00 EUR');
  await step(page, 'Submit', 'Submitted');

  // The tenant admin loads fresh SIMs.
  await signIn(page, 'admin@nordwind.example');
  await nav(page).getByRole('link', { name: 'SIM stock' }).click();
  await ready(page);
  await page.getByLabel('CSV file').setInputFiles(stockFile('NORDWIND-IOT-4FF', 20));
  await page.getByRole('button', { name: 'Load SIMs' }).click();
  await expect(page.getByText('SIMs loaded: 20.')).toBeVisible();

  // The agent accepts (a PO number appears), provisions from stock and ships.
  await signIn(page, 'agent@nordwind.example');
  await page.goto(poUrl);
  await step(page, 'Accept', 'Accepted');
  // The request reference gives way to the PO number, and stays beside it.
  await expect(page.getByTestId('po-title')).toHaveText(/^PO-\d+$/);
  await expect(page.getByText(`REQ-${poUrl.split('/').pop()} · Hafenlogistik`)).toBeVisible();
  await page.getByRole('button', { name: 'Take free SIMs from stock' }).click();
  await expect(status(page)).toHaveText('Ready');
  const ship = page.getByTestId('ship-form');
  await ship.getByLabel('Carrier').fill('DHL');
  await ship.getByLabel('Tracking number').fill('JD0146000062');
  await ship.getByRole('button', { name: 'Mark as shipped' }).click();
  await expect(status(page)).toHaveText('Shipped');

  // The purchaser sees the SIMs with the overridden price plan, and closes the order.
  await signIn(page, 'purchaser@hafenlogistik.example');
  await page.goto(poUrl);
  await ready(page);
  await expect(page.getByRole('heading', { name: 'SIMs (200)' })).toBeVisible();
  await expect(page.getByTestId('sim-row').first()).toContainText('IoT Large, 5 GB pooled');
  await expect(page.getByTestId('shipment')).toContainText('JD0146000062');
  const csv = await page.request.get(`${poUrl}/sims.csv`);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).trim().split('\n')).toHaveLength(201);
  await step(page, 'Confirm receipt', 'Closed');
  const timeline = page.getByTestId('timeline');
  for (const entry of ['Created', 'Submitted', 'Approved', 'Rejected', 'Reopened', 'Accepted', 'SIMs provisioned', 'Shipped', 'Receipt confirmed']) {
    await expect(timeline).toContainText(entry);
  }

  // Everyone was told by e-mail, in the tenant's name, with a link to the PO.
  const number = (await page.getByTestId('po-title').textContent())!;
  const draft = `REQ-${poUrl.split('/').pop()}`;
  const link = `${new URL(page.url()).origin}${poUrl}`;
  const [approval] = await mailsTo('approver@hafenlogistik.example', new RegExp(`^Purchase order ${draft}: awaiting approval$`));
  expect(approval.text).toContain(link);
  await mailsTo('agent@nordwind.example', new RegExp(`^Purchase order ${draft}: submitted$`), 2);
  const [rejected] = await mailsTo('purchaser@hafenlogistik.example', new RegExp(`^Purchase order ${draft}: rejected$`));
  expect(rejected.text).toContain('Please order at most 200 per delivery');
  expect(rejected.from?.value[0]).toMatchObject({ name: 'Nordwind Mobile', address: 'portal@simdesk.test' });
  expect(rejected.replyTo?.value[0].address).toBe('support@nordwind.example');
  const [accepted] = await mailsTo('purchaser@hafenlogistik.example', new RegExp(`^Purchase order ${number}: accepted$`));
  expect(accepted.html).toContain(link);
  expect(accepted.text).toContain('200 x Industrial IoT SIM, nano');
  const [ready_] = await mailsTo('purchaser@hafenlogistik.example', new RegExp(`^Purchase order ${number}: ready$`));
  expect(ready_.text).toContain('SIMs: 200');
  const [shipped] = await mailsTo('purchaser@hafenlogistik.example', new RegExp(`^Purchase order ${number}: shipped$`));
  expect(shipped.text).toContain('JD0146000062');
  await mailsTo('agent@nordwind.example', new RegExp(`^Purchase order ${number}: closed$`));
});

test('an agent raises a purchase order on behalf of an account', async ({ page }) => {
  await signIn(page, 'agent@nordwind.example');
  await page.goto('/orders/new');
  await ready(page);
  await page.getByLabel('Account to order for').selectOption({ label: 'Hafenlogistik GmbH (NW-1001)' });
  await page.getByRole('button', { name: 'Continue' }).click();
  await ready(page);
  const form = page.getByTestId('po-form');
  await form.getByLabel('Embedded IoT chip').fill('15');
  await form.getByRole('button', { name: 'Save draft' }).click();
  // A precise message, and the order is not created.
  await expect(page.getByText('Embedded IoT chip: order in multiples of 10.')).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Nothing was saved');
  await page.getByTestId('po-form').getByLabel('Embedded IoT chip').fill('20');
  await page.getByTestId('po-form').getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByText("on the account's behalf")).toBeVisible();
  await step(page, 'Submit', 'Submitted');
});

test('an account admin sets a spending limit', async ({ page }) => {
  await signIn(page, 'admin@hafenlogistik.example');
  await nav(page).getByRole('link', { name: 'Users' }).click();
  await ready(page);
  const limits = page.getByTestId('spending-limits');
  await limits.getByLabel('Limit of Paul Purchaser', { exact: true }).fill('abc');
  await limits.getByRole('button', { name: 'Save limit of Paul Purchaser' }).click();
  await expect(page.getByText('"abc" is not a price').first()).toBeVisible();
  await page.getByTestId('spending-limits').getByLabel('Limit of Paul Purchaser', { exact: true }).fill('1000.00');
  await page.getByTestId('spending-limits').getByRole('button', { name: 'Save limit of Paul Purchaser' }).click();
  if (test.info().project.use.javaScriptEnabled !== false) {
    await expect(page.getByText('Spending limit saved.')).toBeVisible();
  }
  await page.goto('/users');
  await expect(page.getByTestId('spending-limits').getByLabel('Limit of Paul Purchaser', { exact: true })).toHaveValue('1000.00');
});
