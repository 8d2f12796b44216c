// Steps of the scenario (scenario.mjs) for the SQL console, the marketplace
// cards, numbers formatted for people, the 800 px layout and accessibility
// (issue 15, parts 6 and 7). Run as grace: a consumer with a masked,
// row-filtered grant on customer.customers and a denied request on
// sales.order_items.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// The main pages: route, and what shows once it has loaded.
const MAIN_PAGES = [
  ['/', 'results'],
  ['/product/customer.customers', 'tab-overview'],
  ['/sql', 'schema-browser'],
  ['/access', 'nav-access'],
  ['/governance', 'violations-summary'],
  ['/incidents', 'nav-incidents'],
  ['/cost', 'cost-consumers'],
  ['/product/finance.revenue_daily?tab=lineage', 'tab-lineage'],
];

export async function consoleSteps({ page, step, tid, go, signIn, noErrorBanner, artifacts }) {
  await step('marketplace-cards-say-what-each-product-is', async () => {
    await signIn('grace');
    await go('/');
    const card = page.locator(tid('result-customer.customers'));
    await card.waitFor();
    for (const part of ['card-description', 'card-owners', 'card-freshness', 'card-quality'])
      assert.ok((await card.locator(tid(part)).innerText()).trim(), `the card shows ${part}`);
    assert.match(await card.locator(tid('card-freshness')).innerText(), /updated (just now|\d+ (min|h|d) ago)/);
    assert.match(await card.locator(tid('card-owners')).innerText(), /owned by /);
  });

  await step('console-schema-browser-lists-only-readable-products', async () => {
    await go('/sql');
    const customers = page.locator(tid('schema-customer.customers_v1'));
    await customers.waitFor();
    await customers.locator('summary').click();
    await customers.locator(tid('schema-column-email')).waitFor();
    assert.match(await customers.locator(tid('schema-column-email')).innerText(), /masked/);
    // Denied to grace: not listed, nor its columns.
    assert.equal(await page.locator(tid('schema-sales.order_items_v1')).count(), 0, 'a product grace may not read is listed');
    await noErrorBanner();
  });

  await step('console-completes-a-column-name', async () => {
    await page.fill(tid('sql-input'), 'SELECT ema');
    await page.locator(tid('sql-completion-email')).waitFor();
    await page.press(tid('sql-input'), 'Tab');
    assert.equal(await page.inputValue(tid('sql-input')), 'SELECT email');
  });

  // Enough rows to pass the console's default limit of 1,000.
  const many = 'SELECT a.country FROM customer.customers a CROSS JOIN customer.customers b CROSS JOIN customer.customers c';
  await step('console-stops-at-1000-rows-with-a-note', async () => {
    await page.fill(tid('sql-input'), many);
    await page.press(tid('sql-input'), 'Escape');
    await page.click(tid('sql-run'));
    await page.locator(tid('sql-limit-note')).waitFor();
    assert.equal(await page.locator(`${tid('results-table')} tbody tr`).count(), 1000);
    await noErrorBanner();
  });

  await step('console-downloads-csv-and-parquet', async () => {
    await page.fill(tid('sql-input'), 'SELECT email, country FROM customer.customers');
    await page.press(tid('sql-input'), 'Escape');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click(tid('sql-download-csv'))]);
    const csvFile = join(artifacts, 'query.csv');
    await csv.saveAs(csvFile);
    const lines = readFileSync(csvFile, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'email,country');
    for (const line of lines.slice(1)) {
      assert.ok(!line.includes('@'), `a raw email in the CSV: ${line}`);
      assert.ok(line.endsWith(',DE'), `the row filter holds in the CSV: ${line}`);
    }
    const [parquet] = await Promise.all([page.waitForEvent('download'), page.click(tid('sql-download-parquet'))]);
    const parquetFile = join(artifacts, 'query.parquet');
    await parquet.saveAs(parquetFile);
    const bytes = readFileSync(parquetFile);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PAR1');
    assert.equal(bytes.subarray(bytes.length - 4).toString('latin1'), 'PAR1');
    await noErrorBanner();
  });

  await step('cost-numbers-are-formatted-for-people', async () => {
    await go('/cost?domain=finance');
    await page.locator(tid('cost-consumers')).waitFor();
    const text = await page.locator('.page').innerText();
    assert.ok(!/\d(\.\d+)?e[-+]\d/i.test(text), `a number in scientific notation: ${text.match(/\S*\de[-+]\d\S*/i)}`);
  });

  await step('main-pages-fit-800px', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    const over = [];
    for (const [route, ready] of MAIN_PAGES) {
      await go(route);
      await page.locator(tid(ready)).first().waitFor();
      await page.waitForTimeout(300);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 800) over.push(`${route}: ${width}px`);
    }
    const tabs = await (async () => {
      await go('/product/customer.customers');
      return page.locator('[role="tab"]').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-testid')));
    })();
    for (const t of tabs) {
      await page.click(tid(t));
      await page.waitForTimeout(300);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 800) over.push(`product ${t}: ${width}px`);
    }
    await page.setViewportSize({ width: 1360, height: 900 });
    assert.deepEqual(over, [], `pages wider than 800 px: ${over.join(', ')}`);
  });

  await step('main-pages-have-no-serious-accessibility-violations', async () => {
    const report = {};
    const serious = [];
    for (const [route, ready] of MAIN_PAGES) {
      await go(route);
      await page.locator(tid(ready)).first().waitFor();
      await page.waitForTimeout(300);
      // Through the DevTools protocol: the page's CSP (default-src 'self') refuses a script tag.
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 10) }));
      });
      report[route] = result;
      for (const v of result)
        if (v.impact === 'serious' || v.impact === 'critical') serious.push(`${route}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.slice(0, 3).join(', ')}`);
    }
    writeFileSync(join(artifacts, 'axe-results.json'), JSON.stringify(report, null, 2));
    assert.deepEqual(serious, [], `serious or critical accessibility violations:\n${serious.join('\n')}`);
  });
}
