// The journey's browser step (node:test): tools/demo/shop.mjs, the same
// script `./iob demo` runs, shops the default basket at START_PAGE_URL (the
// supplier simulator's StartPage) in Debian Chromium and waits for iob's
// cart page. Run by journey_test.cc, which started the session and reads
// the cart back over gRPC. A screenshot goes to $SCREENSHOT when set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kDefaultItems, shop } from '../../../tools/demo/shop.mjs';

test('shop at the StartPage and land on the iob cart page', async () => {
  const startPage = process.env.START_PAGE_URL;
  assert.ok(startPage, 'START_PAGE_URL is required');
  const cart = await shop({
    startPage,
    screenshot: process.env.SCREENSHOT ?? '',
    timeoutMs: 20000,
  });
  assert.match(cart.cart_url, /\/punchout\/cart\/[A-Za-z0-9_=-]+$/);
  assert.equal(cart.title, 'Your cart is back in procurement');
  assert.deepEqual(
    cart.lines,
    kDefaultItems.map(([part, quantity]) => ({ part, quantity: String(quantity) })),
  );
  assert.equal(cart.total, '41.98 USD');
});
