// Time to hydration in Chromium: how long after navigation start the WASM has hydrated the
// server-rendered page's islands (it sets `data-hydrated="true"` on <html> once they are).
//
//   node end2end/bench/hydration.mjs [base URL]      (default http://localhost:3200)
//
// Measures, for /sign-in:
//   cold: RUNS fresh navigations, each in a new browser context (empty HTTP cache);
//   warm: RUNS reloads in one context after a first visit (WASM, JS and CSS from the HTTP cache,
//         or revalidated, as the server's cache headers decide);
// and one cold and one warm run of the dashboard (/) after signing in as admin@nordwind.example;
// then /sign-in cold over a throttled network (THROTTLED_RUNS runs; 1.6 Mbit/s down, 750 kbit/s
// up, 150 ms round trip: Chromium DevTools' "Fast 3G"-like profile, applied per page by CDP).
// Times come from the page's own clock (performance.now(), zero at navigation start), recorded
// by an init script, so Playwright's round trips do not count. Prints median and p95 in ms.
//
// Use `localhost`, not 127.0.0.1: the session cookie is `__Host-` and Secure, which Chromium
// accepts over plain HTTP only on localhost. A benchmark, not a test: nothing here fails on a
// slow machine.

import { chromium } from 'playwright';

const base = (process.argv[2] ?? 'http://localhost:3200').replace(/\/+$/, '');
const RUNS = Number(process.env.SIMDESK_HYDRATION_RUNS ?? 20);
const EMAIL = 'admin@nordwind.example';
const PASSWORD = 'simdesk-demo-2026';
const TIMEOUT_MS = 30_000;
const THROTTLED_RUNS = Number(process.env.SIMDESK_HYDRATION_THROTTLED_RUNS ?? 5);
const THROTTLE = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};

// Runs before any page script. The observer watches the whole document (not only
// documentElement, which may not exist yet when the init script runs) for the attribute.
const recordHydration = () => {
  window.__hydratedAt = null;
  const mark = () => {
    if (window.__hydratedAt === null && document.documentElement?.getAttribute('data-hydrated') === 'true') {
      window.__hydratedAt = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-hydrated'],
  });
};

async function newContext(browser, options = {}) {
  const context = await browser.newContext({ ...options });
  await context.addInitScript(recordHydration);
  return context;
}

/** Navigates and waits for hydration; returns the page's own timings in ms. */
async function measure(page, url) {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: TIMEOUT_MS });
  if (!response || !response.ok()) {
    throw new Error(`${url}: HTTP ${response?.status()}`);
  }
  await page.waitForFunction(() => window.__hydratedAt !== null, null, { timeout: TIMEOUT_MS });
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    return {
      hydrated: window.__hydratedAt,
      dcl: nav.domContentLoadedEventEnd,
      ttfb: nav.responseStart,
      path: location.pathname,
    };
  });
}

function percentile(sorted, p) {
  // Nearest-rank percentile.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function summary(label, samples) {
  const row = { label, n: samples.length };
  for (const key of ['ttfb', 'dcl', 'hydrated']) {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    row[`${key} median`] = sorted.length ? percentile(sorted, 50).toFixed(1) : '-';
    row[`${key} p95`] = sorted.length ? percentile(sorted, 95).toFixed(1) : '-';
  }
  return row;
}

function printTable(rows) {
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padStart(widths[i])).join('  ');
  console.log(line(columns));
  for (const r of rows) console.log(line(columns.map((c) => r[c])));
}

async function signIn(page) {
  await page.goto(`${base}/sign-in`, { timeout: TIMEOUT_MS });
  await page.waitForFunction(() => window.__hydratedAt !== null, null, { timeout: TIMEOUT_MS });
  await page.getByLabel('E-mail address').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL(`${base}/`, { timeout: TIMEOUT_MS }),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  const errors = [];
  const watch = (page) => {
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };

  // Sign-in page, cold: a new context (empty cache) per navigation.
  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    watch(page);
    cold.push(await measure(page, `${base}/sign-in`));
    await context.close();
  }

  // Sign-in page, warm: one context, a first visit fills the cache, then RUNS navigations.
  const warm = [];
  {
    const context = await newContext(browser);
    const page = await context.newPage();
    watch(page);
    await measure(page, `${base}/sign-in`);
    for (let i = 0; i < RUNS; i++) warm.push(await measure(page, `${base}/sign-in`));
    await context.close();
  }

  // Dashboard after signing in: cold in a new context carrying only the session cookie, then
  // warm in that same context.
  const dashboardCold = [];
  const dashboardWarm = [];
  {
    const signInContext = await newContext(browser);
    const signInPage = await signInContext.newPage();
    watch(signInPage);
    await signIn(signInPage);
    const storageState = await signInContext.storageState();
    await signInContext.close();

    const context = await newContext(browser, { storageState });
    const page = await context.newPage();
    watch(page);
    const first = await measure(page, `${base}/`);
    if (first.path !== '/') throw new Error(`dashboard redirected to ${first.path}: not signed in`);
    dashboardCold.push(first);
    dashboardWarm.push(await measure(page, `${base}/`));
    await context.close();
  }

  // Sign-in page, cold, over the throttled network.
  const throttled = [];
  for (let i = 0; i < THROTTLED_RUNS; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    watch(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', THROTTLE);
    throttled.push(await measure(page, `${base}/sign-in`));
    await context.close();
  }

  console.log(`Chromium ${browser.version()}, ${base}, times in ms from navigation start`);
  console.log('(ttfb = first response byte, dcl = DOMContentLoaded end, hydrated = data-hydrated set)');
  printTable([
    summary('/sign-in cold', cold),
    summary('/sign-in warm', warm),
    summary('/ (dashboard) cold', dashboardCold),
    summary('/ (dashboard) warm', dashboardWarm),
    summary('/sign-in cold, 1.6 Mbit/s 150 ms', throttled),
  ]);
  if (errors.length) {
    console.log(`page errors during the runs:\n  ${errors.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
