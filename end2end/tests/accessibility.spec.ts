import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, signIn, ready } from './fixtures';

// axe-core on every page each role can reach: no serious or critical WCAG 2.1 A/AA violation.
// The pages are found by following the links a user sees (the navigation and the pages' own links),
// so a new page is checked without being listed here. axe runs as a script in the page, so these
// tests run in the JavaScript project only; the markup is the server's either way.

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Pages of one shape (/orders/12 and /orders/13) are checked once; a role with more fails. */
const MAX_PAGES_PER_ROLE = 60;

async function violations(page: Page): Promise<string[]> {
  // What sits behind a disclosure (a chart's figures, a confirmation) is checked too.
  await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** A path's shape: numbers and keys replaced, the query's names kept (?status=… once). */
function shape(url: URL): string {
  const path = url.pathname.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/^\/messages\/[^/]+$/, '/messages/:key');
  const names = [...new Set([...url.searchParams.keys()])].sort().join('&');
  return names ? `${path}?${names}` : path;
}

/** Links that are pages of the portal to look at (not downloads, sign-out or protocol endpoints). */
function worthVisiting(url: URL, origin: string): boolean {
  if (url.origin !== origin) return false;
  if (/\.(csv|xml|json|txt|eml|pdf)$/.test(url.pathname)) return false;
  return !/^\/(auth|api|punchout|cxml|oci|pkg|healthz|readyz|metrics)(\/|$)/.test(url.pathname);
}

async function checkEveryPage(page: Page, email: string) {
  await signIn(page, email);
  await expect(page.getByTestId('user-name')).toBeVisible();
  const origin = new URL(page.url()).origin;
  const queue = ['/', '/account/password', '/account/notifications'];
  const seen = new Set<string>(queue.map((p) => shape(new URL(p, origin))));
  const problems: string[] = [];
  const checked: string[] = [];
  let visited = 0;
  while (queue.length && visited < MAX_PAGES_PER_ROLE) {
    const path = queue.shift()!;
    const response = await page.goto(path);
    if (!response || response.status() >= 400) {
      problems.push(`${path}: a link the role sees answers ${response?.status()}`);
      continue;
    }
    await ready(page);
    visited += 1;
    checked.push(path);
    for (const violation of await violations(page)) problems.push(`${path}: ${violation}`);
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      url.hash = '';
      const key = shape(url);
      if (!worthVisiting(url, origin) || seen.has(key)) continue;
      seen.add(key);
      queue.push(url.pathname + url.search);
    }
  }
  test.info().annotations.push({ type: 'pages checked', description: `${visited}: ${checked.join(' ')}` });
  expect(visited, 'pages checked').toBeGreaterThan(2);
  expect(queue, `more than ${MAX_PAGES_PER_ROLE} kinds of page: raise the limit`).toEqual([]);
  expect(problems, `serious or critical accessibility violations for ${email}`).toEqual([]);
}

for (const email of [
  'operator@simdesk.example',
  'admin@nordwind.example',
  'admin@hafenlogistik.example',
  'purchaser@hafenlogistik.example',
]) {
  test(`every page of ${email} passes axe-core @a11y`, async ({ page }) => {
    test.setTimeout(240_000);
    await checkEveryPage(page, email);
  });
}

test('the pages before sign-in pass axe-core @a11y', async ({ page }) => {
  for (const path of ['/sign-in', '/forgot-password', '/sign-in?error=failed', '/no-such-page']) {
    await page.goto(path);
    await ready(page);
    expect(await violations(page), path).toEqual([]);
  }
});
