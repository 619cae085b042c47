import { test, expect, signIn, signedOutSignInPage, ready, unique, hydrates } from './fixtures';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The procurement system's web side, on its own origin (127.0.0.1, another site than simdesk's
 * localhost), so the catalog runs in a third-party frame with its partitioned PunchOut cookie:
 * a requisition page framing the StartPage, and the BrowserFormPost URL that receives the cart.
 */
async function procurementSystem(): Promise<{ origin: string; setStartPage: (url: string) => void; received: () => string; confirmations: () => string[]; close: () => void }> {
  let startPage = 'about:blank';
  let posted = '';
  const confirmations: string[] = [];
  const server = http.createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/cxml') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        confirmations.push(body);
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end('<?xml version="1.0"?><cXML payloadID="ack@buyer.example" timestamp="2026-11-21T12:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>');
      });
      return;
    }
    if (request.method === 'POST' && request.url === '/cart') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        posted = body;
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>Cart</title><p id="received">Cart received</p>');
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><title>Requisition</title><h1>New requisition</h1>
      <iframe title="Supplier catalog" src="${startPage}" style="width:100%;height:900px"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setStartPage: (url) => (startPage = url),
    received: () => posted,
    confirmations: () => confirmations,
    close: () => server.close(),
  };
}

function setupRequest(identity: string, secret: string, buyerCookie: string, procurement: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${buyerCookie}@buyer.example" timestamp="2026-11-21T10:00:00-05:00">
<Header>
  <From><Credential domain="NetworkID"><Identity>${identity}</Identity></Credential></From>
  <To><Credential domain="DUNS"><Identity>nordwind</Identity></Credential></To>
  <Sender><Credential domain="NetworkID"><Identity>${identity}</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>Procurement 1.0</UserAgent></Sender>
</Header>
<Request><PunchOutSetupRequest operation="create">
  <BuyerCookie>${buyerCookie}</BuyerCookie>
  <Extrinsic name="UserEmail">pat.procurement@hafenlogistik.example</Extrinsic>
  <BrowserFormPost><URL>${procurement}/cart</URL></BrowserFormPost>
</PunchOutSetupRequest></Request></cXML>`;
}

function orderRequest(identity: string, secret: string, orderId: string, part: string, aux: string, price: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${orderId}@buyer.example" timestamp="2026-11-21T11:00:00Z">
<Header>
  <From><Credential domain="NetworkID"><Identity>${identity}</Identity></Credential></From>
  <To><Credential domain="DUNS"><Identity>nordwind</Identity></Credential></To>
  <Sender><Credential domain="NetworkID"><Identity>${identity}</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>Procurement 1.0</UserAgent></Sender>
</Header>
<Request><OrderRequest>
  <OrderRequestHeader orderID="${orderId}" orderDate="2026-11-21T11:00:00Z" type="new">
    <Total><Money currency="EUR">49.00</Money></Total>
    <BillTo><Address><Name xml:lang="en">Hafenlogistik GmbH</Name></Address></BillTo>
  </OrderRequestHeader>
  <ItemOut quantity="10" lineNumber="1">
    <ItemID><SupplierPartID>${part}</SupplierPartID><SupplierPartAuxiliaryID>${aux}</SupplierPartAuxiliaryID></ItemID>
    <ItemDetail><UnitPrice><Money currency="EUR">${price}</Money></UnitPrice>
      <Description xml:lang="en">SIM</Description><UnitOfMeasure>EA</UnitOfMeasure>
      <Classification domain="UNSPSC">43191501</Classification></ItemDetail>
  </ItemOut>
</OrderRequest></Request></cXML>`;
}

const first = (pattern: RegExp, text: string) => {
  const match = pattern.exec(text);
  expect(match, `${pattern} in ${text}`).not.toBeNull();
  return match![1].trim();
};

test('a procurement system punches out in a frame, gets the cart back and orders it', async ({ page, request }) => {
  const procurement = await procurementSystem();
  const PROCUREMENT = procurement.origin;
  // The tenant admin gives Hafenlogistik's procurement system a credential.
  await signIn(page, 'admin@nordwind.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('link', { name: 'Hafenlogistik GmbH' }).click();
  await page.getByRole('link', { name: 'PunchOut settings' }).click();
  await ready(page);
  const identity = unique('AN');
  const form = page.getByRole('region', { name: 'Add a credential' });
  await form.getByLabel('Buyer identity').fill(identity);
  await form.getByLabel('Frame origins').fill(PROCUREMENT);
  await form.getByLabel('Order confirmations to').fill(`${PROCUREMENT}/cxml`);
  await form.getByRole('button', { name: 'Add credential' }).click();
  const secret = (await page.getByTestId('punchout-generated-secret').textContent())!.trim();
  expect(secret.length).toBeGreaterThanOrEqual(32);
  await expect(page.getByTestId('punchout-credentials')).toContainText(identity);
  const endpoint = (await page.getByTestId('cxml-endpoint').textContent())!.trim();
  await signedOutSignInPage(page);

  // The procurement system sets the PunchOut up and frames the StartPage.
  const buyerCookie = unique('cart');
  const setup = await request.post(endpoint, {
    data: setupRequest(identity, secret, buyerCookie, PROCUREMENT),
    headers: { 'content-type': 'text/xml' },
  });
  expect(setup.status()).toBe(200);
  const startPage = first(/<StartPage>\s*<URL>([^<]+)<\/URL>/, await setup.text());

  procurement.setStartPage(startPage);
  await page.goto(`${PROCUREMENT}/requisition`);
  const catalog = page.frameLocator('iframe[title="Supplier catalog"]');
  await expect(catalog.getByRole('heading', { name: 'SIM catalog for Hafenlogistik GmbH' })).toBeVisible();
  const quantity = catalog.getByLabel('Quantity of Industrial IoT SIM, nano');
  await quantity.focus();
  await quantity.fill('10');
  // The tenant lets orders choose another of the account's price plans.
  const plan = catalog.getByLabel('Price plan', { exact: true });
  await plan.focus();
  await plan.selectOption({ label: 'IoT Large, 5 GB pooled' });
  await catalog.getByRole('button', { name: 'Transfer cart' }).click();
  if (!hydrates(page)) {
    // Without JavaScript the return form waits for its button.
    await catalog.getByRole('button', { name: 'Return to your procurement system' }).click();
  }
  await expect(catalog.locator('#received')).toHaveText('Cart received');

  // What arrived is a PunchOutOrderMessage with the buyer's cookie and the cart line.
  const message = new URLSearchParams(procurement.received()).get('cxml-urlencoded') ?? '';
  expect(message).toContain('<PunchOutOrderMessage>');
  expect(first(/<BuyerCookie>([^<]*)<\/BuyerCookie>/, message)).toBe(buyerCookie);
  const part = first(/<SupplierPartID>([^<]+)<\/SupplierPartID>/, message);
  const aux = first(/<SupplierPartAuxiliaryID>([^<]+)<\/SupplierPartAuxiliaryID>/, message);
  const price = first(/<UnitPrice>\s*<Money currency="EUR">([^<]+)<\/Money>/, message);
  expect(part).toBe('NORDWIND-IOT-4FF');
  const poId = aux.split(':')[1];

  // The approved order comes back as an OrderRequest; the PO reaches the agent's inbox.
  const orderId = unique('PO');
  const order = await request.post(endpoint, {
    data: orderRequest(identity, secret, orderId, part, aux, price),
    headers: { 'content-type': 'text/xml' },
  });
  expect(order.status()).toBe(200);
  expect(await order.text()).toContain('code="200"');

  await signIn(page, 'agent@nordwind.example');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Purchase orders' })).toBeVisible();
  await page.goto(`/orders/${poId}`);
  await ready(page);
  await expect(page.getByTestId('po-status').first()).toHaveText(/Submitted/);
  await expect(page.getByText(`Your reference: ${orderId}`)).toBeVisible();
  const settings = page.getByRole('region', { name: 'SIM settings' });
  await expect(settings.getByRole('definition').filter({ hasText: 'IoT Large, 5 GB pooled' })).toContainText('for this order');

  // Accepting confirms the order to the procurement system through the outbox; the agent
  // follows the delivery on the PO.
  await page.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(page.getByTestId('po-status').first()).toHaveText(/Accepted/);
  const sent = page.getByRole('region', { name: 'Procurement system' });
  await expect(sent.getByTestId('procurement-message')).toContainText('Order confirmation (accept)');
  await expect(async () => {
    await page.reload();
    await ready(page);
    await expect(sent.getByTestId('procurement-message')).toContainText('Delivered', { timeout: 1000 });
  }).toPass({ timeout: 45_000 });
  expect(procurement.confirmations().some((c) => c.includes('<ConfirmationRequest>') || c.includes('ConfirmationHeader'))).toBe(true);
  procurement.close();
});
