// The web UI's end-to-end scenario, driven by tests/browser/run:
// grace (finance) finds customer.customers, has no access and asks for it;
// alice (customer owner) approves with a row filter; grace's SQL sees
// masked PII of DE customers only; grace explores finance.revenue_daily's
// lineage down to columns. A screenshot of every step goes to $WEFT_ARTIFACTS.
//
// Environment: WEFT_URL, WEFT_TOKEN_GRACE, WEFT_TOKEN_ALICE, WEFT_TOKEN_CAROL,
// WEFT_TOKEN_ADMIN, WEFT_ARTIFACTS, CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { consoleSteps } from './console.mjs';

const BASE = need('WEFT_URL').replace(/\/$/, '');
const TOKENS = {
  grace: need('WEFT_TOKEN_GRACE'),
  alice: need('WEFT_TOKEN_ALICE'),
  carol: process.env.WEFT_TOKEN_CAROL || '',
  admin: process.env.WEFT_TOKEN_ADMIN || '',
};
const ARTIFACTS = process.env.WEFT_ARTIFACTS || 'artifacts';
const TIMEOUT = Number(process.env.WEFT_STEP_TIMEOUT_MS || 20000);
mkdirSync(ARTIFACTS, { recursive: true });

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`scenario: ${name} is not set (run tests/browser/run)`);
    process.exit(2);
  }
  return v;
}

const tid = (id) => `[data-testid="${id}"]`;

let passed = 0;
let failed = 0;
let shot = 0;
let page;
const pageErrors = [];

async function screenshot(name) {
  shot += 1;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    await screenshot(name);
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}: ${err && err.message ? err.message.split('\n').slice(0, 6).join('\n     ') : err}`);
    try {
      const file = join(ARTIFACTS, `FAILED-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`     screenshot: ${file}`);
      const banners = await page.locator('.banner-error').allInnerTexts();
      if (banners.length) console.log(`     error banners on the page: ${banners.map((b) => b.replace(/\s+/g, ' ')).join(' | ')}`);
    } catch {
      /* the page may be gone */
    }
    throw err;
  }
}

async function signIn(who) {
  await page.goto(`${BASE}/`);
  // Signed in as someone else in this tab: sign out first.
  await page.locator(`${tid('sign-out')}, ${tid('token-input')}`).first().waitFor();
  if (await page.locator(tid('sign-out')).isVisible()) await page.click(tid('sign-out'));
  await page.fill(tid('token-input'), TOKENS[who]);
  await page.click(tid('sign-in'));
  await page.locator(tid('principal')).waitFor();
  const principal = await page.locator(tid('principal')).innerText();
  assert.ok(principal.startsWith(`${who}@`) || who === 'admin', `signed in as ${principal}, wanted ${who}`);
  return principal;
}

async function go(hash) {
  await page.goto(`${BASE}/#${hash}`);
}

async function noErrorBanner(scope = page) {
  const banners = await scope.locator('.banner-error').allInnerTexts();
  assert.equal(banners.length, 0, `error banner(s): ${banners.join(' | ')}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
// Playwright starts chromium in its own process group, whose members are
// reaped a moment after browser.close(); the test waits for them (below).
const { processInfo } = await (await browser.newBrowserCDPSession()).send('SystemInfo.getProcessInfo');
const browserGroup = processInfo.find((p) => p.type === 'browser').id;
const groupAlive = () => {
  try {
    return process.kill(-browserGroup, 0);
  } catch {
    return false;
  }
};
let requestId;
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404)/.test(m.text()))
      pageErrors.push(`console error: ${m.text()}`);
  });

  await step('sign-in-rejects-a-bad-token', async () => {
    await page.goto(`${BASE}/`);
    await page.fill(tid('token-input'), 'not-a-token');
    await page.click(tid('sign-in'));
    await page.locator(tid('sign-in-error')).waitFor();
    const text = await page.locator(tid('sign-in-error')).innerText();
    assert.ok(text.trim().length > 0, 'the sign-in error shows the problem');
  });

  await step('grace-signs-in', async () => {
    await signIn('grace');
    await page.locator(tid('results')).waitFor();
  });

  await step('grace-searches-customer', async () => {
    await page.fill(tid('search-input'), 'customer');
    await page.click(tid('search-submit'));
    await page.locator(tid('result-customer.customers')).waitFor();
    await page.locator(tid('facet-domain-customer')).waitFor();
    const summary = await page.locator(tid('results-count')).innerText();
    assert.match(summary, /customer/, 'the summary names the query');
  });

  await step('grace-filters-by-domain-facet', async () => {
    await page.click(tid('facet-domain-customer'));
    await page.waitForFunction(() => location.hash.includes('domain=customer'));
    await page.locator(tid('result-customer.customers')).waitFor();
    assert.equal(await page.locator(tid('result-sales.orders')).count(), 0, 'sales.orders is filtered out');
  });

  await step('grace-opens-customer-customers-without-access', async () => {
    await page.click(tid('result-customer.customers'));
    await page.locator(tid('product-title')).waitFor();
    assert.equal(await page.locator(tid('product-title')).innerText(), 'customer.customers');
    await page.locator(tid('schema-table')).waitFor();
    await page.locator(tid('sample-denied')).waitFor();
    assert.equal(await page.locator(tid('sample-table')).count(), 0, 'no sample rows without a grant');
    await page.locator(tid('request-access')).waitFor();
  });

  await step('grace-requests-access', async () => {
    await page.click(tid('request-access'));
    await page.fill(tid('request-purpose'), 'top customers report (browser test)');
    await page.click(tid('request-submit'));
    await page.locator(tid('request-done')).waitFor();
    const idText = await page.locator(tid('request-id')).innerText();
    requestId = Number(idText.replace(/[^0-9]/g, ''));
    assert.ok(requestId > 0, `a request id, got "${idText}"`);
  });

  await step('grace-sees-her-pending-request', async () => {
    await go('/access?tab=mine');
    await page.locator(tid(`my-request-${requestId}`)).waitFor();
    const status = await page.locator(tid(`my-request-status-${requestId}`)).innerText();
    assert.equal(status.trim(), 'pending');
  });

  await step('alice-sees-the-request-in-her-inbox', async () => {
    await signIn('alice');
    await go('/access?tab=pending');
    await page.locator(tid(`inbox-row-${requestId}`)).waitFor();
    const row = await page.locator(tid(`inbox-row-${requestId}`)).innerText();
    assert.match(row, /grace@retail\.example/);
    assert.match(row, /customer\.customers/);
  });

  await step('alice-approves-with-a-row-filter', async () => {
    await page.fill(tid(`row-filter-${requestId}`), 'country = $principal.region');
    await page.click(tid(`approve-${requestId}`));
    await page.locator(tid(`decided-${requestId}`)).waitFor();
    await page.locator(tid(`inbox-row-${requestId}`)).waitFor({ state: 'detached' });
    await noErrorBanner();
  });

  await step('grace-queries-masked-and-filtered-rows', async () => {
    await signIn('grace');
    await go('/sql');
    await page.fill(tid('sql-input'), 'SELECT email, full_name, country FROM customer.customers LIMIT 5');
    await page.click(tid('sql-run'));
    await page.locator(`${tid('sql-status')}[data-done="true"]`).waitFor();
    await noErrorBanner();
    const header = await page.locator(`${tid('results-table')} thead th`).allInnerTexts();
    assert.deepEqual(header, ['email', 'full_name', 'country']);
    const rows = await page.locator(`${tid('results-table')} tbody tr`).evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.innerText.trim())),
    );
    assert.ok(rows.length > 0 && rows.length <= 5, `1 to 5 rows, got ${rows.length}`);
    for (const [email, fullName, country] of rows) {
      assert.ok(!email.includes('@'), `email is masked: ${email}`);
      assert.match(email, /^[0-9a-f]{16,}$/, `email is a hex hash: ${email}`);
      assert.ok(/^\*+$/.test(fullName) || /redacted/i.test(fullName), `full_name is redacted: ${fullName}`);
      assert.equal(country, 'DE', 'the row filter keeps grace to her region');
    }
  });

  await step('grace-sees-the-sample-now', async () => {
    await go('/product/customer.customers');
    await page.locator(tid('sample-table')).waitFor();
    const emails = await page.locator(`${tid('sample-table')} tbody tr`).count();
    assert.ok(emails > 0, 'sample rows');
  });

  await step('grace-has-one-access-state-and-profiles-without-values', async () => {
    // grace reads customer.customers masked and filtered to DE: one state,
    // and no min, max or top value of any column in the profiles.
    await page.locator(tid('profile-table')).waitFor();
    assert.equal(await page.locator(tid('access-state')).count(), 1, 'exactly one access state');
    assert.match(await page.locator(tid('access-state')).innerText(), /you have access: .*masked.*rows filtered/);
    await page.locator(tid('profile-withheld-email')).waitFor();
    assert.equal(await page.locator(tid('profile-min-email')).count(), 0, 'no min of a masked column');
    assert.equal(await page.locator(tid('profile-min-country')).count(), 0, 'no min of a row-filtered column');
    const text = await page.locator(tid('profile-table')).innerText();
    assert.ok(!text.includes('@'), `an e-mail address in the profiles: ${text}`);
  });

  await step('grace-opens-the-lineage-of-revenue-daily', async () => {
    await go('/product/finance.revenue_daily?tab=lineage');
    await page.locator(`${tid('lineage-graph')}[data-ready="true"]`).waitFor();
    await page.locator(tid('lineage-node-finance.revenue_daily')).waitFor();
    await page.locator(tid('lineage-node-sales.orders')).waitFor();
    await page.locator(tid('lineage-node-customer.customers')).waitFor();
    const nodes = await page.evaluate(() => document.querySelector('[data-testid="lineage-graph"]').__cy.nodes().map((n) => n.id()));
    for (const id of ['finance.revenue_daily', 'sales.orders', 'customer.customers']) assert.ok(nodes.includes(id), `graph node ${id} (have ${nodes.join(', ')})`);
  });

  await step('grace-clicks-a-node-in-the-graph', async () => {
    const box = await page.locator(tid('lineage-graph')).boundingBox();
    const pos = await page.evaluate(() => {
      const cy = document.querySelector('[data-testid="lineage-graph"]').__cy;
      return cy.getElementById('sales.orders').renderedPosition();
    });
    await page.mouse.click(box.x + pos.x, box.y + pos.y);
    await page.waitForFunction(() => document.querySelector('[data-testid="column-lineage-title"]')?.innerText === 'sales.orders');
    await page.locator(tid('lineage-column-sales.orders:amount')).waitFor();
  });

  await step('grace-traces-a-column', async () => {
    await page.click(tid('lineage-node-finance.revenue_daily'));
    await page.click(tid('lineage-column-finance.revenue_daily:revenue_eur'));
    await page.locator(tid('column-lineage-upstream')).waitFor();
    const up = await page.locator(tid('column-lineage-upstream')).innerText();
    assert.match(up, /sales\.orders\.\s*amount/, `revenue_eur comes from sales.orders.amount: ${up}`);
  });

  let deniedId;
  await step('grace-requests-order-items', async () => {
    await go('/product/sales.order_items');
    await page.locator(tid('product-sales.order_items')).waitFor();
    await page.click(tid('request-access'));
    await page.click(tid('request-column-order_id'));
    await page.fill(tid('request-purpose'), 'basket analysis (browser test)');
    await page.click(tid('request-submit'));
    await page.locator(tid('request-done')).waitFor();
    deniedId = Number((await page.locator(tid('request-id')).innerText()).replace(/[^0-9]/g, ''));
    assert.ok(deniedId > requestId, `a new request id, got ${deniedId}`);
  });

  await step('carol-denies-it-with-a-reason', async () => {
    assert.ok(TOKENS.carol, 'WEFT_TOKEN_CAROL is set');
    await signIn('carol');
    await go('/access');
    await page.locator(tid(`inbox-row-${deniedId}`)).waitFor();
    await page.click(tid(`deny-${deniedId}`));
    await page.locator(tid(`inbox-error-${deniedId}`)).waitFor(); // a reason is required
    await page.fill(tid(`reason-${deniedId}`), 'order lines are not shared outside sales yet');
    await page.click(tid(`deny-${deniedId}`));
    await page.locator(tid(`decided-${deniedId}`)).waitFor();
    await noErrorBanner();
  });

  await step('grace-sees-the-denial', async () => {
    await signIn('grace');
    await go('/access?tab=mine');
    await page.locator(tid(`my-request-${deniedId}`)).waitFor();
    assert.equal((await page.locator(tid(`my-request-status-${deniedId}`)).innerText()).trim(), 'denied');
    assert.match(await page.locator(tid(`my-request-${deniedId}`)).innerText(), /not shared outside sales/);
  });

  await step('grace-sees-no-owner-tabs-and-no-command-lines', async () => {
    await go('/product/sales.order_items');
    await page.locator(tid('product-sales.order_items')).waitFor();
    assert.equal(await page.locator(tid('access-state')).count(), 1, 'exactly one access state');
    assert.doesNotMatch(await page.locator(tid('access-state')).innerText(), /own/);
    for (const t of ['quarantine', 'audit', 'consumers']) assert.equal(await page.locator(tid(`tab-${t}`)).count(), 0, `no ${t} tab for a consumer`);
    await go('/product/sales.order_items?tab=audit');
    await page.locator(tid('product-sales.order_items')).waitFor();
    assert.equal(await page.locator(tid('audit-table')).count(), 0, 'no audit trail by URL either');
    const body = await page.locator('.page').innerText();
    assert.doesNotMatch(body, /weft access request|--purpose/, 'no CLI command lines in the web UI');
  });

  await step('changelog-and-diff-of-two-versions', async () => {
    await go('/product/sales.orders?tab=changelog');
    await page.locator(tid('changelog-1.0.1')).waitFor();
    await page.locator(tid('changelog-1.0.0')).waitFor();
    await page.selectOption(tid('diff-from'), '1.0.0');
    await page.selectOption(tid('diff-to'), '1.0.1');
    await page.locator(tid('diff-changes')).waitFor();
    assert.match(await page.locator(tid('diff-result')).innerText(), /1\.0\.0 → 1\.0\.1/);
    assert.match(await page.locator(tid('diff-changes')).innerText(), /description/);
    await noErrorBanner();
  });

  await step('carol-owns-sales-orders-and-sees-its-quarantine-and-audit', async () => {
    await signIn('carol');
    await go('/product/sales.orders');
    await page.locator(tid('profile-table')).waitFor();
    assert.match(await page.locator(tid('access-state')).innerText(), /you own this/);
    await page.locator(tid('profile-min-order_id')).waitFor(); // the owners see values
    await page.locator(tid('lifecycle-1.0.1')).waitFor();
    assert.match(await page.locator(tid('lifecycle-1.0.1')).innerText(), /active since/);
    await page.click(tid('tab-quarantine'));
    await page.locator(`${tid('quarantine-table')}, ${tid('quarantine-empty')}`).first().waitFor();
    await screenshot('carol-quarantine');
    await page.click(tid('tab-audit'));
    await page.locator(tid('audit-table')).waitFor();
    assert.match(await page.locator(tid('audit-table')).innerText(), /publish\.published/);
    await noErrorBanner();
  });

  await step('alice-sees-grace-row-filter-among-consumers', async () => {
    await signIn('alice');
    await go('/product/customer.customers?tab=consumers');
    await page.locator(tid('consumer-filter-grace@retail.example')).waitFor();
    assert.match(await page.locator(tid('consumer-filter-grace@retail.example')).innerText(), /country = \$principal\.region/);
    await signIn('grace');
  });

  await step('quality-history-chart', async () => {
    await go('/product/sales.orders?tab=quality');
    await page.locator(tid('product-sales.orders')).waitFor();
    await page.locator(`${tid('quality-chart')}[data-ready="true"]`).waitFor();
    assert.equal(await page.locator(tid('product-title')).innerText(), 'sales.orders');
    await page.locator(tid('quality-grid')).waitFor();
    await noErrorBanner();
  });

  await step('slas-and-incidents', async () => {
    await go('/product/sales.orders?tab=incidents');
    await page.locator(tid('sla-table')).waitFor();
    const sla = await page.locator(tid('sla-table')).innerText();
    assert.match(sla, /latency/, sla);
    await page.locator(`${tid('incidents-table')}, ${tid('incidents-empty')}`).first().waitFor();
    await go('/incidents');
    await page.locator(tid('incidents-page')).waitFor();
    await page.locator(`${tid('incidents-table')}, ${tid('incidents-empty')}`).first().waitFor();
    await screenshot('incidents');
    await noErrorBanner();
  });

  await step('cost-dashboard', async () => {
    await go('/cost?domain=finance');
    await page.locator(tid('cost-consumers')).waitFor();
    await page.locator(`${tid('cost-chart')}, ${tid('cost-chart-empty')}`).first().waitFor();
    // One currency for one budget: the workspace's (USD), in the domain's
    // line and in the table alike (issue 13: '€2,000.00' beside '$2,000.00').
    const info = await page.locator(tid('cost-domain-info')).innerText();
    assert.match(info, /budget \$2,000\.00 a month/, info);
    const pageText = await page.locator('.page').innerText();
    assert.ok(!/[€£]/.test(pageText), `a second currency on the cost page: ${pageText}`);
    await noErrorBanner();
  });

  await step('glossary-from-a-product-schema-to-a-term-at-800px', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    await go('/product/sales.orders');
    await page.locator(tid('schema-table')).waitFor();
    await page.locator(tid('column-tag-amount-money')).waitFor();
    await page.click(tid('column-term-customer_id-customer'));
    await page.locator(tid('term-page')).waitFor();
    assert.equal(await page.locator(tid('term-title')).innerText(), 'Customer');
    assert.match(await page.locator(tid('term-synonyms')).innerText(), /Client/);
    await page.locator(tid('term-column-customer.customers-customer_id')).waitFor();
    await page.locator(tid('term-column-sales.orders-customer_id')).waitFor();
    await page.click(tid('nav-glossary'));
    await page.locator(tid('glossary-row-revenue')).waitFor();
    await page.click(tid('glossary-term-revenue'));
    await page.locator(tid('term-column-finance.revenue_daily-revenue_eur')).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the term page is ${overflow} px wider than 800 px`);
    await noErrorBanner();
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  await step('governance', async () => {
    await go('/governance');
    await page.locator(`${tid('violations-summary')}`).waitFor();
    await page.locator(`${tid('policies')}`).waitFor();
    await noErrorBanner();
  });

  await step('admin-adds-a-waiver', async () => {
    assert.ok(TOKENS.admin, 'WEFT_TOKEN_ADMIN is set');
    await signIn('admin');
    await go('/governance');
    await page.click(tid('waiver-new'));
    await page.selectOption(tid('waiver-policy'), 'names-are-snake-case');
    await page.fill(tid('waiver-subject'), 'sales.orders');
    await page.fill(tid('waiver-reason'), 'legacy name (browser test)');
    await page.fill(tid('waiver-expires'), '2099-01-01');
    await page.click(tid('waiver-submit'));
    await page.locator(tid('waiver-added')).waitFor();
    await page.locator(`${tid('waivers')} >> text=legacy name (browser test)`).waitFor();
    await noErrorBanner();
  });

  await consoleSteps({ page, step, tid, go, signIn, noErrorBanner, artifacts: ARTIFACTS });

  await step('sign-out', async () => {
    await page.click(tid('sign-out'));
    await page.locator(tid('token-input')).waitFor();
    const stored = await page.evaluate(() => sessionStorage.getItem('weft.token'));
    assert.equal(stored, null, 'the token is forgotten');
  });

  assert.deepEqual(pageErrors, [], `the pages logged errors:\n${pageErrors.join('\n')}`);
} catch (err) {
  if (!failed) {
    failed += 1;
    console.log(`FAIL ${err && err.message ? err.message : err}`);
  }
} finally {
  await browser.close();
  for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 50));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
