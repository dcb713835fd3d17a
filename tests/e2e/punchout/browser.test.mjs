// A punchout in a real browser (node:test + playwright-core + Debian
// Chromium). Run by browser_test.cc, which starts the services and the
// session: START_PAGE_URL is the supplier simulator's StartPage. The script
// adds two products through the shop's data-testid hooks, checks out, lets
// the checkout page auto-post the cart to iob, waits for iob's cart page and
// saves a screenshot to $IOB_ARTIFACT_DIR/punchout-cart.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.IOB_NODE_DIR ?? join(here, '..', '..', 'node');
// playwright-core lives in tests/node/node_modules, outside this folder's
// resolution path.
const require = createRequire(join(nodeDir, 'package.json'));
const { chromium } = require('playwright-core');

const startPage = process.env.START_PAGE_URL;
const artifactDir =
  process.env.IOB_ARTIFACT_DIR ?? join(here, '..', '..', '..', 'build', 'tests', 'artifacts');
const items = [
  ['B0SIMPEN12', 2],
  ['B0SIMCOFFE', 1],
];

test('shop two products on the supplier and land on the iob cart page', async (t) => {
  assert.ok(startPage, 'START_PAGE_URL is required');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
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
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.setDefaultTimeout(20000);

  const start = await page.goto(startPage);
  assert.equal(start.status(), 200);
  assert.equal(await page.getByTestId('operation').textContent(), 'create');
  assert.equal(await page.getByTestId('user-email').textContent(), 'bea.browser@acme.example');

  for (const [sku, qty] of items) {
    await page.getByTestId(`add-qty-${sku}`).fill(String(qty));
    await Promise.all([
      page.waitForEvent('load'),
      page.getByTestId(`add-${sku}`).click(),
    ]);
    await page.getByTestId(`line-${sku}`).waitFor();
    assert.equal(await page.getByTestId(`qty-${sku}`).inputValue(), String(qty));
    // The shop shows the auxiliary id as text; it is what must come back.
    const aux = await page.getByTestId(`line-aux-${sku}`).textContent();
    assert.ok(aux.length > 0, `aux id of ${sku}`);
  }
  assert.equal(await page.getByTestId('cart-total').textContent(), '41.98 USD');

  // Checkout: the supplier's page posts the cart to iob by itself.
  await page.getByTestId('checkout').click();
  const title = page.getByTestId('cart-title');
  await title.waitFor();
  assert.match(page.url(), /\/punchout\/cart\/[A-Za-z0-9_=-]+$/);
  assert.equal(await title.textContent(), 'Your cart is back in procurement');
  assert.equal(await page.locator('[data-testid="cart-lines"] tbody tr').count(), 2);
  assert.match(await page.getByTestId('cart-total').textContent(), /41\.98 USD/);

  mkdirSync(artifactDir, { recursive: true });
  await page.screenshot({ path: join(artifactDir, 'punchout-cart.png'), fullPage: true });
});
