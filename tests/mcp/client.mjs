// The MCP SDK's own client (@modelcontextprotocol/sdk, pinned in
// package.json) against weft serve's /mcp, run by tests/mcp/run. Every
// answer that carries data is compared with `weft query` as the same
// principal: an agent reads exactly what the CLI gives grace (hashed
// e-mails, only her filtered rows), and nothing where she has no grant.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run tests/mcp/run)`);
  return v;
};
const WEFT = env('WEFT');
const WORKSPACE = env('WEFT_WORKSPACE');
const URL_MCP = new URL('/mcp', env('WEFT_URL'));
const GRACE = 'grace@retail.example';

let checks = 0;
async function check(name, fn) {
  try {
    await fn();
    checks++;
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}\n     ${e.stack ?? e}`);
    process.exitCode = 1;
  }
}

// `weft query` as a principal, rows as arrays of strings (CSV without quotes in these columns).
function weftQuery(sql, principal) {
  const out = execFileSync(WEFT, ['query', sql, '-o', 'csv', '--workspace', WORKSPACE, '--as', principal], { encoding: 'utf8' });
  return out.trim().split('\n').slice(1).map((line) => line.split(','));
}

async function connect(token) {
  const client = new Client({ name: 'weft-mcp-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(URL_MCP, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport };
}

const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

const { client, transport } = await connect(env('WEFT_TOKEN_GRACE'));

await check('initialize: server weft, a session, the newest revision, instructions', async () => {
  assert.equal(client.getServerVersion().name, 'weft');
  assert.ok(client.getServerCapabilities().tools);
  assert.ok(client.getServerCapabilities().resources);
  assert.match(transport.sessionId ?? '', /^[0-9a-f]{32}$/);
  assert.equal(transport.protocolVersion, '2025-11-25');
  assert.match(client.getInstructions() ?? '', /governed/);
  await client.ping();
});

await check('tools/list: the five tools with input and output schemas', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(),
    ['describe_product', 'explain_policy', 'query', 'request_access', 'search_products']);
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.equal(t.outputSchema?.type, 'object', t.name);
  }
  assert.equal(tools.find((t) => t.name === 'query').annotations.readOnlyHint, true);
  assert.equal(tools.find((t) => t.name === 'request_access').annotations.readOnlyHint, false);
});

await check('search_products finds customer.customers', async () => {
  const r = await client.callTool({ name: 'search_products', arguments: { query: 'customers' } });
  assert.equal(r.isError, false, text(r));
  assert.ok(r.structuredContent.products.some((p) => p.id === 'customer.customers'), text(r));
});

await check('describe_product: grace reads email masked', async () => {
  const r = await client.callTool({ name: 'describe_product', arguments: { product: 'customer.customers' } });
  assert.equal(r.isError, false, text(r));
  assert.equal(r.structuredContent.viewer.state, 'access');
  assert.notEqual(r.structuredContent.viewer.columns.email, 'clear');
  assert.match(text(r), /## Schema of customer\.customers_v1/);
});

await check('query: hashed e-mails, exactly what weft query gives grace', async () => {
  const sql = 'SELECT customer_id, email FROM customer.customers ORDER BY customer_id LIMIT 3';
  const r = await client.callTool({ name: 'query', arguments: { sql } });
  assert.equal(r.isError, false, text(r));
  assert.deepEqual(r.structuredContent.columns, ['customer_id', 'email']);
  assert.deepEqual(r.structuredContent.rows, weftQuery(sql, GRACE));
  const raw = weftQuery(sql, 'alice@retail.example');  // the owner reads them in clear
  assert.equal(raw.length, 3);
  for (const [, email] of raw) {
    assert.match(email, /@/);
    assert.ok(!JSON.stringify(r).includes(email), `raw e-mail ${email} reached the agent`);
  }
  assert.match(text(r), /\| customer_id \| email \|/);
});

await check('query: only the rows of grace\'s filter, truncated at max_rows', async () => {
  const count = 'SELECT count(*) AS n FROM sales.orders';
  const r = await client.callTool({ name: 'query', arguments: { sql: count } });
  assert.equal(r.isError, false, text(r));
  const [[mine]] = weftQuery(count, GRACE);
  const [[all]] = weftQuery(count, 'carol@retail.example');
  assert.equal(r.structuredContent.rows[0][0], mine);
  assert.ok(Number(mine) > 0 && Number(mine) < Number(all), `grace ${mine} of ${all}`);
  const some = await client.callTool({ name: 'query', arguments: { sql: 'SELECT channel FROM sales.orders', max_rows: 5 } });
  assert.equal(some.structuredContent.rows.length, 5);
  assert.equal(some.structuredContent.truncated, true);
  assert.equal(some.structuredContent.rowCount, Number(mine));
  assert.ok(some.structuredContent.rows.every(([channel]) => channel === 'web'));
});

await check('query: a product grace has no grant on is refused, saying why, with no rows', async () => {
  const r = await client.callTool({ name: 'query', arguments: { sql: 'SELECT * FROM marketing.campaigns' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /forbidden/);
  assert.match(text(r), /marketing\.campaigns/);
  assert.equal(r.structuredContent, undefined);
});

await check('explain_policy: grants, masked columns, the row filter, policies', async () => {
  const r = await client.callTool({ name: 'explain_policy', arguments: { product: 'sales.orders' } });
  assert.equal(r.isError, false, text(r));
  assert.equal(r.structuredContent.canRead, true);
  assert.equal(r.structuredContent.rowFilter, true);
  assert.ok(r.structuredContent.grants.some((g) => g.rowFilter === "channel = 'web'"), text(r));
  const denied = await client.callTool({ name: 'explain_policy', arguments: { product: 'marketing.campaigns' } });
  assert.equal(denied.structuredContent.canRead, false);
  const other = await client.callTool({ name: 'explain_policy', arguments: { product: 'sales.orders', principal: 'carol@retail.example' } });
  assert.equal(other.isError, true, 'a consumer may not see how another principal reads a product');
});

await check('request_access: a pending request with its approvers', async () => {
  const r = await client.callTool({ name: 'request_access', arguments: { product: 'marketing.campaigns', purpose: 'mcp test' } });
  assert.equal(r.isError, false, text(r));
  assert.ok(r.structuredContent.id > 0);
  assert.equal(r.structuredContent.status, 'pending');
});

await check('resources: list, template, read a product\'s documentation', async () => {
  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === 'weft://products/customer.customers'));
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.equal(resourceTemplates[0].uriTemplate, 'weft://products/{product}');
  const { contents } = await client.readResource({ uri: 'weft://products/customer.customers' });
  assert.equal(contents[0].mimeType, 'text/markdown');
  assert.match(contents[0].text, /^# customer\.customers/);
  await assert.rejects(client.readResource({ uri: 'weft://products/customer.nothing' }), /-32002|not-found/);
});

await check('the session ends with DELETE, and is gone after', async () => {
  await transport.terminateSession();
  await assert.rejects(client.listTools(), /404|session/i);
});
await client.close();

await check('a wrong token is refused at initialize', async () => {
  await assert.rejects(connect('weft_00000000_' + '0'.repeat(64)), /401/);
});

console.log(`${checks} checks passed${process.exitCode ? ', some FAILED' : ''}`);
