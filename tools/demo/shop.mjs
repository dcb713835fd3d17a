// Shops at a supplier simulator's StartPage in headless Chromium (Debian's,
// driven by playwright-core from tests/node) and waits for iob's cart page:
// adds each item through the shop's data-testid hooks, checks out, lets the
// checkout page auto-post the cart to iob's punchout edge, and reads iob's
// page back. Used by `./iob demo` (as a command) and by the end-to-end
// journey test (tests/e2e/journey, as a module).
//
//   node tools/demo/shop.mjs --start-page URL [--item SKU=QTY ...]
//        [--screenshot FILE.png] [--html FILE.html] [--timeout-ms 30000]
//
// Prints one JSON object on stdout: {"cart_url", "title", "total", "lines":
// [{"part", "quantity"}]}; progress goes to stderr, indented to sit under
// the demo's narration. Exits 1 with the reason when a step fails or times
// out.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// playwright-core lives in tests/node/node_modules, outside this folder's
// resolution path.
function loadChromium() {
  const nodeDir = process.env.IOB_NODE_DIR ?? join(here, '..', '..', 'tests', 'node');
  const require = createRequire(join(nodeDir, 'package.json'));
  return require('playwright-core').chromium;
}

// The flags Debian's Chromium needs here (docs: /work/shared/TOOLCHAIN.md).
const kChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The default basket: two products whose auxiliary ids carry markup and a
// CDATA section, 41.98 USD.
export const kDefaultItems = [
  ['B0SIMPEN12', 2],
  ['B0SIMCOFFE', 1],
];

// Shops `items` ([sku, quantity] pairs) at `startPage` and returns what iob's
// cart page shows. `log` receives one line per step. Throws with the step
// that failed; every wait is bounded by `timeoutMs`.
export async function shop({
  startPage,
  items = kDefaultItems,
  screenshot = '',
  html = '',
  timeoutMs = 30000,
  log = () => {},
}) {
  if (!startPage) throw new Error('no StartPage URL');
  const browser = await loadChromium().launch({
    executablePath: process.env.IOB_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: kChromiumArgs,
    timeout: timeoutMs,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.setDefaultTimeout(timeoutMs);
    const start = await page.goto(startPage);
    if (start.status() !== 200) throw new Error(`StartPage answered HTTP ${start.status()}`);
    log(`opened the supplier's shop as ${await page.getByTestId('user-email').textContent()}`);
    for (const [sku, qty] of items) {
      await page.getByTestId(`add-qty-${sku}`).fill(String(qty));
      await Promise.all([page.waitForEvent('load'), page.getByTestId(`add-${sku}`).click()]);
      await page.getByTestId(`line-${sku}`).waitFor();
      log(`added ${qty} x ${sku}`);
    }
    log(`cart at the supplier: ${await page.getByTestId('cart-total').textContent()}; checking out`);
    // The supplier's checkout page posts the cart to iob by itself.
    await page.getByTestId('checkout').click();
    const title = page.getByTestId('cart-title');
    await title.waitFor();
    const result = {
      cart_url: page.url(),
      title: (await title.textContent()).trim(),
      total: (await page.getByTestId('cart-total').textContent()).replace(/^Total:\s*/, '').trim(),
      lines: [],
    };
    for (const row of await page.locator('[data-testid="cart-lines"] tbody tr').all()) {
      const cells = await row.locator('td').allTextContents();
      result.lines.push({ part: cells[2], quantity: cells[3] });
    }
    if (screenshot) {
      mkdirSync(dirname(resolve(screenshot)), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    if (html) {
      mkdirSync(dirname(resolve(html)), { recursive: true });
      writeFileSync(html, await page.content());
    }
    log(`iob's cart page: "${result.title}", ${result.total}`);
    return result;
  } finally {
    await browser.close();
  }
}

function parseArgs(argv) {
  const o = { items: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--start-page') o.startPage = value;
    else if (flag === '--screenshot') o.screenshot = value;
    else if (flag === '--html') o.html = value;
    else if (flag === '--timeout-ms') o.timeoutMs = Number(value);
    else if (flag === '--item') {
      const m = /^([A-Za-z0-9-]+)=([1-9][0-9]*)$/.exec(value);
      if (!m) throw new Error(`--item ${value}: want SKU=QTY`);
      o.items.push([m[1], Number(m[2])]);
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (o.items.length === 0) o.items = kDefaultItems;
  return o;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const result = await shop({ ...o, log: (line) => process.stderr.write(`        ${line}\n`) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (e) {
    process.stderr.write(`shop.mjs: ${e.message.split('\n')[0]}\n`);
    process.exit(1);
  }
}
